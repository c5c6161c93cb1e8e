import type { Project } from '../store/project.js'
import type { ChunkSpan } from '../store/sample-times.js'

/** The time a recording covers: from its first sample to one sample period after its last. */
export interface Extent {
  startUs: number
  endUs: number
}

/**
 * Where label edges may go in one recording: on the sample times of its fastest stream (the
 * highest nominal rate; the first such stream on a tie), or at the end of the recording, one
 * sample period after the last sample (so a label can cover the last sample). Labels are
 * half-open: [start, end) covers the samples with start <= t < end.
 */
export class SampleGrid {
  readonly streamId: number
  readonly rateHz: number
  readonly extent: Extent
  readonly #project: Project
  #chunks: { spans: ChunkSpan[]; before: number[] } | null = null

  private constructor(project: Project, streamId: number, rateHz: number, extent: Extent) {
    this.#project = project
    this.streamId = streamId
    this.rateHz = rateHz
    this.extent = extent
  }

  /** The grid of a recording; null while it has no samples. */
  static of(project: Project, recordingId: number): SampleGrid | null {
    let best: { id: number; rateHz: number; firstUs: number; lastUs: number } | null = null
    for (const stream of project.streams.list(recordingId)) {
      if (best && stream.rateHz <= best.rateHz) continue
      const { firstUs, lastUs } = project.samples.stats(stream.id)
      if (firstUs === null || lastUs === null) continue
      best = { id: stream.id, rateHz: stream.rateHz, firstUs, lastUs }
    }
    if (!best) return null
    const extent = { startUs: best.firstUs, endUs: best.lastUs + 1e6 / best.rateHz }
    return new SampleGrid(project, best.id, best.rateHz, extent)
  }

  /** The nominal time between samples, µs. */
  get periodUs(): number {
    return 1e6 / this.rateHz
  }

  /** `us` clamped to the recording, then moved to the nearest sample time (or the end). */
  snap(us: number): number {
    const { startUs, endUs } = this.extent
    const t = Math.min(endUs, Math.max(startUs, us))
    const sample = this.#project.labels.times.nearest(this.streamId, t) ?? startUs
    return endUs - t < Math.abs(t - sample) ? endUs : sample
  }

  /** Samples in the recording's fastest stream. */
  sampleCount(): number {
    const { spans, before } = this.#index()
    const last = spans.length - 1
    return last < 0 ? 0 : (before[last] as number) + (spans[last] as ChunkSpan).n
  }

  /** How many samples come before `us`: the index of the first sample at or after it. */
  countBefore(us: number): number {
    const { spans, before } = this.#index()
    // The last chunk starting before `us`.
    let low = 0
    let high = spans.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if ((spans[middle] as ChunkSpan).t0Us < us) low = middle + 1
      else high = middle
    }
    const i = low - 1
    if (i < 0) return 0
    const chunk = spans[i] as ChunkSpan
    if (chunk.t1Us < us) return (before[i] as number) + chunk.n
    const times = this.#project.labels.times.times(this.streamId, chunk)
    let k = 0
    let hi = times.length
    while (k < hi) {
      const middle = (k + hi) >>> 1
      if ((times[middle] as number) < us) k = middle + 1
      else hi = middle
    }
    return (before[i] as number) + k
  }

  /** The time of sample `index`; `sampleCount()` gives the end of the recording. */
  timeOf(index: number): number {
    const { spans, before } = this.#index()
    const count = this.sampleCount()
    if (!(Number.isInteger(index) && index >= 0 && index <= count)) {
      throw new RangeError(`Sample ${index} is outside 0..${count}`)
    }
    if (index === count) return this.extent.endUs
    let low = 0
    let high = spans.length - 1
    while (low < high) {
      const middle = (low + high + 1) >>> 1
      if ((before[middle] as number) <= index) low = middle
      else high = middle - 1
    }
    const chunk = spans[low] as ChunkSpan
    const j = index - (before[low] as number)
    if (chunk.dtUs !== null) return chunk.t0Us + j * chunk.dtUs
    return this.#project.labels.times.times(this.streamId, chunk)[j] as number
  }

  #index(): { spans: ChunkSpan[]; before: number[] } {
    if (this.#chunks) return this.#chunks
    const spans = this.#project.labels.times.chunks(this.streamId)
    const before: number[] = []
    let total = 0
    for (const span of spans) {
      before.push(total)
      total += span.n
    }
    return (this.#chunks = { spans, before })
  }
}
