import type * as TF from '@tensorflow/tfjs'
import type {
  EpochPoint,
  LayerSpec,
  SplitMetrics,
  TrainingSettings,
} from '../../src-preload/contract/index.js'
import { seededRandom } from '../seeded-random.js'
import { argmax, evaluate } from './evaluation.js'
import { buildTfModel, l2Terms, setWeights, weightsOf, type WeightTensor } from './tf-model.js'

type Tf = typeof TF

/** Everything the trainer needs, as plain arrays (they cross a process boundary). */
export interface TrainJob {
  layers: LayerSpec[]
  /** One window's shape: `[features]`, or `[time, channels]` for raw windows. */
  inputShape: number[]
  classNames: string[]
  /** windows × features, already normalized with the training split's mean and deviation. */
  x: Float32Array
  /** Class index (into classNames) per window. */
  y: Int32Array
  /** 0 training, 1 validation, 2 test, per window. */
  split: Uint8Array
  settings: TrainingSettings
  /**
   * `reconstruct`: an autoencoder (docs/anomaly.md). The output layer is linear with one unit
   * per feature, the loss the mean squared error of the reconstruction, `y` says which windows
   * are anomalous (1; the training split has none) and validation loss counts the normal ones.
   */
  objective?: 'classify' | 'reconstruct'
}

export interface TrainHooks {
  onBatch(epoch: number, batch: number, batches: number): void
  onEpoch(point: EpochPoint): void
  /** Checked after every batch: true stops training (the weights so far are kept). */
  cancelled(): boolean
}

export interface TrainResult {
  curves: EpochPoint[]
  /** The epoch whose weights were kept (the best validation loss, with early stopping). */
  bestEpoch: number
  cancelled: boolean
  classWeights: number[] | null
  weights: WeightTensor[]
  val: SplitMetrics | null
  test: SplitMetrics | null
  /** Class probabilities of the test windows, in window order (for the misclassified list). */
  testProbabilities: Float32Array
  /** `reconstruct`: every window's reconstruction error (mean squared, normalized units). */
  scores?: Float32Array
}

/** Class weights are used (with 'auto') when the largest class has this many times the smallest. */
const IMBALANCE = 1.5
const PREDICT_BATCH = 512

/**
 * Trains the model on the training split with Adam, checking the validation split after every
 * epoch: categorical cross-entropy weighted by class, plus L2 where asked; augmentation on the
 * training windows only; early stopping restores the best epoch. Every random choice (the
 * initial weights, the order of windows, dropout masks, augmentation) comes from the seed, and
 * the WebAssembly backend computes in one thread, so the same job gives the same weights.
 */
