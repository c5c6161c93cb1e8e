import type {
  RecordingDetail,
  StreamInfo,
  TimelineSlice,
} from '../../../src-preload/contract/index'
import { SvelteSet } from 'svelte/reactivity'
import type { ApiClient } from '../../api/client'
import {
  centreOn,
  clampViewport,
  fit,
  gapsAfter,
  panBy,
  zoomAround,
  type Extent,
  type Viewport,
} from '../timeline/viewport'
import { messageOf } from '../../api/rpc-error'

/** Extra data fetched on each side of the window, so short pans draw at once. */
const MARGIN = 0.5
const OVERVIEW_PIXELS = 1200

/** `[x (s), max1, min1, max2, min2, ...]` with nulls where the signal has gaps. */
export type Columns = (number | null)[][]

/**
 * One recording on the timeline: its signal at the current zoom, fetched from the envelope
 * levels for the chart's width (never more points than pixels), the overview of the whole
 * recording, channel visibility and the viewport. Fetches are coalesced: while one is in flight,
 * only the latest viewport is fetched next, and stale answers are dropped.
 */
export class TimelineState {
  readonly #api: ApiClient
  recording = $state.raw<RecordingDetail | null>(null)
  stream = $state.raw<StreamInfo | null>(null)
  viewport = $state.raw<Viewport>({ fromUs: 0, toUs: 1 })
  /** Chart width in CSS pixels, set by the chart. */
  width = $state(1200)
  /** Channels switched off. */
  readonly hidden = new SvelteSet<number>()
  stacked = $state(false)
  /** The current slice, covering the viewport plus margins. */
  slice = $state.raw<TimelineSlice | null>(null)
  overview = $state.raw<TimelineSlice | null>(null)
  loading = $state(false)
  error = $state<string | null>(null)
  /** Time under the pointer, µs, and the values there. */
  cursorUs = $state<number | null>(null)
  /** A span drawn outlined on the timeline: the window opened from elsewhere (a run's mistake). */
  focusSpan = $state.raw<{ startUs: number; endUs: number } | null>(null)
  #inFlight = false
  #wanted: Viewport | null = null
  #loadToken = 0
  /** The recording `focusSpan` belongs to. */
  #focusRecordingId: number | null = null

  constructor(api: ApiClient) {
    this.#api = api
  }

  readonly extent: Extent = $derived.by(() => {
    const s = this.stream
    if (!s || s.firstUs === null || s.lastUs === null) return { startUs: 0, endUs: 1, minSpanUs: 1 }
    const dt = 1e6 / s.rateHz
    return { startUs: s.firstUs, endUs: s.lastUs + dt, minSpanUs: Math.max(10 * dt, 1000) }
  })

  readonly channels: string[] = $derived(this.stream?.channels.map((c) => c.name) ?? [])

  readonly columns: Columns = $derived(toColumns(this.slice, this.stream))

