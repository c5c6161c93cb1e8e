import { beforeAll, describe, expect, test } from 'vitest'
import type { LayerSpecInput } from '../../../src-preload/contract/index.js'
import { initEngine } from '../../../src-main/training/engine.js'
import { PRESETS } from '../../../src-main/training/models.js'
import { buildTfModel, setWeights } from '../../../src-main/training/tf-model.js'
import { floatForward, resolveLayers } from '../../../src-main/tflite/float-model.js'
import type { TfliteModel } from '../../../src-main/tflite/model.js'
import {
  activationParams,
  int32Biases,
  quantizeInput,
  quantizeModel,
  symmetricWeights,
} from '../../../src-main/tflite/quantize.js'
import { randomModel, windows } from './random-model.js'

describe('the quantization arithmetic, worked by hand', () => {
  test('activations: asymmetric over the range widened to 0, zero point rounded', () => {
    expect(activationParams({ min: -1, max: 3 })).toEqual({
      scale: Math.fround(4 / 255),
      zeroPoint: -64,
    })
    // A ReLU output: min 0 maps to -128.
    expect(activationParams({ min: 0, max: 6 })).toEqual({
      scale: Math.fround(6 / 255),
      zeroPoint: -128,
    })
    // All negative: the range reaches up to 0, which maps to 127.
    expect(activationParams({ min: -2, max: -1 })).toEqual({
      scale: Math.fround(2 / 255),
      zeroPoint: 127,
    })
    // Always 0: a unit range.
    expect(activationParams({ min: 0, max: 0 })).toEqual({
      scale: Math.fround(1 / 255),
      zeroPoint: -128,
    })
  })

  test('weights: symmetric per group, max |w| to ±127, halves away from zero', () => {
    const { quantized, scales } = symmetricWeights(Float32Array.of(1, -0.5, 0.25, 0), 2)
    expect(scales).toEqual([Math.fround(1 / 127), Math.fround(0.25 / 127)])
    expect(Array.from(quantized)).toEqual([127, -64, 127, 0])
    expect(symmetricWeights(Float32Array.of(0, 0), 1).scales).toEqual([1])
  })

  test('biases: int32 at input scale × weight scale', () => {
    const { quantized, scales } = int32Biases(Float32Array.of(0.5, -0.5), 0.1, [0.01, 0.02])
    expect(scales).toEqual([Math.fround(0.1 * 0.01), Math.fround(0.1 * 0.02)])
    expect(Array.from(quantized)).toEqual([500, -250])
  })

  test('inputs: x / scale rounded, plus the zero point, clamped to int8', () => {
    expect(
      Array.from(
        quantizeInput(Float32Array.of(1.25, -1.25, 0, -100, 1000), { scale: 0.5, zeroPoint: 3 }),
      ),
    ).toEqual([6, 0, 3, -128, 127])
  })
})

function opsOf(model: TfliteModel) {
  return model.operators.map((op) => model.operatorCodes[op.opcodeIndex]!.name)
}

