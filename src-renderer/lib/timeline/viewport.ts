/** A time window of a recording, µs since the recording started. */
export interface Viewport {
  fromUs: number
  toUs: number
}

export interface Extent {
  startUs: number
  endUs: number
  /** The narrowest window worth showing (a few samples). */
  minSpanUs: number
}

export function span(v: Viewport): number {
  return v.toUs - v.fromUs
}

/** Keeps a window inside the recording and no narrower than a few samples. */
export function clampViewport(v: Viewport, extent: Extent): Viewport {
  const total = extent.endUs - extent.startUs
  let width = Math.min(Math.max(span(v), extent.minSpanUs), total)
  if (!(width > 0)) width = total > 0 ? total : extent.minSpanUs
  let fromUs = Math.min(Math.max(v.fromUs, extent.startUs), extent.endUs - width)
  if (!Number.isFinite(fromUs)) fromUs = extent.startUs
  return { fromUs, toUs: fromUs + width }
}

/** Zooms by `factor` (< 1 zooms in) keeping `anchorUs` at the same place on screen. */
export function zoomAround(
  v: Viewport,
  factor: number,
  anchorUs: number,
  extent: Extent,
): Viewport {
  const width = span(v) * factor
  const ratio = span(v) > 0 ? (anchorUs - v.fromUs) / span(v) : 0.5
  const fromUs = anchorUs - ratio * width
  return clampViewport({ fromUs, toUs: fromUs + width }, extent)
}

/** Moves the window by a fraction of its width (positive = later). */
export function panBy(v: Viewport, fraction: number, extent: Extent): Viewport {
  const shift = span(v) * fraction
  return clampViewport({ fromUs: v.fromUs + shift, toUs: v.toUs + shift }, extent)
}

/** Centres the window on `us`, keeping its width. */
export function centreOn(v: Viewport, us: number, extent: Extent): Viewport {
  const half = span(v) / 2
  return clampViewport({ fromUs: us - half, toUs: us + half }, extent)
}

export function fit(extent: Extent): Viewport {
  return { fromUs: extent.startUs, toUs: extent.endUs }
}

/**
 * Breaks a line where consecutive buckets are further apart than a gap: returns the indices
 * after which a null should go, so the chart draws gaps as gaps.
 */
export function gapsAfter(t0: number[], t1: number[], expectedStepUs: number): number[] {
  const gaps: number[] = []
  for (let i = 0; i + 1 < t0.length; i++) {
    const step = (t0[i + 1] as number) - (t1[i] as number)
    if (step > 3 * expectedStepUs) gaps.push(i)
  }
  return gaps
}

/** h:mm:ss.mmm for a time in µs (short forms when zoomed in). */
export function formatTimeUs(us: number): string {
  const totalMs = Math.round(us / 1000)
  const ms = ((totalMs % 1000) + 1000) % 1000
  const s = Math.floor(totalMs / 1000) % 60
  const m = Math.floor(totalMs / 60_000) % 60
  const h = Math.floor(totalMs / 3_600_000)
  const mmss = `${String(m).padStart(h > 0 ? 2 : 1, '0')}:${String(s).padStart(2, '0')}.${String(ms).padStart(3, '0')}`
  return h > 0 ? `${h}:${mmss}` : mmss
}
