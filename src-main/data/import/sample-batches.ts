import type { SampleChunk } from '../../store/index.js'
import { ImportError } from './import-error.js'
import { CHUNK_SAMPLES, MAX_DECODED_BYTES } from './limits.js'

interface Batch {
  data: Float32Array
  times: Float64Array | null
}

/**
 * The decoded samples of one file, gathered in chunk-sized typed arrays until the file has been
 * read whole and can be written in one transaction. Bounded by MAX_DECODED_BYTES.
 */
export class SampleBatches {
  readonly #file: string
  readonly #channelCount: number
  readonly #timed: boolean
  readonly #batches: Batch[] = []
  #current: Batch | null = null
  #fill = 0

  constructor(file: string, channelCount: number, timed: boolean) {
    this.#file = file
    this.#channelCount = channelCount
    this.#timed = timed
  }

  get samples(): number {
    return Math.max(0, this.#batches.length - 1) * CHUNK_SAMPLES + this.#fill
  }

  /** Appends one sample: `values` has one number per channel; `time` is in the file's unit. */
  add(values: ArrayLike<number>, time = 0): void {
    if (!this.#current || this.#fill === CHUNK_SAMPLES) this.#current = this.#newBatch()
    const { data, times } = this.#current
    const channelCount = this.#channelCount
    const offset = this.#fill * channelCount
    for (let channel = 0; channel < channelCount; channel++) {
      data[offset + channel] = values[channel] as number
    }
    if (times) times[this.#fill] = time
    this.#fill++
  }

  /** The times as read, chunk by chunk (for timed files). */
  *rawTimes(): Generator<Float64Array> {
    for (const [i, batch] of this.#batches.entries()) {
      if (batch.times) yield batch.times.subarray(0, this.#lengthOf(i))
    }
  }

  /** Chunks at a nominal rate, the first sample at 0 µs. */
  uniformChunks(rateHz: number): SampleChunk[] {
    const dtUs = 1e6 / rateHz
    return this.#batches.map((batch, i) => ({
      t0Us: i * CHUNK_SAMPLES * dtUs,
      dtUs,
      data: this.#dataOf(i),
    }))
  }

  /** Chunks with explicit times, each converted from the file's time by `toUs`. */
  timedChunks(toUs: (time: number) => number): SampleChunk[] {
    return this.#batches.map((batch, i) => ({
      timestampsUs: Float64Array.from(
        (batch.times as Float64Array).subarray(0, this.#lengthOf(i)),
        toUs,
      ),
      data: this.#dataOf(i),
    }))
  }

  #lengthOf(batchIndex: number): number {
    return batchIndex === this.#batches.length - 1 ? this.#fill : CHUNK_SAMPLES
  }

  #dataOf(batchIndex: number): Float32Array {
    const batch = this.#batches[batchIndex] as Batch
    return batch.data.subarray(0, this.#lengthOf(batchIndex) * this.#channelCount)
  }

  #newBatch(): Batch {
    const bytesPerSample = 4 * this.#channelCount + (this.#timed ? 8 : 0)
    if ((this.#batches.length + 1) * CHUNK_SAMPLES * bytesPerSample > MAX_DECODED_BYTES) {
      throw new ImportError(
        this.#file,
        `holds more samples than TinyLoop imports from one file ` +
          `(${MAX_DECODED_BYTES / 1024 ** 3} GiB once decoded). Split it into smaller files.`,
      )
    }
    const batch: Batch = {
      data: new Float32Array(CHUNK_SAMPLES * this.#channelCount),
      times: this.#timed ? new Float64Array(CHUNK_SAMPLES) : null,
    }
    this.#batches.push(batch)
    this.#fill = 0
    return batch
  }
}
