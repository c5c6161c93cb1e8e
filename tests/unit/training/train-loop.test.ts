import { beforeAll, expect, test } from 'vitest'
import { TrainingSettings } from '../../../src-preload/contract/index.js'
import { initEngine } from '../../../src-main/training/engine.js'
import { PRESETS } from '../../../src-main/training/models.js'
import { trainModel, type TrainJob } from '../../../src-main/training/train-loop.js'
import { seededRandom } from '../../../src-main/seeded-random.js'

// The training loop itself, in this process on the WebAssembly backend: what a run does between
// batches and epochs. (The trainer process around it is tested in tests/integration/training.)

let tf: Awaited<ReturnType<typeof initEngine>>
beforeAll(async () => {
  tf = await initEngine('wasm')
})

/** Three classes of noisy sine windows [T, C] (class k: frequency k+1), 60/20/20 by index. */
function sineJob(n: number, overrides: Partial<TrainingSettings> = {}, labelNoise = 0): TrainJob {
  const T = 32
  const C = 2
  const random = seededRandom(5)
  const x = new Float32Array(n * T * C)
  const y = new Int32Array(n)
  const split = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const k = i % 3
    y[i] = random() < labelNoise ? (k + 1) % 3 : k
    split[i] = i % 10 < 6 ? 0 : i % 10 < 8 ? 1 : 2
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) {
        x[(i * T + t) * C + c] = Math.sin(((k + 1) * t) / 3 + c) + 0.4 * (random() - 0.5)
      }
    }
  }
  return {
    layers: PRESETS.conv1d.map((l) => (l.type === 'maxPool1d' ? { ...l, poolSize: 2 } : l)),
    inputShape: [T, C],
    classNames: ['a', 'b', 'c'],
    x,
    y,
    split,
    settings: TrainingSettings.parse({ epochs: 4, batchSize: 16, ...overrides }),
  }
}

const quiet = { onBatch: () => {}, onEpoch: () => {}, cancelled: () => false }

test('cancel stops within one batch, and keeps what was learned so far', async () => {
  let batches = 0
  const result = await trainModel(tf, sineJob(300, { epochs: 50 }), {
    ...quiet,
    onBatch: () => batches++,
    cancelled: () => batches >= 3,
  })
  expect(batches).toBe(3)
  expect(result.cancelled).toBe(true)
  expect(result.curves).toEqual([])
  expect(result.weights.length).toBeGreaterThan(0)
})

test('the same job gives the same weights, bit for bit', async () => {
  const a = await trainModel(tf, sineJob(240), quiet)
  const b = await trainModel(tf, sineJob(240), quiet)
  expect(a.weights.map((w) => w.shape)).toEqual(b.weights.map((w) => w.shape))
  a.weights.forEach((w, i) =>
    expect(Buffer.from(w.values.buffer)).toEqual(Buffer.from(b.weights[i]!.values.buffer)),
  )
  const c = await trainModel(
    tf,
    { ...sineJob(240), settings: TrainingSettings.parse({ epochs: 4, batchSize: 16, seed: 2 }) },
    quiet,
  )
  expect(Buffer.from(c.weights[0]!.values.buffer)).not.toEqual(
    Buffer.from(a.weights[0]!.values.buffer),
  )
})

test('early stopping ends after `patience` epochs without a better validation loss, with the best weights', async () => {
  // Labels that contradict the signal a third of the time: the model soon memorizes the
  // training windows, and the validation loss turns up.
  const job = sineJob(
    240,
    { epochs: 80, learningRate: 0.01, earlyStopping: { enabled: true, patience: 3 } },
    0.35,
  )
  job.layers = [{ type: 'flatten' }, { type: 'dense', units: 64, activation: 'relu', l2: 0 }]
  const result = await trainModel(tf, job, quiet)
  const last = result.curves.at(-1)!
  expect(result.curves.length).toBeLessThan(80)
  expect(last.epoch - result.bestEpoch).toBe(3)
  const best = result.curves[result.bestEpoch - 1]!
  expect(Math.min(...result.curves.map((p) => p.valLoss!))).toBe(best.valLoss)
  // The kept weights are the best epoch's: the validation loss measured on them is its own.
  expect(result.val!.loss).toBeCloseTo(best.valLoss!, 4)
})

test('class weights are used when one class has 1.5 times the windows of another', async () => {
  const job = sineJob(300)
  const balanced = await trainModel(tf, job, quiet)
  expect(balanced.classWeights).toBeNull()
  const skewed = { ...job, y: job.y.map((v, i) => (v === 2 && i % 2 === 0 ? 0 : v)) }
  const weighted = await trainModel(tf, skewed, quiet)
  expect(weighted.classWeights).not.toBeNull()
  const [w0, , w2] = weighted.classWeights!
  expect(w2!).toBeGreaterThan(w0!)
})
