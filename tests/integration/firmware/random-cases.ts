/**
 * Random int8 models for comparing the firmware's engine with the app's interpreter:
 * - `randomStackCase`: a random stack of the app's layers (dense, conv1d, pools, flatten,
 *   dropout; relu, relu6, linear) with random weights, quantized and written as an export is;
 * - `randomOperatorCase`: one operator with options no export uses (SAME padding, strides,
 *   dilations, depthwise multipliers, batches, every fused activation, per-tensor and
 *   per-channel weights, any zero point), written by our writer.
 * Each comes with random int8 inputs, extremes included.
 */
import type { LayerSpecInput } from '../../../src-preload/contract/index.js'
import { shapeModel } from '../../../src-main/training/models.js'
import { LayerSpec } from '../../../src-preload/contract/index.js'
import type {
  BuiltinOptions,
  FusedActivation,
  Quantization,
  TfliteModel,
  TfliteTensor,
} from '../../../src-main/tflite/model.js'
import { quantizeModel } from '../../../src-main/tflite/quantize.js'
import { BUILTIN } from '../../../src-main/tflite/schema.js'
import { writeTflite } from '../../../src-main/tflite/writer.js'
import { randomModel, windows } from '../../unit/tflite/random-model.js'

export interface ModelCase {
  /** What the case is, for a failure message. */
  name: string
  bytes: Uint8Array
  inputs: Int8Array[]
}

type Random = () => number
const int = (random: Random, min: number, max: number) =>
  min + Math.floor(random() * (max - min + 1))
const pick = <T>(random: Random, values: readonly T[]): T =>
  values[Math.floor(random() * values.length)] as T
const logUniform = (random: Random, min: number, max: number) =>
  Math.exp(Math.log(min) + random() * (Math.log(max) - Math.log(min)))

/** `count` int8 inputs of `size` values: uniform, plus one all -128 and one all 127. */
export function randomInputs(random: Random, size: number, count: number): Int8Array[] {
  const inputs = Array.from({ length: count }, () =>
    Int8Array.from({ length: size }, () => int(random, -128, 127)),
  )
  inputs.push(new Int8Array(size).fill(-128), new Int8Array(size).fill(127))
  return inputs
}

const ACTIVATIONS = ['relu', 'relu6', 'linear'] as const

function randomLayers(random: Random, inTime: boolean): LayerSpecInput[] {
  const layers: LayerSpecInput[] = []
  const activation = () => pick(random, ACTIVATIONS)
  if (inTime) {
    for (let n = int(random, 1, 3); n > 0; n--) {
      switch (int(random, 0, 3)) {
        case 0:
        case 1:
          layers.push({
            type: 'conv1d',
            filters: int(random, 1, 8),
            kernelSize: int(random, 1, 5),
            activation: activation(),
          })
          break
        case 2:
          layers.push({ type: 'maxPool1d', poolSize: int(random, 2, 4) })
          break
        default:
          layers.push({ type: 'avgPool1d', poolSize: int(random, 2, 4) })
      }
    }
    layers.push(pick(random, [{ type: 'globalAvgPool1d' }, { type: 'flatten' }] as const))
  }
  for (let n = int(random, inTime ? 0 : 1, 2); n > 0; n--) {
    layers.push({ type: 'dense', units: int(random, 1, 24), activation: activation() })
    if (random() < 0.3) layers.push({ type: 'dropout', rate: 0.1 })
  }
  return layers
}

/** A random stack of the app's layers, quantized on random calibration windows and written. */
export function randomStackCase(random: Random, seed: number): ModelCase | null {
  const inTime = random() < 0.6
  const inputShape = inTime ? [int(random, 8, 48), int(random, 1, 4)] : [int(random, 1, 40)]
  const layers = randomLayers(random, inTime)
  const classes = int(random, 2, 6)
  const parsed = layers.map((l) => LayerSpec.parse(l))
  if (shapeModel(parsed, inputShape, classes).problems.length > 0) return null
  const float = randomModel(layers, inputShape, classes, seed)
  const { model } = quantizeModel(float, windows(int(random, 2, 12), inputShape, seed + 1))
  const size = inputShape.reduce((a, b) => a * b, 1)
  return {
    name: `stack ${JSON.stringify(layers)} on [${inputShape.join(', ')}], seed ${seed}`,
    bytes: writeTflite(model),
    inputs: randomInputs(random, size, 6),
  }
}

const quant = (scale: number[], zeroPoint: number[], quantizedDimension = 0): Quantization => ({
  scale,
  zeroPoint,
  quantizedDimension,
})

