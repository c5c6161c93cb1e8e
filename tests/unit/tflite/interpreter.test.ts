import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { PRESETS } from '../../../src-main/training/models.js'
import { createInterpreter } from '../../../src-main/tflite/interpreter.js'
import {
  type BuiltinOptions,
  type TfliteModel,
  type TfliteTensor,
} from '../../../src-main/tflite/model.js'
import { quantizeModel } from '../../../src-main/tflite/quantize.js'
import { readTflite } from '../../../src-main/tflite/reader.js'
import { BUILTIN } from '../../../src-main/tflite/schema.js'
import { randomModel, windows } from './random-model.js'
import { refusalOf } from './refusal.js'

const fixture = (name: string) =>
  readTflite(new Uint8Array(readFileSync(`tests/fixtures/tflite/${name}.tflite`)))

const q = (scale: number, zeroPoint = 0) => ({
  scale: [scale],
  zeroPoint: [zeroPoint],
  quantizedDimension: 0,
})
const tensor = (
  shape: number[],
  quantization: TfliteTensor['quantization'],
  buffer = 0,
  type: TfliteTensor['type'] = 'INT8',
): TfliteTensor => ({
  name: `t${shape.join('x')}`,
  shape,
  shapeSignature: null,
  type,
  buffer,
  quantization,
})

/** A model of one operator on tensors 0 (input) .. n, with the given constant buffers. */
function oneOperator(
  name: keyof typeof BUILTIN,
  tensors: TfliteTensor[],
  inputs: number[],
  output: number,
  options: BuiltinOptions,
  buffers: Uint8Array[] = [],
): TfliteModel {
  return {
    version: 3,
    description: '',
    operatorCodes: [
      {
        builtinCode: BUILTIN[name],
        name,
        deprecatedBuiltinCode: BUILTIN[name],
        version: 1,
        customCode: null,
      },
    ],
    tensors,
    inputs: [0],
    outputs: [output],
    operators: [{ opcodeIndex: 0, inputs, outputs: [output], options }],
    buffers: [new Uint8Array(0), ...buffers],
  }
}

describe('kernels, worked by hand', () => {
  // y = (1·x0 + 2·x1 + bias 3) × (0.5 × 1 / 1): input scale 0.5, weight scale 1, output scale 1.
  const fullyConnected = (activation: 'NONE' | 'RELU') =>
    createInterpreter(
      oneOperator(
        'FULLY_CONNECTED',
        [
          tensor([1, 2], q(0.5)),
          tensor([1, 2], q(1), 1),
          tensor([1], q(0.5), 2, 'INT32'),
          tensor([1, 1], q(1)),
        ],
        [0, 1, 2],
        3,
        { kind: 'fullyConnected', activation, keepNumDims: false, weightsFormat: 0 },
        [Uint8Array.of(1, 2), new Uint8Array(Int32Array.of(3).buffer)],
      ),
    )

  test('FULLY_CONNECTED: int32 sum, bias, scaled, halves up, clamped by the fused ReLU', () => {
    const fc = fullyConnected('NONE')
    const run = (x0: number, x1: number) => fc.run(Int8Array.of(x0, x1))[0]
    expect(run(1, 2)).toBe(4) // (1 + 4 + 3) / 2
    expect(run(2, 0)).toBe(3) // 2.5 up
    expect(run(-8, 0)).toBe(-2) // -2.5 up
    expect(run(100, 100)).toBe(127) // 151.5 saturates
    expect(fullyConnected('RELU').run(Int8Array.of(-8, 0))[0]).toBe(0)
  })

  const pool = (max: boolean) =>
    createInterpreter(
      oneOperator(
        max ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D',
        [tensor([1, 1, 4, 1], q(0.1)), tensor([1, 1, 1, 1], q(0.1))],
        [0],
        1,
        {
          kind: 'pool2d',
          padding: 'VALID',
          strideW: 4,
          strideH: 1,
          filterWidth: 4,
          filterHeight: 1,
          activation: 'NONE',
        },
      ),
    )

  test('AVERAGE_POOL_2D: the sum over the count, halves away from zero', () => {
    const average = pool(false)
    const run = (...values: number[]) => average.run(Int8Array.from(values))[0]
    expect(run(1, 2, 2, 2)).toBe(2) // 1.75
    expect(run(1, 1, 1, 2)).toBe(1) // 1.25
    expect(run(1, 1, 0, 0)).toBe(1) // 0.5
    expect(run(-1, -1, 0, 0)).toBe(-1) // -0.5
    expect(run(-1, -2, -2, -2)).toBe(-2) // -1.75
    expect(pool(true).run(Int8Array.of(-5, 7, 3, -128))[0]).toBe(7)
  })

  test('SOFTMAX: within one step of 1/256 of the real softmax', () => {
    const softmax = createInterpreter(
      oneOperator(
        'SOFTMAX',
        [tensor([1, 4], q(0.1, 3)), tensor([1, 4], q(1 / 256, -128))],
        [0],
        1,
        { kind: 'softmax', beta: 1 },
      ),
    )
    for (const row of [
      [0, 0, 0, 0],
      [127, -128, 0, 50],
      [10, 11, 12, 13],
      [-100, -100, -90, -128],
    ]) {
      const out = softmax.run(Int8Array.from(row))
      const exps = row.map((v) => Math.exp(0.1 * v))
      const sum = exps.reduce((a, b) => a + b, 0)
      exps.forEach((e, i) =>
        expect(Math.abs((out[i]! + 128) / 256 - e / sum)).toBeLessThanOrEqual(1 / 256),
      )
    }
  })
})

describe('rounding', () => {
  test('double rounding (TFLite Micro’s default build) differs from single on some inputs', () => {
    const model = fixture('hello_world_int8')
    const single = createInterpreter(model)
    const double = createInterpreter(model, { rounding: 'double' })
    let differ = 0
    for (let x = -128; x < 128; x++) {
      const a = single.run(Int8Array.of(x))[0]!
      const b = double.run(Int8Array.of(x))[0]!
      // One step per layer at most, grown by the layers after it.
      expect(Math.abs(a - b)).toBeLessThanOrEqual(4)
      if (a !== b) differ++
    }
    expect(differ).toBeGreaterThan(5)
    expect(differ).toBeLessThan(64)
  })
})

describe('what the interpreter refuses', () => {
  const refusal = (model: TfliteModel) => refusalOf(() => createInterpreter(model))

  test('a float model', () => {
    expect(refusal(fixture('hello_world_float'))).toMatch(
      /must be an int8 activation tensor; it is FLOAT32/,
    )
  })

  test('an operator it does not run', () => {
    const { model } = quantizeModel(randomModel(PRESETS.dense, [8], 2), windows(10, [8]))
    model.operatorCodes[0] = { ...model.operatorCodes[0]!, builtinCode: 28, name: 'TANH' }
    expect(refusal(model)).toMatch(/does not run TANH; it runs FULLY_CONNECTED, CONV_2D/)
  })

  test('a softmax output not at 1/256, -128', () => {
    const model = oneOperator(
      'SOFTMAX',
      [tensor([1, 4], q(0.1)), tensor([1, 4], q(1 / 128, 0))],
      [0],
      1,
      { kind: 'softmax', beta: 1 },
    )
    expect(refusal(model)).toMatch(/scale 1\/256 and zero point -128/)
  })

  test('an input of the wrong size', () => {
    const interpreter = createInterpreter(fixture('micro_speech_quantized'))
    expect(interpreter.input.elements).toBe(1960)
    expect(() => interpreter.run(new Int8Array(10))).toThrow(
      /takes 1960 int8 values; 10 were given/,
    )
  })
})
