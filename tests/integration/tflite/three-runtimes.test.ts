import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { seededRandom } from '../../../src-main/seeded-random.js'
import {
  exportTflite,
  quantizeInput,
  readTflite,
  writeTflite,
} from '../../../src-main/tflite/index.js'
import { armNn, joined, liteRt, ours } from './runtimes.js'
import { evaluateOnTest, trainPresets, type TrainedRun } from './trained-runs.js'

// Every preset's exported model, and the converter-made int8 fixtures, run in our interpreter,
// in LiteRT.js (WebAssembly, XNNPACK) and in Arm NN (CpuRef): the int8 output bytes must be the
// same in all three, window for window.

let runs: TrainedRun[]
beforeAll(async () => {
  runs = await trainPresets({ minutes: 4, epochs: 8 })
}, 60_000)

describe.each(['dense', 'conv1d'] as const)(
  'the %s preset, trained on the demo machine',
  (preset) => {
    it('gives identical int8 outputs in our interpreter, LiteRT.js and Arm NN on every window', async () => {
      const run = runs.find((r) => r.preset === preset)!
      const exported = exportTflite(run.stored)
      const inputs = run.windows.map((w) => quantizeInput(w, exported.input))
      expect(inputs.length).toBeGreaterThanOrEqual(400)
      const reference = joined(ours(exported.bytes, inputs))
      expect(joined(await liteRt(exported.bytes, inputs)).equals(reference)).toBe(true)
      expect(joined(await armNn(exported.bytes, inputs)).equals(reference)).toBe(true)
      // The bytes carry a working classifier, not a constant: the test windows come out right.
      const evaluation = evaluateOnTest(run, exported.bytes)
      expect(evaluation.int8Accuracy).toBeGreaterThan(0.9)
      expect(evaluation.agreement).toBeGreaterThan(0.95)
    })
  },
)

describe.each(['hello_world_int8', 'micro_speech_quantized'])('the converter-made %s', (name) => {
  it('gives identical int8 outputs in the three runtimes on 300 inputs', async () => {
    const bytes = new Uint8Array(readFileSync(`tests/fixtures/tflite/${name}.tflite`))
    const model = readTflite(bytes)
    const input = model.tensors[model.inputs[0]!]!
    const size = input.shape.reduce((a, b) => a * b, 1)
    const random = seededRandom(11)
    const inputs = Array.from({ length: 300 }, () =>
      Int8Array.from({ length: size }, () => Math.floor(random() * 256) - 128),
    )
    // The converter may leave the batch open (hello_world's shape signature is [-1, 1]), which
    // LiteRT.js refuses: it runs the same model with the batch fixed at 1, by our writer.
    const staticBatch = writeTflite({
      ...model,
      tensors: model.tensors.map((t) => ({ ...t, shapeSignature: null })),
    })
    const reference = joined(ours(bytes, inputs))
    expect(joined(await liteRt(staticBatch, inputs)).equals(reference)).toBe(true)
    expect(joined(await armNn(bytes, inputs)).equals(reference)).toBe(true)
  })
})