function tensor(
  name: string,
  shape: number[],
  quantization: Quantization | null,
  buffer = 0,
  type: TfliteTensor['type'] = 'INT8',
): TfliteTensor {
  return { name, shape, shapeSignature: null, type, buffer, quantization }
}

const int8Bytes = (random: Random, n: number) =>
  new Uint8Array(Int8Array.from({ length: n }, () => int(random, -127, 127)).buffer)
const int32Bytes = (random: Random, n: number, limit: number) =>
  new Uint8Array(Int32Array.from({ length: n }, () => int(random, -limit, limit)).buffer)

/** An activation's random quantization: scale and an int8 zero point. */
const activationQuant = (random: Random, scale = logUniform(random, 0.004, 0.3)) =>
  quant([Math.fround(scale)], [int(random, -128, 127)])

const FUSED: FusedActivation[] = ['NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1']

/** TFLite's output size for a window (ComputeOutSize). */
function outSize(
  padding: 'SAME' | 'VALID',
  inSize: number,
  filter: number,
  stride: number,
  dilation: number,
) {
  const effective = (filter - 1) * dilation + 1
  return padding === 'SAME'
    ? Math.floor((inSize + stride - 1) / stride)
    : Math.floor((inSize - effective + stride) / stride)
}

interface OneOp {
  name: keyof typeof BUILTIN
  tensors: TfliteTensor[]
  inputs: number[]
  options: BuiltinOptions
  buffers: Uint8Array[]
}

/** Weights with one scale, or one per output channel along `dimension`, and an int32 bias. */
function weighted(
  random: Random,
  inScale: number,
  filterShape: number[],
  channels: number,
  dimension: number,
  depth: number,
) {
  const perChannel = random() < 0.6 && channels > 1
  const scales = Array.from({ length: perChannel ? channels : 1 }, () =>
    Math.fround(logUniform(random, 0.001, 0.05)),
  )
  const elements = filterShape.reduce((a, b) => a * b, 1)
  const filter = tensor(
    'filter',
    filterShape,
    quant(
      scales,
      scales.map(() => 0),
      perChannel ? dimension : 0,
    ),
    1,
  )
  const hasBias = random() < 0.8
  const bias = tensor(
    'bias',
    [channels],
    quant(
      Array.from({ length: channels }, (_, c) =>
        Math.fround(inScale * (scales[perChannel ? c : 0] as number)),
      ),
      Array.from({ length: channels }, () => 0),
    ),
    2,
    'INT32',
  )
  // An output scale that keeps most outputs off the clamp: about the accumulator's spread.
  const outScale =
    inScale * (scales[0] as number) * Math.sqrt(depth) * 40 * logUniform(random, 0.2, 5)
  return {
    filter,
    bias: hasBias ? bias : null,
    buffers: [
      int8Bytes(random, elements),
      ...(hasBias ? [int32Bytes(random, channels, 20000)] : []),
    ],
    outScale,
  }
}

function convolutionOp(random: Random, depthwise: boolean): OneOp | null {
  const batches = int(random, 1, 2)
  const inH = int(random, 1, 6)
  const inW = int(random, 1, 12)
  const inC = int(random, 1, 4)
  const multiplier = int(random, 1, 3)
  const outC = depthwise ? inC * multiplier : int(random, 1, 6)
  const fH = int(random, 1, 3)
  const fW = int(random, 1, 4)
  const padding = pick(random, ['SAME', 'VALID'] as const)
  const strideH = int(random, 1, 3)
  const strideW = int(random, 1, 3)
  const dilationH = int(random, 1, 2)
  const dilationW = int(random, 1, 2)
  const outH = outSize(padding, inH, fH, strideH, dilationH)
  const outW = outSize(padding, inW, fW, strideW, dilationW)
  if (outH < 1 || outW < 1) return null
  const input = activationQuant(random)
  const inScale = input.scale[0] as number
  const w = weighted(
    random,
    inScale,
    depthwise ? [1, fH, fW, outC] : [outC, fH, fW, inC],
    outC,
    depthwise ? 3 : 0,
    fH * fW * (depthwise ? 1 : inC),
  )
  const tensors = [
    tensor('input', [batches, inH, inW, inC], input),
    w.filter,
    ...(w.bias ? [w.bias] : []),
    tensor('output', [batches, outH, outW, outC], activationQuant(random, w.outScale)),
  ]
  const activation = pick(random, FUSED)
  const common = { padding, strideH, strideW, dilationH, dilationW, activation }
  return {
    name: depthwise ? 'DEPTHWISE_CONV_2D' : 'CONV_2D',
    tensors,
    inputs: [0, 1, w.bias ? 2 : -1],
    options: depthwise
      ? { kind: 'depthwiseConv2d', depthMultiplier: multiplier, ...common }
      : { kind: 'conv2d', ...common },
    buffers: w.buffers,
  }
}

