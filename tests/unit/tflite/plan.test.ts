import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { PRESETS } from '../../../src-main/training/models.js'
import { ARENA_OVERHEAD, planModel } from '../../../src-main/tflite/plan.js'
import { quantizeModel } from '../../../src-main/tflite/quantize.js'
import { readTflite } from '../../../src-main/tflite/reader.js'
import { writeTflite } from '../../../src-main/tflite/writer.js'
import type { LayerSpecInput } from '../../../src-preload/contract/index.js'
import { randomModel, windows } from './random-model.js'

function planOf(layers: LayerSpecInput[], shape: number[], classes: number) {
  const bytes = writeTflite(
    quantizeModel(randomModel(layers, shape, classes), windows(4, shape)).model,
  )
  return { bytes, plan: planModel(readTflite(bytes)) }
}

test('the greedy planner reuses the space of tensors no longer alive, as worked by hand', () => {
  // input 64 → dense 32 → dense 64 → logits 16 → softmax 16, one operator each.
  const { bytes, plan } = planOf(
    [
      { type: 'dense', units: 32 },
      { type: 'dense', units: 64 },
    ],
    [64],
    16,
  )
  expect(
    plan.placements.map((p) => [p.name, p.size, p.offset, p.firstOperator, p.lastOperator]),
  ).toEqual([
    ['input', 64, 0, -1, 0],
    ['layer1_dense', 32, 64, 0, 1],
    ['layer2_dense', 64, 0, 1, 2],
    ['logits', 16, 64, 2, 3],
    ['output', 16, 0, 3, 3],
  ])
  expect(plan.activationBytes).toBe(96)
  expect(plan.lowerBoundBytes).toBe(96) // input + dense 32, or dense 32 + dense 64
  const tensors = readTflite(bytes).tensors.length
  expect(plan.overheadBytes).toBe(
    ARENA_OVERHEAD.fixedBytes +
      tensors * ARENA_OVERHEAD.perTensorBytes +
      4 * ARENA_OVERHEAD.perOperatorBytes,
  )
  expect(plan.arenaBytes).toBe(96 + plan.overheadBytes)
  expect(plan.flashBytes).toBe(bytes.length)
  expect(plan.macs).toBe(64 * 32 + 32 * 64 + 64 * 16)
  const nano = plan.boards.find((b) => b.id === 'nano33ble')!
  expect(nano).toMatchObject({ clockHz: 64e6, cyclesPerMac: 4, fits: true })
  expect(nano.estimatedLatencyMs).toBeCloseTo(((5120 * 4 + 4 * 2000) / 64e6) * 1000, 9)
})

test('the conv1d preset: MACs of both convolutions and the dense layers; the arena at its bound', () => {
  const { plan } = planOf(PRESETS.conv1d, [64, 3], 3)
  // 64 steps: conv 60 × 8 × (5 × 3), pool 15, conv 11 × 16 × (5 × 8), pool 2, dense 16 × 16, out 3 × 16.
  expect(plan.macs).toBe(60 * 8 * 15 + 11 * 16 * 40 + 16 * 16 + 3 * 16)
  expect(plan.activationBytes).toBeGreaterThanOrEqual(plan.lowerBoundBytes)
  // The input (192) and the first convolution's output (480) are alive together.
  expect(plan.lowerBoundBytes).toBe(192 + 480)
})

test('a model too large for a 32 KB part fits the boards with more memory', () => {
  const { plan } = planOf([{ type: 'dense', units: 128 }], [2000], 2)
  expect(plan.flashBytes).toBeGreaterThan(256_000)
  expect(Object.fromEntries(plan.boards.map((b) => [b.id, b.fits]))).toEqual({
    nano33ble: true,
    esp32: true,
    pico: true,
    samd21: false,
  })
})

test('a converter-made model is planned the same way (micro_speech)', () => {
  const plan = planModel(
    readTflite(new Uint8Array(readFileSync('tests/fixtures/tflite/micro_speech_quantized.tflite'))),
  )
  // The depthwise output (4000 bytes) beside its input (1960, aligned 1968).
  expect(plan.lowerBoundBytes).toBe(4000 + 1968)
  expect(plan.activationBytes).toBe(plan.lowerBoundBytes)
  expect(plan.macs).toBe(25 * 20 * 8 * 10 * 8 + 4 * 4000)
})
