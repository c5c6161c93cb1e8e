import { readFileSync } from 'node:fs'
import { Builder } from 'flatbuffers'
import { describe, expect, test } from 'vitest'
import { PRESETS } from '../../../src-main/training/models.js'
import type { TfliteModel } from '../../../src-main/tflite/model.js'
import { quantizeModel } from '../../../src-main/tflite/quantize.js'
import { readTflite } from '../../../src-main/tflite/reader.js'
import { writeTflite } from '../../../src-main/tflite/writer.js'
import { randomModel, windows } from './random-model.js'
import { refusalOf } from './refusal.js'

const fixture = (name: string) =>
  new Uint8Array(readFileSync(`tests/fixtures/tflite/${name}.tflite`))

function exportOf(preset: 'dense' | 'conv1d'): TfliteModel {
  const shape = preset === 'dense' ? [24] : [64, 3]
  return quantizeModel(randomModel(PRESETS[preset], shape, 3), windows(50, shape)).model
}

describe('the writer', () => {
  test.each(['dense', 'conv1d'] as const)(
    'writes what the reader reads back exactly (%s)',
    (preset) => {
      const model = exportOf(preset)
      const { sizeBytes, subgraphCount, ...read } = readTflite(writeTflite(model))
      expect(read).toEqual(model)
      expect(subgraphCount).toBe(1)
      expect(sizeBytes).toBeGreaterThan(1000)
    },
  )

  test('lays the file out as the runtimes want it', () => {
    const model = exportOf('conv1d')
    const bytes = writeTflite(model)
    const read = readTflite(bytes)
    expect(new TextDecoder().decode(bytes.subarray(4, 8))).toBe('TFL3')
    expect(read.version).toBe(3)
    expect(read.buffers[0]!.length).toBe(0)
    // Constant data starts on 16 bytes in the file (the buffers are views into `bytes`).
    for (const data of read.buffers.slice(1)) {
      expect(data.length).toBeGreaterThan(0)
      expect(data.byteOffset % 16).toBe(0)
    }
    expect(read.operatorCodes.map((c) => [c.name, c.builtinCode, c.deprecatedBuiltinCode])).toEqual(
      [
        ['CONV_2D', 3, 3],
        ['MAX_POOL_2D', 17, 17],
        ['AVERAGE_POOL_2D', 1, 1],
        ['RESHAPE', 22, 22],
        ['FULLY_CONNECTED', 9, 9],
        ['SOFTMAX', 25, 25],
      ],
    )
    for (const t of read.tensors) {
      expect(t.shapeSignature).toBeNull()
      if (t.buffer === 0) expect(t.shape[0]).toBe(1) // static shapes, batch 1
    }
  })

  test('keeps codes above 127 in the 32-bit field, with the placeholder in the 8-bit one', () => {
    const model = exportOf('dense')
    model.operatorCodes[0] = { ...model.operatorCodes[0]!, builtinCode: 150, name: 'GELU' }
    const code = readTflite(writeTflite(model)).operatorCodes[0]!
    expect(code).toMatchObject({ builtinCode: 150, name: 'GELU', deprecatedBuiltinCode: 127 })
  })
})

describe('the reader, on files from TensorFlow’s converter', () => {
  test('hello_world_int8: three fully connected layers, int8 with a dynamic batch', () => {
    const model = readTflite(fixture('hello_world_int8'))
    expect(model.sizeBytes).toBe(2704)
    expect(model.operatorCodes).toEqual([
      {
        builtinCode: 9,
        name: 'FULLY_CONNECTED',
        deprecatedBuiltinCode: 9,
        version: 4,
        customCode: null,
      },
    ])
    expect(model.operators.map((op) => op.options)).toEqual(
      ['RELU', 'RELU', 'NONE'].map((activation) => ({
        kind: 'fullyConnected',
        activation,
        keepNumDims: false,
        weightsFormat: 0,
      })),
    )
    const input = model.tensors[model.inputs[0]!]!
    expect(input).toMatchObject({
      name: 'serving_default_dense_input:0',
      type: 'INT8',
      shape: [1, 1],
    })
    expect(input.shapeSignature).toEqual([-1, 1])
    expect(input.quantization).toEqual({
      scale: [Math.fround(0.024480115622282028)],
      zeroPoint: [-128],
      quantizedDimension: 0,
    })
    expect(model.tensors.filter((t) => t.type === 'INT32').map((t) => t.shape)).toEqual([
      [1],
      [16],
      [16],
    ])
  })

  test('micro_speech: depthwise convolution with per-channel weights, reshape and softmax', () => {
    const model = readTflite(fixture('micro_speech_quantized'))
    expect(model.operatorCodes.map((c) => c.name)).toEqual([
      'DEPTHWISE_CONV_2D',
      'FULLY_CONNECTED',
      'RESHAPE',
      'SOFTMAX',
    ])
    const depthwise = model.operators.find((op) => op.options.kind === 'depthwiseConv2d')!
    expect(depthwise.options).toEqual({
      kind: 'depthwiseConv2d',
      padding: 'SAME',
      strideW: 2,
      strideH: 2,
      depthMultiplier: 8,
      dilationW: 1,
      dilationH: 1,
      activation: 'RELU',
    })
    const filter = model.tensors[depthwise.inputs[1]!]!
    expect(filter).toMatchObject({ name: 'first_weights/read', type: 'INT8', shape: [1, 10, 8, 8] })
    expect(filter.quantization?.scale).toHaveLength(8)
    expect(filter.quantization?.quantizedDimension).toBe(3)
    expect(model.buffers[filter.buffer]!.length).toBe(640)
    const output = model.tensors[model.outputs[0]!]!
    expect(output).toMatchObject({ name: 'labels_softmax', shape: [1, 4] })
    expect(output.quantization).toEqual({
      scale: [1 / 256],
      zeroPoint: [-128],
      quantizedDimension: 0,
    })
    expect(model.operators.find((op) => op.options.kind === 'reshape')?.options).toEqual({
      kind: 'reshape',
      newShape: [-1, 49, 40, 1],
    })
  })

  test('hello_world_float: float32 tensors, no quantization', () => {
    const model = readTflite(fixture('hello_world_float'))
    expect(new Set(model.tensors.map((t) => t.type))).toEqual(new Set(['FLOAT32']))
    expect(model.tensors.every((t) => t.quantization === null)).toBe(true)
  })
})

