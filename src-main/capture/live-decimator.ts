/** Min/max buckets per second the live view gets: plenty for a plot of the last seconds. */
const BUCKETS_PER_SECOND = 200
const MAX_PENDING_BUCKETS = 4096

/** New min/max buckets since the last frame, bucket x channel interleaved. */
export interface LiveFrame {
  channels: number
  /** Samples per bucket. */
  bucketSamples: number
  /** Index of the first sample of the first bucket, counted from the start of the recording. */
  firstSample: number
  min: number[]
  max: number[]
}

/**
 * Thins the samples of a live recording to min/max buckets for the live plot, so the UI gets a
 * few hundred points per second whatever the device's rate, and never every sample.
 */
export class LiveDecimator {
  #bucketSamples = 1
  #channels = 0
  #sampleIndex = 0
  #inBucket = 0
  #bucketMin: number[] = []
  #bucketMax: number[] = []
  #firstSample = 0
  #min: number[] = []
  #max: number[] = []

  setRate(hz: number): void {
    this.#bucketSamples = Math.max(1, Math.round(hz / BUCKETS_PER_SECOND))
  }

  add(values: Float32Array, channels: number, _now: number): void {
    if (channels !== this.#channels) {
      this.#channels = channels
      this.#bucketMin = new Array<number>(channels).fill(Infinity)
      this.#bucketMax = new Array<number>(channels).fill(-Infinity)
      this.#inBucket = 0
    }
    const samples = values.length / channels
    for (let i = 0; i < samples; i++) {
      for (let c = 0; c < channels; c++) {
        const v = values[i * channels + c] as number
        if (v < (this.#bucketMin[c] as number)) this.#bucketMin[c] = v
        if (v > (this.#bucketMax[c] as number)) this.#bucketMax[c] = v
      }
      this.#sampleIndex++
      if (++this.#inBucket >= this.#bucketSamples) this.#closeBucket()
    }
  }

  /** The buckets completed since the last call, or null if none. */
  take(): LiveFrame | null {
    if (this.#min.length === 0) return null
    const frame: LiveFrame = {
      channels: this.#channels,
      bucketSamples: this.#bucketSamples,
      firstSample: this.#firstSample,
      min: this.#min,
      max: this.#max,
    }
    this.#min = []
    this.#max = []
    this.#firstSample = this.#sampleIndex - this.#inBucket
    return frame
  }

  #closeBucket(): void {
    if (this.#min.length === 0) this.#firstSample = this.#sampleIndex - this.#inBucket
    for (let c = 0; c < this.#channels; c++) {
      this.#min.push(this.#bucketMin[c] as number)
      this.#max.push(this.#bucketMax[c] as number)
      this.#bucketMin[c] = Infinity
      this.#bucketMax[c] = -Infinity
    }
    this.#inBucket = 0
    // Nobody is reading: keep only the newest buckets (trimmed in bulk, not one at a time).
    if (this.#min.length > 2 * MAX_PENDING_BUCKETS * this.#channels) {
      const excess = this.#min.length - MAX_PENDING_BUCKETS * this.#channels
      this.#min.splice(0, excess)
      this.#max.splice(0, excess)
      this.#firstSample += (excess / this.#channels) * this.#bucketSamples
    }
  }
}