export async function trainModel(tf: Tf, job: TrainJob, hooks: TrainHooks): Promise<TrainResult> {
  if (job.objective === 'reconstruct') return trainAutoencoder(tf, job, hooks)
  const { settings, classNames, inputShape } = job
  const k = classNames.length
  const width = inputShape.reduce((a, b) => a * b, 1)
  const [trainIdx, valIdx, testIdx] = splitIndices(job.split)
  const classWeights = weightsFor(job.y, trainIdx, k, settings.classWeights)

  const model = buildTfModel(tf, job.layers, inputShape, k, settings.seed)
  const optimizer = tf.train.adam(settings.learningRate)
  const penalties = l2Terms(model, job.layers)
  const gather = gatherer(job.x, width)
  const valX = gather(valIdx)
  const random = seededRandom(settings.seed)
  const batches = Math.max(1, Math.ceil(trainIdx.length / settings.batchSize))
  const progress = new EpochTracker(tf, model, settings, hooks)
  const { curves } = progress
  let cancelled = false

  try {
    for (let epoch = 1; epoch <= settings.epochs && !cancelled; epoch++) {
      const started = performance.now()
      const order = shuffled(trainIdx, random)
      let lossSum = 0
      let correct = 0
      for (let b = 0; b < batches; b++) {
        const rows = order.slice(b * settings.batchSize, (b + 1) * settings.batchSize)
        const xb = gather(rows)
        augment(xb, rows.length, inputShape, settings.augmentation, random)
        const { loss, hits } = tf.tidy(() => {
          const x = tf.tensor(xb, [rows.length, ...inputShape])
          const labels = tf.tensor1d(
            Int32Array.from(rows, (r) => job.y[r] as number),
            'int32',
          )
          const yb = tf.oneHot(labels, k)
          const wb = tf.tensor1d(
            Float32Array.from(rows, (r) => classWeights?.[job.y[r] as number] ?? 1),
          )
          let predicted: TF.Tensor | null = null
          const cost = optimizer.minimize(() => {
            const p = model.apply(x, { training: true }) as TF.Tensor
            predicted = tf.keep(p)
            const ce = tf.neg(tf.sum(tf.mul(yb, tf.log(tf.clipByValue(p, 1e-7, 1))), 1))
            let total = tf.div(tf.sum(tf.mul(ce, wb)), tf.sum(wb)) as TF.Scalar
            for (const { kernel, l2 } of penalties) {
              total = tf.add(total, tf.mul(l2, tf.sum(tf.square(kernel.read())))) as TF.Scalar
            }
            return total
          }, true)
          const p = predicted as unknown as TF.Tensor
          const agree = tf.sum(tf.cast(tf.equal(tf.argMax(p, 1), labels), 'int32'))
          const result = {
            loss: (cost as TF.Scalar).dataSync()[0] as number,
            hits: agree.dataSync()[0] as number,
          }
          p.dispose()
          return result
        })
        lossSum += loss * rows.length
        correct += hits
        hooks.onBatch(epoch, b + 1, batches)
        if (hooks.cancelled()) {
          cancelled = true
          break
        }
        // Let the process read its messages (a cancel) between batches.
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
      const seen = cancelled ? 0 : trainIdx.length
      if (seen === 0) break
      const val = valIdx.length ? splitLoss(tf, model, valX, valIdx, job, inputShape) : null
      const point: EpochPoint = {
        epoch,
        loss: lossSum / seen,
        accuracy: correct / seen,
        valLoss: val?.loss ?? null,
        valAccuracy: val?.accuracy ?? null,
        seconds: (performance.now() - started) / 1000,
      }
      if (progress.ended(point)) break
    }
    progress.restoreBest()
    const probabilities = (rows: readonly number[]) =>
      predict(tf, model, gather(rows), rows.length, inputShape)
    const classOf = (rows: readonly number[]) => Int32Array.from(rows, (r) => job.y[r] as number)
    const testProbabilities = probabilities(testIdx)
    return {
      curves,
      bestEpoch: progress.bestEpoch,
      cancelled,
      classWeights,
      weights: weightsOf(model),
      val: valIdx.length ? evaluate(probabilities(valIdx), classOf(valIdx), classNames) : null,
      test: testIdx.length ? evaluate(testProbabilities, classOf(testIdx), classNames) : null,
      testProbabilities,
    }
  } finally {
    optimizer.dispose()
    model.dispose()
  }
}

/** Copies rows of row-major windows `width` wide into one array, in the order given. */
function gatherer(x: Float32Array, width: number) {
  return (rows: readonly number[]) => {
    const data = new Float32Array(rows.length * width)
    rows.forEach((row, i) => data.set(x.subarray(row * width, (row + 1) * width), i * width))
    return data
  }
}

/**
 * The epochs of a run as both training loops keep them: each point reported and kept, the
 * weights of the best (lowest validation loss, else training loss), early stopping after
 * `patience` epochs without a better one, and the best weights put back at the end.
 */
class EpochTracker {
  readonly curves: EpochPoint[] = []
  #best: { epoch: number; loss: number; weights: WeightTensor[] } | null = null

  constructor(
    readonly tf: Tf,
    readonly model: TF.Sequential,
    readonly settings: TrainingSettings,
    readonly hooks: TrainHooks,
  ) {}

  /** Keeps and reports an epoch's point; true when early stopping ends the run. */
  ended(point: EpochPoint): boolean {
    this.curves.push(point)
    this.hooks.onEpoch(point)
    const monitored = point.valLoss ?? point.loss
    if (!this.#best || monitored < this.#best.loss)
      this.#best = { epoch: point.epoch, loss: monitored, weights: weightsOf(this.model) }
    const { enabled, patience } = this.settings.earlyStopping
    return enabled && point.epoch - this.#best.epoch >= patience
  }

  /** With early stopping, the best epoch's weights go back into the model. */
  restoreBest(): void {
    if (this.#best && this.settings.earlyStopping.enabled)
      setWeights(this.tf, this.model, this.#best.weights)
  }

  /** The epoch whose weights the model keeps. */
  get bestEpoch(): number {
    return this.#best && this.settings.earlyStopping.enabled
      ? this.#best.epoch
      : (this.curves.at(-1)?.epoch ?? 0)
  }
}

/** The windows of each split (0 training, 1 validation, 2 test), in order. */
export function splitIndices(split: Uint8Array): [number[], number[], number[]] {
  const out: [number[], number[], number[]] = [[], [], []]
  split.forEach((s, i) => out[s as 0 | 1 | 2].push(i))
  return out
}

/** Inverse class frequency on the training split, normalized to a mean weight of 1 per window. */
function weightsFor(
  y: Int32Array,
  trainIdx: readonly number[],
  k: number,
  mode: TrainingSettings['classWeights'],
): number[] | null {
  if (mode === 'none' || trainIdx.length === 0) return null
  const counts = new Array<number>(k).fill(0)
  for (const i of trainIdx) counts[y[i] as number] = (counts[y[i] as number] as number) + 1
  const present = counts.filter((c) => c > 0)
  if (Math.max(...present) < IMBALANCE * Math.min(...present)) return null
  return counts.map((c) => (c === 0 ? 0 : trainIdx.length / (present.length * c)))
}

function shuffled(items: readonly number[], random: () => number): number[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j] as number, out[i] as number]
  }
  return out
}

/**
 * Noise (Gaussian, `noise` standard deviations), amplitude scaling (one factor per window) and,
 * for windows in time, a circular shift of up to `shift` of the window, in place.
 */
function augment(
  x: Float32Array,
  rows: number,
  inputShape: readonly number[],
  amounts: TrainingSettings['augmentation'],
  random: () => number,
): void {
  const { noise, scale, shift } = amounts
  if (noise === 0 && scale === 0 && shift === 0) return
  const width = x.length / Math.max(rows, 1)
  const [steps = width, channels = 1] = inputShape.length === 2 ? inputShape : [width, 1]
  const window = new Float32Array(width)
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * width, (r + 1) * width)
    const factor = scale > 0 ? 1 + (random() * 2 - 1) * scale : 1
    const by =
      inputShape.length === 2 && shift > 0 ? Math.round((random() * 2 - 1) * shift * steps) : 0
    window.set(row)
    for (let t = 0; t < steps; t++) {
      const from = (((t - by) % steps) + steps) % steps
      for (let c = 0; c < channels; c++) {
        let v = (window[from * channels + c] as number) * factor
        if (noise > 0) v += noise * gaussian(random)
        row[t * channels + c] = v
      }
    }
  }
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