describe('a quantized model', () => {
  test('dense preset: dropout vanishes, ReLU is fused, per-tensor weights, softmax at 1/256', () => {
    const float = randomModel(PRESETS.dense, [24], 3)
    const { model, input, output, calibrationWindows } = quantizeModel(float, windows(40, [24]))
    expect(calibrationWindows).toBe(40)
    expect(opsOf(model)).toEqual([
      'FULLY_CONNECTED',
      'FULLY_CONNECTED',
      'FULLY_CONNECTED',
      'SOFTMAX',
    ])
    expect(
      model.operators.map((op) => op.options.kind === 'fullyConnected' && op.options.activation),
    ).toEqual(['RELU', 'RELU', 'NONE', false])
    expect(input.shape).toEqual([1, 24])
    expect(output).toEqual({ scale: 1 / 256, zeroPoint: -128, shape: [1, 3] })
    expect(model.tensors[model.outputs[0]!]!.quantization).toEqual({
      scale: [1 / 256],
      zeroPoint: [-128],
      quantizedDimension: 0,
    })
    for (const op of model.operators.slice(0, 3)) {
      const [x, w, b] = op.inputs.map((i) => model.tensors[i]!)
      expect(w!.type).toBe('INT8')
      expect(w!.quantization!.scale).toHaveLength(1)
      expect(w!.quantization!.zeroPoint).toEqual([0])
      expect(b!.type).toBe('INT32')
      expect(b!.quantization!.scale).toEqual([
        Math.fround(x!.quantization!.scale[0]! * w!.quantization!.scale[0]!),
      ])
    }
  })

  test('conv1d preset: CONV_2D over [1, 1, T, C] with per-channel filters [out, 1, k, in]', () => {
    const float = randomModel(PRESETS.conv1d, [64, 3], 4)
    const { model, input } = quantizeModel(float, windows(30, [64, 3]))
    expect(input.shape).toEqual([1, 1, 64, 3])
    expect(opsOf(model)).toEqual([
      'CONV_2D',
      'MAX_POOL_2D',
      'CONV_2D',
      'MAX_POOL_2D',
      'AVERAGE_POOL_2D',
      'RESHAPE',
      'FULLY_CONNECTED',
      'FULLY_CONNECTED',
      'SOFTMAX',
    ])
    const conv = model.operators[0]!
    const filter = model.tensors[conv.inputs[1]!]!
    const bias = model.tensors[conv.inputs[2]!]!
    expect(filter.shape).toEqual([8, 1, 5, 3])
    expect(filter.quantization!.scale).toHaveLength(8)
    expect(filter.quantization!.quantizedDimension).toBe(0)
    expect(bias.quantization!.scale).toHaveLength(8)
    expect(bias.quantization!.quantizedDimension).toBe(0)
    // Filter element [f=2, 0, k=4, c=1] is TF.js's kernel[k=4, c=1, f=2] over channel 2's scale.
    const kernel = float.weights[0]!.values
    const q = new Int8Array(
      model.buffers[filter.buffer]!.buffer,
      model.buffers[filter.buffer]!.byteOffset,
    )
    expect(q[(2 * 5 + 4) * 3 + 1]).toBe(
      Math.round(kernel[(4 * 3 + 1) * 8 + 2]! / filter.quantization!.scale[2]!),
    )
    // The pools keep their input's quantization; the global average spans what is left of the
    // time axis (64 steps, conv 60, pool 15, conv 11, pool 2).
    const pool = model.operators[4]!
    expect(model.tensors[pool.inputs[0]!]!.quantization).toEqual(
      model.tensors[pool.outputs[0]!]!.quantization,
    )
    expect(pool.options).toMatchObject({
      kind: 'pool2d',
      filterWidth: 2,
      filterHeight: 1,
      padding: 'VALID',
    })
  })

  test('relu6 and linear layers fuse RELU6 and nothing', () => {
    const layers: LayerSpecInput[] = [
      { type: 'dense', units: 8, activation: 'relu6' },
      { type: 'dense', units: 8, activation: 'linear' },
    ]
    const { model } = quantizeModel(randomModel(layers, [6], 2), windows(20, [6]))
    expect(
      model.operators
        .slice(0, 2)
        .map((op) => op.options.kind === 'fullyConnected' && op.options.activation),
    ).toEqual(['RELU6', 'NONE'])
  })

  test('the input range covers the calibration windows with half as much again to spare', () => {
    const cal = windows(50, [10])
    const { input } = quantizeModel(randomModel(PRESETS.dense, [10], 2), cal)
    const max = Math.max(...cal.flatMap((w) => Array.from(w)))
    expect(input.scale * (127 - input.zeroPoint)).toBeGreaterThan(1.49 * max)
    expect(input.scale * (127 - input.zeroPoint)).toBeLessThan(1.52 * max)
  })

  test('tanh is refused, naming the layer', () => {
    const float = randomModel(
      [
        { type: 'dense', units: 4, activation: 'relu' },
        { type: 'dense', units: 4, activation: 'tanh' },
      ],
      [5],
      2,
    )
    expect(() => quantizeModel(float, windows(5, [5]))).toThrow(
      /Layer 2 \(dense\) uses tanh.*relu, relu6 or linear/,
    )
  })
})

describe('the float reference forward pass', () => {
  let tf: Awaited<ReturnType<typeof initEngine>>
  beforeAll(async () => {
    tf = await initEngine('wasm')
  })

  const cases: [string, LayerSpecInput[], number[]][] = [
    ['dense', PRESETS.dense, [20]],
    ['conv1d', PRESETS.conv1d, [80, 3]],
    [
      'avgPool1d, flatten, relu6, tanh',
      [
        { type: 'conv1d', filters: 4, kernelSize: 3, activation: 'relu6' },
        { type: 'avgPool1d', poolSize: 3 },
        { type: 'flatten' },
        { type: 'dense', units: 6, activation: 'tanh' },
      ],
      [30, 2],
    ],
  ]
  test.each(cases)('computes what TF.js computes (%s)', (_, layers, shape) => {
    const float = randomModel(layers, shape, 3, 7)
    const model = buildTfModel(tf, float.layers, shape, 3, 1)
    setWeights(tf, model, float.weights)
    const inputs = windows(16, shape, 5)
    const expected = tf.tidy(() => {
      const batch = tf.tensor(Float32Array.from(inputs.flatMap((w) => Array.from(w))), [
        inputs.length,
        ...shape,
      ])
      return (model.predict(batch) as ReturnType<typeof tf.tensor>).dataSync() as Float32Array
    })
    model.dispose()
    const resolved = resolveLayers(float)
    inputs.forEach((window, i) => {
      const ours = floatForward(resolved, window)
      ours.forEach((p, k) => expect(Math.abs(p - expected[i * 3 + k]!)).toBeLessThan(1e-5))
    })
  })
})