function poolOp(random: Random, max: boolean): OneOp | null {
  const batches = int(random, 1, 2)
  const inH = int(random, 1, 6)
  const inW = int(random, 1, 16)
  const channels = int(random, 1, 4)
  const filterHeight = int(random, 1, 4)
  const filterWidth = int(random, 1, 4)
  const strideH = int(random, 1, 3)
  const strideW = int(random, 1, 3)
  const padding = pick(random, ['SAME', 'VALID'] as const)
  const outH = outSize(padding, inH, filterHeight, strideH, 1)
  const outW = outSize(padding, inW, filterWidth, strideW, 1)
  if (outH < 1 || outW < 1) return null
  const q = activationQuant(random)
  return {
    name: max ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D',
    tensors: [
      tensor('input', [batches, inH, inW, channels], q),
      tensor('output', [batches, outH, outW, channels], q),
    ],
    inputs: [0],
    options: {
      kind: 'pool2d',
      padding,
      strideH,
      strideW,
      filterHeight,
      filterWidth,
      activation: pick(random, FUSED),
    },
    buffers: [],
  }
}

function fullyConnectedOp(random: Random): OneOp {
  const batches = int(random, 1, 3)
  const depth = int(random, 1, 40)
  const outputs = int(random, 1, 20)
  const input = activationQuant(random)
  const w = weighted(random, input.scale[0] as number, [outputs, depth], outputs, 0, depth)
  return {
    name: 'FULLY_CONNECTED',
    tensors: [
      tensor('input', [batches, depth], input),
      w.filter,
      ...(w.bias ? [w.bias] : []),
      tensor('output', [batches, outputs], activationQuant(random, w.outScale)),
    ],
    inputs: [0, 1, w.bias ? 2 : -1],
    options: {
      kind: 'fullyConnected',
      activation: pick(random, FUSED),
      keepNumDims: false,
      weightsFormat: 0,
    },
    buffers: w.buffers,
  }
}

function softmaxOp(random: Random): OneOp {
  const rows = int(random, 1, 3)
  const depth = int(random, 1, 24)
  return {
    name: 'SOFTMAX',
    tensors: [
      tensor('input', [rows, depth], activationQuant(random, logUniform(random, 0.01, 0.5))),
      tensor('output', [rows, depth], quant([1 / 256], [-128])),
    ],
    inputs: [0],
    options: {
      kind: 'softmax',
      beta: random() < 0.5 ? 1 : Math.fround(logUniform(random, 0.1, 3)),
    },
    buffers: [],
  }
}

function reshapeOp(random: Random): OneOp {
  const a = int(random, 1, 6)
  const b = int(random, 1, 6)
  const q = activationQuant(random)
  return {
    name: 'RESHAPE',
    tensors: [tensor('input', [1, a, b], q), tensor('output', [1, a * b], q)],
    inputs: [0],
    options: { kind: 'reshape', newShape: [1, a * b] },
    buffers: [],
  }
}

/** One random operator as a model of its own; null when the drawn sizes do not fit. */
export function randomOperatorCase(random: Random, index: number): ModelCase | null {
  const kind = index % 7
  const op =
    kind === 0
      ? convolutionOp(random, false)
      : kind === 1
        ? convolutionOp(random, true)
        : kind === 2
          ? poolOp(random, true)
          : kind === 3
            ? poolOp(random, false)
            : kind === 4
              ? fullyConnectedOp(random)
              : kind === 5
                ? softmaxOp(random)
                : reshapeOp(random)
  if (!op) return null
  const output = op.tensors.length - 1
  const model: TfliteModel = {
    version: 3,
    description: '',
    operatorCodes: [
      {
        builtinCode: BUILTIN[op.name],
        name: op.name,
        deprecatedBuiltinCode: BUILTIN[op.name],
        version: 1,
        customCode: null,
      },
    ],
    tensors: op.tensors,
    inputs: [0],
    outputs: [output],
    operators: [{ opcodeIndex: 0, inputs: op.inputs, outputs: [output], options: op.options }],
    buffers: [new Uint8Array(0), ...op.buffers],
  }
  const size = (op.tensors[0] as TfliteTensor).shape.reduce((a, b) => a * b, 1)
  return {
    name: `${op.name} ${JSON.stringify({ shapes: op.tensors.map((t) => t.shape), options: op.options })}`,
    bytes: writeTflite(model),
    inputs: randomInputs(random, size, 4),
  }
}