describe('the reader refuses a bad file with a TfliteError that says why', () => {
  const good = writeTflite(exportOf('dense'))
  const refused = (bytes: Uint8Array) => refusalOf(() => readTflite(bytes))

  test('not a model, or too short', () => {
    expect(refused(new TextEncoder().encode('{"layers": []}\n'))).toMatch(
      /not a TFLite model.*"yers"/,
    )
    expect(refused(new Uint8Array(5))).toMatch(/too short/)
  })

  test('truncated anywhere', () => {
    for (const length of [9, 100, good.length >> 1, good.length - 1]) {
      expect(refused(good.slice(0, length))).toMatch(/corrupt/)
    }
  })

  test('a root offset outside the file', () => {
    const bad = good.slice()
    new DataView(bad.buffer).setUint32(0, 0xfffffff0, true)
    expect(refused(bad)).toMatch(/outside the file/)
  })

  test('a vector longer than the file', () => {
    const bad = good.slice()
    const name = new TextEncoder().encode('TinyLoop int8 classifier')
    const at = Buffer.from(bad).indexOf(Buffer.from(name))
    new DataView(bad.buffer).setUint32(at - 4, 0x7fffffff, true)
    expect(refused(bad)).toMatch(/more than the file holds/)
  })

  test('many operators sharing one long input list (work beyond the file’s size)', () => {
    const started = performance.now()
    expect(refused(sharedOperators(20_000))).toMatch(/more data than the file holds/)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  test('a tensor type or an operator TFLite does not define', () => {
    expect(refused(rawModel({ tensorType: 42 }))).toMatch(/type 42/)
    expect(refused(rawModel({ operatorCode: 210 }))).toMatch(/operator code 210/)
  })
})

/** A minimal model built field by field: one tensor, one operator code, `operators`. */
function rawModel(
  opts: { tensorType?: number; operatorCode?: number },
  b = new Builder(256),
  operators = 0,
): Uint8Array {
  b.startObject(4)
  b.addFieldInt32(3, opts.operatorCode ?? 9, null)
  const code = b.endObject()
  const name = b.createString('t')
  b.startObject(4)
  b.addFieldInt8(1, opts.tensorType ?? 9, null)
  b.addFieldOffset(3, name, 0)
  const tensor = b.endObject()
  const tensors = b.createVector4([tensor])
  b.startObject(5)
  b.addFieldOffset(0, tensors, 0)
  if (operators) b.addFieldOffset(3, operators, 0)
  const subgraph = b.endObject()
  return finishModel(b, [code], [subgraph])
}

/** `count` operators, all one table whose input list is as long as `count`. */
function sharedOperators(count: number): Uint8Array {
  const b = new Builder(count * 8 + 256)
  const inputs = b.createVector4(new Array<number>(count).fill(0), true)
  b.startObject(13)
  b.addFieldOffset(1, inputs, 0)
  const op = b.endObject()
  b.startVector(4, count, 4)
  for (let i = 0; i < count; i++) b.addOffset(op)
  return rawModel({}, b, b.endVector())
}

/** The model table around them, with the empty buffer 0. */
function finishModel(b: Builder, codes: number[], subgraphs: number[]): Uint8Array {
  b.startObject(3)
  const buffers = b.createVector4([b.endObject()])
  const codesVector = b.createVector4(codes)
  const subgraphsVector = b.createVector4(subgraphs)
  b.startObject(8)
  b.addFieldInt32(0, 3, null)
  b.addFieldOffset(1, codesVector, 0)
  b.addFieldOffset(2, subgraphsVector, 0)
  b.addFieldOffset(4, buffers, 0)
  b.finish(b.endObject(), 'TFL3')
  return b.asUint8Array().slice()
}

declare module 'flatbuffers' {
  interface Builder {
    createVector4(values: number[], scalars?: boolean): number
  }
}
Builder.prototype.createVector4 = function (this: Builder, values: number[], scalars = false) {
  this.startVector(4, values.length, 4)
  for (let i = values.length - 1; i >= 0; i--) {
    if (scalars) this.addInt32(values[i]!)
    else this.addOffset(values[i]!)
  }
  return this.endVector()
}