function predict(
  tf: Tf,
  model: TF.Sequential,
  x: Float32Array,
  rows: number,
  inputShape: readonly number[],
): Float32Array {
  const width = inputShape.reduce((a, b) => a * b, 1)
  const k = (model.outputs[0]?.shape.at(-1) as number) ?? 0
  const out = new Float32Array(rows * k)
  for (let start = 0; start < rows; start += PREDICT_BATCH) {
    const n = Math.min(PREDICT_BATCH, rows - start)
    const p = tf.tidy(() => {
      const batch = tf.tensor(x.subarray(start * width, (start + n) * width), [n, ...inputShape])
      return (model.predict(batch) as TF.Tensor).dataSync() as Float32Array
    })
    out.set(p, start * k)
  }
  return out
}

function splitLoss(
  tf: Tf,
  model: TF.Sequential,
  x: Float32Array,
  rows: readonly number[],
  job: TrainJob,
  inputShape: readonly number[],
): { loss: number; accuracy: number } {
  const k = job.classNames.length
  const p = predict(tf, model, x, rows.length, inputShape)
  let loss = 0
  let correct = 0
  rows.forEach((row, i) => {
    const actual = job.y[row] as number
    loss -= Math.log(Math.max(p[i * k + actual] as number, 1e-7))
    if (argmax(p, i * k, k) === actual) correct++
  })
  return { loss: loss / rows.length, accuracy: correct / rows.length }
}