  /** Per channel, the value (or min..max of the bucket) under the pointer. */
  readonly cursorValues: { min: number; max: number }[] | null = $derived.by(() => {
    const slice = this.slice
    const us = this.cursorUs
    if (!slice || us === null || slice.t0.length === 0) return null
    // The last bucket starting at or before the pointer.
    let low = 0
    let high = slice.t0.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if ((slice.t0[mid] as number) <= us) low = mid
      else high = mid - 1
    }
    const c = slice.channelCount
    return Array.from({ length: c }, (_, ch) => ({
      min: slice.min[low * c + ch] as number,
      max: slice.max[low * c + ch] as number,
    }))
  })
  readonly overviewColumns: Columns = $derived(toColumns(this.overview, this.stream))

  /** The recording asked for last (it may still be loading). */
  requestedId: number | null = null

  /** Opens a recording on the timeline (once: asking again for the same one does nothing). */
  async load(recordingId: number): Promise<void> {
    if (recordingId === this.requestedId) return
    this.requestedId = recordingId
    const token = ++this.#loadToken
    this.error = null
    this.slice = null
    this.overview = null
    try {
      const detail = await this.#api.call('recordings.get', { id: recordingId })
      if (token !== this.#loadToken) return
      this.recording = detail
      // The fastest stream is the one labels snap to and the chart shows.
      this.stream = [...detail.streams].sort((a, b) => b.rateHz - a.rateHz)[0] ?? null
      this.hidden.clear()
      if (this.#focusRecordingId !== recordingId) this.focusSpan = null
      this.viewport = this.focusSpan
        ? clampViewport(around(this.focusSpan), this.extent)
        : fit(this.extent)
      if (!this.stream || this.stream.samples === 0) return
      const overview = this.#api.call('timeline.view', {
        streamId: this.stream.id,
        fromUs: this.extent.startUs,
        toUs: this.extent.endUs,
        pixels: OVERVIEW_PIXELS,
      })
      this.#request(this.viewport)
      const result = await overview
      if (token === this.#loadToken) this.overview = result
    } catch (err) {
      if (token === this.#loadToken) this.error = messageOf(err)
    }
  }

  /**
   * For a recording still being recorded: takes in the new samples, keeping the window (or
   * following the end when the window showed the end).
   */
  async follow(): Promise<void> {
    const current = this.recording
    if (!current) return
    const token = this.#loadToken
    const atEnd = this.viewport.toUs >= this.extent.endUs - 1
    const detail = await this.#api.call('recordings.get', { id: current.id })
    if (token !== this.#loadToken) return
    const stream = detail.streams.find((s) => s.id === this.stream?.id) ?? null
    this.recording = detail
    this.stream = stream
    if (!stream || stream.samples === 0) return
    const width = this.viewport.toUs - this.viewport.fromUs
    if (atEnd)
      this.viewport = clampViewport(
        { fromUs: this.extent.endUs - width, toUs: this.extent.endUs },
        this.extent,
      )
    this.slice = null // the last slice ends where the recording used to end
    this.#request(this.viewport)
    const overview = await this.#api.call('timeline.view', {
      streamId: stream.id,
      fromUs: this.extent.startUs,
      toUs: this.extent.endUs,
      pixels: OVERVIEW_PIXELS,
    })
    if (token === this.#loadToken) this.overview = overview
  }

  setViewport(v: Viewport): void {
    this.viewport = clampViewport(v, this.extent)
    this.#request(this.viewport)
  }

  zoom(factor: number, anchorUs?: number): void {
    const anchor = anchorUs ?? (this.viewport.fromUs + this.viewport.toUs) / 2
    this.setViewport(zoomAround(this.viewport, factor, anchor, this.extent))
  }

  pan(fraction: number): void {
    this.setViewport(panBy(this.viewport, fraction, this.extent))
  }

  centreOn(us: number): void {
    this.setViewport(centreOn(this.viewport, us, this.extent))
  }

  /** Shows a region: centred if it is comfortably visible, else zoomed to it with margins. */
  reveal(startUs: number, endUs: number): void {
    const width = endUs - startUs
    const view = this.viewport.toUs - this.viewport.fromUs
    if (width <= view && width >= view * 0.05) this.centreOn((startUs + endUs) / 2)
    else this.setViewport(around({ startUs, endUs }))
  }

  /**
   * Shows a span of a recording outlined, zoomed to it with its width of context either side: at
   * once if the recording is open, else when it has loaded.
   */
  focus(recordingId: number, startUs: number, endUs: number): void {
    this.focusSpan = { startUs, endUs }
    this.#focusRecordingId = recordingId
    if (this.recording?.id === recordingId && this.requestedId === recordingId) {
      this.setViewport(around(this.focusSpan))
    }
  }

  fit(): void {
    this.setViewport(fit(this.extent))
  }

  toggleChannel(index: number): void {
    if (this.hidden.has(index)) this.hidden.delete(index)
    else this.hidden.add(index)
  }

  /** Fetches the viewport (plus margins); coalesces bursts of requests into the latest. */
  #request(v: Viewport): void {
    const have = this.slice
    const covered =
      have !== null &&
      have.t0.length > 0 &&
      (have.t0[0] as number) <= v.fromUs &&
      (have.t1[have.t1.length - 1] as number) >= v.toUs - 1 &&
      this.#sliceSpanUs(have) <= (v.toUs - v.fromUs) * (1 + 2 * MARGIN) * 1.5
    // Zoomed in past the slice's resolution: fetch finer data even if it is covered.
    if (covered && have.level === -1) return
    this.#wanted = v
    if (!this.#inFlight) void this.#fetchLoop()
  }

  #sliceSpanUs(slice: TimelineSlice): number {
    return (slice.t1[slice.t1.length - 1] ?? 0) - (slice.t0[0] ?? 0)
  }

  async #fetchLoop(): Promise<void> {
    this.#inFlight = true
    this.loading = true
    try {
      while (this.#wanted && this.stream) {
        const v = this.#wanted
        this.#wanted = null
        const widthUs = v.toUs - v.fromUs
        const fromUs = Math.max(this.extent.startUs, v.fromUs - widthUs * MARGIN)
        const toUs = Math.min(this.extent.endUs, v.toUs + widthUs * MARGIN)
        const pixels = Math.min(8192, Math.round(this.width * ((toUs - fromUs) / widthUs)))
        const token = this.#loadToken
        const slice = await this.#api.call('timeline.view', {
          streamId: this.stream.id,
          fromUs,
          toUs,
          pixels: Math.max(1, pixels),
        })
        if (token === this.#loadToken) this.slice = slice
      }
    } catch (err) {
      this.error = messageOf(err)
    } finally {
      this.#inFlight = false
      this.loading = false
    }
  }
}

/** A region with its own width of context either side. */
function around({ startUs, endUs }: { startUs: number; endUs: number }): Viewport {
  const width = endUs - startUs
  return { fromUs: startUs - width, toUs: endUs + width }
}

/** Columnar chart data from a slice: bucket midpoints in seconds, max/min per channel. */
function toColumns(slice: TimelineSlice | null, stream: StreamInfo | null): Columns {
  if (!slice || !stream || slice.t0.length === 0) return [[]]
  const c = slice.channelCount
  const n = slice.t0.length
  const expectedStep =
    n > 1 ? ((slice.t1[n - 1] as number) - (slice.t0[0] as number)) / n : 1e6 / stream.rateHz
  const gaps = gapsAfter(slice.t0, slice.t1, Math.max(expectedStep, 1e6 / stream.rateHz))
  let nextGap = 0
  const x: (number | null)[] = []
  const series: (number | null)[][] = Array.from({ length: 2 * c }, () => [])
  for (let i = 0; i < n; i++) {
    x.push(((slice.t0[i] as number) + (slice.t1[i] as number)) / 2e6)
    for (let ch = 0; ch < c; ch++) {
      ;(series[2 * ch] as (number | null)[]).push(slice.max[i * c + ch] as number)
      ;(series[2 * ch + 1] as (number | null)[]).push(slice.min[i * c + ch] as number)
    }
    if (gaps[nextGap] === i) {
      nextGap++
      // A point in the middle of the gap with no values breaks the line there.
      x.push(((slice.t1[i] as number) + (slice.t0[i + 1] as number)) / 2e6)
      for (const s of series) s.push(null)
    }
  }
  return [x, ...series]
}
