import type { LiveFrame } from '../../../src-preload/contract/index'

/**
 * The last seconds of a live recording as min/max buckets, in the columnar layout uPlot draws:
 * `[x, max1, min1, max2, min2, ...]`, x in seconds of sample time. A fixed-size ring, so memory
 * stays bounded however long the recording runs.
 */
export class LiveBuffer {
  readonly capacity: number
  #channels = 0
  #x: Float64Array
  #max: Float64Array[] = []
  #min: Float64Array[] = []
  #start = 0
  #length = 0

  constructor(capacity = 2400) {
    this.capacity = capacity
    this.#x = new Float64Array(capacity)
  }

  get length(): number {
    return this.#length
  }

  /** The newest bucket's time, s (0 when empty). */
  get lastX(): number {
    return this.#length === 0
      ? 0
      : (this.#x[(this.#start + this.#length - 1) % this.capacity] as number)
  }

  /** Adds a frame's buckets; a change of channel count starts over. */
  add(frame: LiveFrame, rateHz: number): void {
    if (frame.channels !== this.#channels) this.#reset(frame.channels)
    const buckets = frame.min.length / frame.channels
    for (let b = 0; b < buckets; b++) {
      const at = (this.#start + this.#length) % this.capacity
      this.#x[at] = (frame.firstSample + (b + 0.5) * frame.bucketSamples) / rateHz
      for (let c = 0; c < frame.channels; c++) {
        ;(this.#max[c] as Float64Array)[at] = frame.max[b * frame.channels + c] as number
        ;(this.#min[c] as Float64Array)[at] = frame.min[b * frame.channels + c] as number
      }
      if (this.#length < this.capacity) this.#length++
      else this.#start = (this.#start + 1) % this.capacity
    }
  }

  /** The buckets in time order, columnar, for uPlot's setData. */
  columns(): number[][] {
    const order = (ring: Float64Array) => {
      const out = new Array<number>(this.#length)
      for (let i = 0; i < this.#length; i++)
        out[i] = ring[(this.#start + i) % this.capacity] as number
      return out
    }
    const columns = [order(this.#x)]
    for (let c = 0; c < this.#channels; c++) {
      columns.push(order(this.#max[c] as Float64Array), order(this.#min[c] as Float64Array))
    }
    return columns
  }

  clear(): void {
    this.#reset(this.#channels)
  }

  #reset(channels: number): void {
    this.#channels = channels
    this.#max = Array.from({ length: channels }, () => new Float64Array(this.capacity))
    this.#min = Array.from({ length: channels }, () => new Float64Array(this.capacity))
    this.#start = 0
    this.#length = 0
  }
}
