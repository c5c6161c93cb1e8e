/**
 * A device's stored predictions on the Label timeline (docs/labels.md, "Device predictions"):
 * where each window is drawn, which one is under the pointer, and how often the device agreed
 * with the labels. Pure functions over the contract's shapes, tested without a DOM.
 */

/** What these functions need of a prediction (the contract's Prediction is one). */
export interface PredictionPoint {
  /** End of the classified window on the recording's axis, µs. */
  endUs: number
  classIndex: number | null
}

/** A label as the agreement reads it: its span, half-open, and its class's name. */
export interface NamedLabel {
  startUs: number
  endUs: number
  className: string
}

/** The time one prediction speaks for on the lane, µs. */
export interface PredictionSpan {
  startUs: number
  endUs: number
}

/**
 * Where each prediction is drawn: its window's middle stride, as suggestions are (overlapping
 * windows tile the timeline, each centred on its window's centre, where the agreement reads the
 * label). The stride is half the distance to each neighbour's centre, and never more than half a
 * window either side, so missing predictions leave a gap. `windowUs` null (a model the project
 * does not know): the window ends stand for the centres.
 */
export function predictionSpans(
  predictions: readonly PredictionPoint[],
  windowUs: number | null,
): PredictionSpan[] {
  const half = windowUs ? windowUs / 2 : Infinity
  const centre = (i: number) => {
    const p = predictions[i]
    return p === undefined ? undefined : p.endUs - (windowUs ?? 0) / 2
  }
  return predictions.map((_, i) => {
    const c = centre(i) as number
    const prev = centre(i - 1)
    const next = centre(i + 1)
    // A prediction alone on one side takes the stride of its other side, or half a window.
    const before = prev !== undefined ? (c - prev) / 2 : next !== undefined ? (next - c) / 2 : half
    const after = next !== undefined ? (next - c) / 2 : before
    const left = Math.min(before, half)
    const right = Math.min(after, half)
    return {
      startUs: c - (Number.isFinite(left) ? left : 0),
      endUs: c + (Number.isFinite(right) ? right : 0),
    }
  })
}

/** The index of the span under `us` (spans in time order, as predictionSpans makes them). */
export function spanAt(spans: readonly PredictionSpan[], us: number): number | null {
  let low = 0
  let high = spans.length - 1
  while (low < high) {
    const mid = (low + high + 1) >> 1
    if ((spans[mid] as PredictionSpan).startUs <= us) low = mid
    else high = mid - 1
  }
  const span = spans[low]
  return span && span.startUs <= us && us < span.endUs ? low : null
}

export interface Agreement {
  /** Windows compared: a named class from the device, and a class for the time at its centre. */
  windows: number
  /** Of those, the windows whose class is the label's. */
  agreeing: number
}

/**
 * How often the device's class equals the label at its window's centre: the label covering it
 * (`[start, end)`; where labels overlap, any of their classes), else the recording's default
 * class. Windows are left out when the device's class is unknown, and, when there is no default
 * class, where no label is. Only windows centred in `range` count, when given.
 */
export function agreementWithLabels(
  predictions: readonly PredictionPoint[],
  track: { classes: readonly string[]; windowUs: number | null },
  labels: readonly NamedLabel[],
  defaultClass: string | null,
  range?: { fromUs: number; toUs: number },
): Agreement {
  const sorted = [...labels].sort((a, b) => a.startUs - b.startUs)
  const offset = (track.windowUs ?? 0) / 2
  // A sweep: predictions come in time order, so labels start and end in order under them.
  let next = 0
  let open: NamedLabel[] = []
  let windows = 0
  let agreeing = 0
  for (const p of predictions) {
    const centre = p.endUs - offset
    if (range && (centre < range.fromUs || centre >= range.toUs)) continue
    const predicted = p.classIndex === null ? undefined : track.classes[p.classIndex]
    while (next < sorted.length && (sorted[next] as NamedLabel).startUs <= centre) {
      open.push(sorted[next] as NamedLabel)
      next++
    }
    open = open.filter((l) => l.endUs > centre)
    if (predicted === undefined) continue
    if (open.length === 0 && defaultClass === null) continue
    windows++
    const agrees =
      open.length === 0 ? predicted === defaultClass : open.some((l) => l.className === predicted)
    if (agrees) agreeing++
  }
  return { windows, agreeing }
}

/** "92%": whole percent, never rounded up to 100% while a window disagrees. */
export function agreementPercent({ windows, agreeing }: Agreement): string {
  if (windows === 0) return '—'
  return `${Math.floor((agreeing / windows) * 100)}%`
}