/**
 * An autoencoder (docs/anomaly.md): `layers` then a linear layer as wide as the input, trained
 * with Adam on the training split's windows (all normal) to reproduce them, the mean squared
 * error as the loss, checked on the normal validation windows after every epoch, early stopping
 * restoring the best. Its result's `scores` are every window's reconstruction error; `accuracy`
 * has no meaning here and is 0.
 */
async function trainAutoencoder(tf: Tf, job: TrainJob, hooks: TrainHooks): Promise<TrainResult> {
  const { settings, inputShape } = job
  const width = inputShape.reduce((a, b) => a * b, 1)
  const [trainIdx, valIdx] = splitIndices(job.split)
  const normalVal = valIdx.filter((row) => job.y[row] === 0)
  const model = buildTfModel(tf, job.layers, inputShape, width, settings.seed, 'linear')
  const optimizer = tf.train.adam(settings.learningRate)
  const penalties = l2Terms(model, job.layers)
  const gather = gatherer(job.x, width)
  const errors = (rows: readonly number[]) => {
    const x = gather(rows)
    const out = predict(tf, model, x, rows.length, inputShape)
    const scores = new Float32Array(rows.length)
    for (let i = 0; i < rows.length; i++) {
      let sum = 0
      for (let f = 0; f < width; f++) {
        const d = (out[i * width + f] as number) - (x[i * width + f] as number)
        sum += d * d
      }
      scores[i] = sum / width
    }
    return scores
  }
  const random = seededRandom(settings.seed)
  const batches = Math.max(1, Math.ceil(trainIdx.length / settings.batchSize))
  const progress = new EpochTracker(tf, model, settings, hooks)
  const { curves } = progress
  let cancelled = false
  try {
    for (let epoch = 1; epoch <= settings.epochs && !cancelled; epoch++) {
      const started = performance.now()
      const order = shuffled(trainIdx, random)
      let lossSum = 0
      for (let b = 0; b < batches; b++) {
        const rows = order.slice(b * settings.batchSize, (b + 1) * settings.batchSize)
        const clean = gather(rows)
        // The input may be augmented; the target is the window as it was.
        const noisy = Float32Array.from(clean)
        augment(noisy, rows.length, inputShape, settings.augmentation, random)
        const loss = tf.tidy(() => {
          const x = tf.tensor(noisy, [rows.length, ...inputShape])
          const target = tf.tensor(clean, [rows.length, width])
          const cost = optimizer.minimize(() => {
            const p = model.apply(x, { training: true }) as TF.Tensor
            let total = tf.mean(tf.square(tf.sub(p, target))) as TF.Scalar
            for (const { kernel, l2 } of penalties) {
              total = tf.add(total, tf.mul(l2, tf.sum(tf.square(kernel.read())))) as TF.Scalar
            }
            return total
          }, true)
          return (cost as TF.Scalar).dataSync()[0] as number
        })
        lossSum += loss * rows.length
        hooks.onBatch(epoch, b + 1, batches)
        if (hooks.cancelled()) {
          cancelled = true
          break
        }
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
      const seen = cancelled ? 0 : trainIdx.length
      if (seen === 0) break
      const valErrors = normalVal.length ? errors(normalVal) : null
      const valLoss = valErrors ? valErrors.reduce((a, b) => a + b, 0) / valErrors.length : null
      const point: EpochPoint = {
        epoch,
        loss: lossSum / seen,
        accuracy: 0,
        valLoss,
        valAccuracy: null,
        seconds: (performance.now() - started) / 1000,
      }
      if (progress.ended(point)) break
    }
    progress.restoreBest()
    const all = Array.from({ length: job.split.length }, (_, i) => i)
    return {
      curves,
      bestEpoch: progress.bestEpoch,
      cancelled,
      classWeights: null,
      weights: weightsOf(model),
      val: null,
      test: null,
      testProbabilities: new Float32Array(0),
      scores: errors(all),
    }
  } finally {
    optimizer.dispose()
    model.dispose()
  }
}
