import type { LivePredictions, PredictionModelInfo } from '../../../src-preload/contract/index'

/** What the live view knows of the newest prediction. */
export interface LatestPrediction {
  t: number
  className: string | null
  classIndex: number | null
  probability: number | null
  latencyUs: number
  instructions: number
  modelCrc32: string
  /** An anomaly model's score; null for a classifier. */
  score: number | null
}

/**
 * The last predictions of a live recording, in the columnar layout uPlot draws: x in seconds on
 * the recording's axis (the live signal's), then each class's probability. Predictions of
 * another model than the newest one start it over (a flash mid-recording); a fixed-size ring, so
 * memory stays bounded however long the recording runs.
 */
export class PredictionBuffer {
  readonly capacity: number
  model: PredictionModelInfo | null = null
  total = 0
  #t: Float64Array
  #classIndex: Int32Array
  #latency: Float64Array
  #score: Float64Array
  #probabilities: Float64Array[] = []
  #start = 0
  #length = 0
  #latest: LatestPrediction | null = null

  constructor(capacity = 1200) {
    this.capacity = capacity
    this.#t = new Float64Array(capacity)
    this.#classIndex = new Int32Array(capacity)
    this.#latency = new Float64Array(capacity)
    this.#score = new Float64Array(capacity)
  }

  get length(): number {
    return this.#length
  }

  get latest(): LatestPrediction | null {
    return this.#latest
  }

  add(event: LivePredictions): void {
    this.total = event.total
    for (const p of event.predictions) {
      if (this.model?.modelCrc32 !== p.modelCrc32) {
        this.model = event.models.find((m) => m.modelCrc32 === p.modelCrc32) ?? {
          modelCrc32: p.modelCrc32,
          runId: null,
          classes: [],
          windowUs: null,
          outputScale: null,
          outputZeroPoint: null,
          threshold: null,
        }
        this.#reset(p.outputs.length)
      }
      const { outputScale, outputZeroPoint, classes } = this.model
      const at = (this.#start + this.#length) % this.capacity
      this.#t[at] = p.endUs / 1e6
      this.#classIndex[at] = p.classIndex ?? -1
      this.#latency[at] = p.latencyUs
      this.#score[at] = p.score ?? NaN
      this.#probabilities.forEach((column, c) => {
        column[at] =
          outputScale === null ? NaN : outputScale * ((p.outputs[c] ?? 0) - (outputZeroPoint ?? 0))
      })
      if (this.#length < this.capacity) this.#length++
      else this.#start = (this.#start + 1) % this.capacity
      this.#latest = {
        t: p.endUs / 1e6,
        classIndex: p.classIndex,
        className: p.classIndex === null ? null : (classes[p.classIndex] ?? null),
        probability: p.probability,
        latencyUs: p.latencyUs,
        instructions: p.instructions,
        modelCrc32: p.modelCrc32,
        score: p.score !== null && Number.isFinite(p.score) ? p.score : null,
      }
    }
  }

  /** `[t, p(class 0), p(class 1), …]` in time order. */
  columns(): number[][] {
    return [this.#order(this.#t), ...this.#probabilities.map((c) => this.#order(c))]
  }

  /** `[t, score]` in time order: an anomaly model's scores. */
  scoreColumns(): number[][] {
    return [this.#order(this.#t), this.#order(this.#score)]
  }

  /** The class picked per prediction, in time order (-1: unknown). */
  classes(): number[] {
    return this.#order(this.#classIndex)
  }

  /** The median latency, µs, of the predictions since `fromS` (null: none). */
  medianLatencyUs(fromS = -Infinity): number | null {
    const t = this.#order(this.#t)
    const latencies = this.#order(this.#latency)
      .filter((_, i) => (t[i] as number) >= fromS)
      .sort((a, b) => a - b)
    if (latencies.length === 0) return null
    const mid = latencies.length >> 1
    return latencies.length % 2 === 1
      ? (latencies[mid] as number)
      : ((latencies[mid - 1] as number) + (latencies[mid] as number)) / 2
  }

  #order(ring: ArrayLike<number>): number[] {
    const out = new Array<number>(this.#length)
    for (let i = 0; i < this.#length; i++)
      out[i] = ring[(this.#start + i) % this.capacity] as number
    return out
  }

  #reset(outputs: number): void {
    this.#probabilities = Array.from({ length: outputs }, () => new Float64Array(this.capacity))
    this.#start = 0
    this.#length = 0
  }
}
