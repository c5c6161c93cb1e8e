import {
  expOnNegativeValues,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierGreaterThanOne,
  singleRoundingScaler,
  quantizeMultiplier,
  reciprocal,
  roundHalfAway,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
  saturatingRoundingMultiplyByPOT,
  type QuantizedMultiplier,
} from './fixed-point.js'
import {
  TfliteError,
  type BuiltinOptions,
  type FusedActivation,
  type Padding,
  type TfliteModel,
  type TfliteTensor,
} from './model.js'

/** The operators the interpreter runs, with int8 activations. */
export const INTERPRETER_OPERATORS = [
  'FULLY_CONNECTED',
  'CONV_2D',
  'DEPTHWISE_CONV_2D',
  'MAX_POOL_2D',
  'AVERAGE_POOL_2D',
  'RESHAPE',
  'SOFTMAX',
] as const

export interface Int8Interpreter {
  /** The input tensor: its shape, element count, scale and zero point. */
  readonly input: TensorInfo
  readonly output: TensorInfo
  /** Runs one inference on `input` (int8, `input.elements` of it); returns the output bytes. */
  run(input: Int8Array): Int8Array
}

export interface TensorInfo {
  name: string
  shape: number[]
  elements: number
  scale: number
  zeroPoint: number
}

type Kernel = () => void

/** Far above any microcontroller model: a file asking for more is refused, not allocated. */
const MAX_ACTIVATION_BYTES = 64 * 1024 * 1024

/**
 * How an int32 accumulator is scaled to the output (tflite::MultiplyByQuantizedMultiplier):
 * - `single` (the default): one rounding of the 64-bit product, as TFLite builds it with
 *   TFLITE_SINGLE_ROUNDING=1 (TFLite Micro's and CMSIS-NN's option of the same name; it also
 *   changes the softmax's input scaling, which follows it here). LiteRT.js
 *   (XNNPACK) and Arm NN requantize in float with one rounding, and give these same bytes
 *   (docs/tflite.md): firmware that runs our exports is built with TFLITE_SINGLE_ROUNDING=1.
 * - `double`: the doubling high multiply, then a rounding shift, TFLite Micro's default build;
 *   it rounds twice, and about one output in ten of a small model differs from the others by
 *   one step.
 */
export type Rounding = 'single' | 'double'

/** Scales an int32 accumulator by one channel's multiplier. */
type Scaler = (acc: number) => number
type ScalerFor = (m: QuantizedMultiplier) => Scaler

/**
 * An int8 reference interpreter for the model's operators, with TFLite's integer arithmetic as
 * its reference kernels (tensorflow/lite/kernels/internal/reference/integer_ops/) and TFLite
 * Micro compute it: int32 accumulators, per-channel or per-tensor multipliers as 32-bit
 * fixed-point values with shifts, activation clamping, and the fixed-point softmax. It runs a
 * parsed file (not an in-memory graph), so what it says about a model is what the bytes do.
 * Refuses, with a `TfliteError`, operators, types and layouts it does not run.
 */
export function createInterpreter(
  model: TfliteModel,
  opts: { rounding?: Rounding } = {},
): Int8Interpreter {
  const { tensors } = model
  const rounding = opts.rounding ?? 'single'
  const scalerFor: ScalerFor =
    rounding === 'single'
      ? singleRoundingScaler
      : (m) => (acc) => multiplyByQuantizedMultiplier(acc, m)
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new TfliteError(
      `The model has ${model.inputs.length} inputs and ${model.outputs.length} outputs; the interpreter runs models with one of each.`,
    )
  }
  // Converters give activations a buffer of their own too, left empty: data makes a constant.
  const isConstant = (t: TfliteTensor) => (model.buffers[t.buffer]?.length ?? 0) > 0
  const activations = tensors.map((t) => !isConstant(t) && t.type === 'INT8')
  const activationBytes = tensors.reduce(
    (sum, t, i) => sum + (activations[i] ? t.shape.reduce((a, b) => a * b, 1) : 0),
    0,
  )
  if (activationBytes > MAX_ACTIVATION_BYTES) {
    throw new TfliteError(
      `The model's activations take ${activationBytes} bytes, more than the ${MAX_ACTIVATION_BYTES} the interpreter allows.`,
    )
  }
  const values = tensors.map((t, i) =>
    activations[i] ? new Int8Array(t.shape.reduce((a, b) => a * b, 1)) : null,
  )
  const activation = (index: number | undefined, what: string): Int8Array => {
    const tensor = index === undefined ? undefined : tensors[index]
    const data = index === undefined ? null : values[index]
    if (!tensor || !data) {
      const found = tensor ? `${tensor.type}${isConstant(tensor) ? ' constant' : ''}` : 'missing'
      throw new TfliteError(`The ${what} must be an int8 activation tensor; it is ${found}.`)
    }
    return data
  }
  const kernels = model.operators.map((op, index) => {
    const code = model.operatorCodes[op.opcodeIndex]
    const name = code?.name ?? 'unknown'
    const where = `Operator ${index} (${name})`
    const io = {
      rounding,
      scalerFor,
      input: activation(op.inputs[0], `input of ${where}`),
      output: activation(op.outputs[0], `output of ${where}`),
      inputTensor: tensors[op.inputs[0] as number] as TfliteTensor,
      outputTensor: tensors[op.outputs[0] as number] as TfliteTensor,
    }
    const constant = (position: number) => {
      const tensorIndex = op.inputs[position]
      const tensor = tensorIndex === undefined || tensorIndex < 0 ? null : tensors[tensorIndex]
      return tensor ? { tensor, data: model.buffers[tensor.buffer] as Uint8Array, where } : null
    }
    switch (name) {
      case 'FULLY_CONNECTED':
        return fullyConnected(
          io,
          constant(1),
          constant(2),
          options(op.options, 'fullyConnected', where),
        )
      case 'CONV_2D':
        return conv2d(io, constant(1), constant(2), options(op.options, 'conv2d', where), where)
      case 'DEPTHWISE_CONV_2D':
        return depthwiseConv2d(
          io,
          constant(1),
          constant(2),
          options(op.options, 'depthwiseConv2d', where),
          where,
        )
      case 'MAX_POOL_2D':
      case 'AVERAGE_POOL_2D':
        return pool2d(io, name === 'MAX_POOL_2D', options(op.options, 'pool2d', where), where)
      case 'RESHAPE':
        if (io.input.length !== io.output.length) {
          throw new TfliteError(
            `${where} changes the element count (${io.input.length} to ${io.output.length}).`,
          )
        }
        return () => io.output.set(io.input)
      case 'SOFTMAX':
        return softmax(io, options(op.options, 'softmax', where), where)
      default:
        throw new TfliteError(
          `${where}: the int8 interpreter does not run ${name}; it runs ${INTERPRETER_OPERATORS.join(', ')}.`,
        )
    }
  })
  const inputIndex = model.inputs[0] as number
  const outputIndex = model.outputs[0] as number
  const inputData = activation(inputIndex, 'model input')
  const outputData = activation(outputIndex, 'model output')
  return {
    input: infoOf(tensors[inputIndex] as TfliteTensor, inputData.length),
    output: infoOf(tensors[outputIndex] as TfliteTensor, outputData.length),
    run(input) {
      if (input.length !== inputData.length) {
        throw new TfliteError(
          `The model takes ${inputData.length} int8 values; ${input.length} were given.`,
        )
      }
      inputData.set(input)
      for (const kernel of kernels) kernel()
      return outputData.slice()
    },
  }
}

function infoOf(tensor: TfliteTensor, elements: number): TensorInfo {
  const { scale, zeroPoint } = perTensor(tensor, `tensor ${tensor.name}`)
  return { name: tensor.name, shape: [...tensor.shape], elements, scale, zeroPoint }
}

function options<K extends BuiltinOptions['kind']>(
  value: BuiltinOptions,
  kind: K,
  where: string,
): Extract<BuiltinOptions, { kind: K }> {
  if (value.kind !== kind)
    throw new TfliteError(`${where} lacks its options (found ${value.kind}).`)
  return value as Extract<BuiltinOptions, { kind: K }>
}

interface Io {
  rounding: Rounding
  scalerFor: ScalerFor
  input: Int8Array
  output: Int8Array
  inputTensor: TfliteTensor
  outputTensor: TfliteTensor
}

interface Constant {
  tensor: TfliteTensor
  data: Uint8Array
  where: string
}

function perTensor(tensor: TfliteTensor, where: string): { scale: number; zeroPoint: number } {
  const q = tensor.quantization
  const scale = q?.scale[0]
  if (
    !q ||
    q.scale.length !== 1 ||
    scale === undefined ||
    !(scale > 0) ||
    !Number.isFinite(scale)
  ) {
    throw new TfliteError(`The ${where} needs one positive scale (int8 quantization per tensor).`)
  }
  return { scale, zeroPoint: q.zeroPoint[0] ?? 0 }
}

/** An int8 weight tensor's values and one scale per output channel (repeated if per tensor). */
function weights(c: Constant | null, channels: number, dimension: number, what: string) {
  if (!c || c.tensor.type !== 'INT8' || c.data.length === 0) {
    throw new TfliteError(
      `The ${what} of ${c?.where ?? 'an operator'} must be constant int8 weights.`,
    )
  }
  const q = c.tensor.quantization
  const perChannel = q !== null && q.scale.length > 1
  if (!q || (perChannel && (q.scale.length !== channels || q.quantizedDimension !== dimension))) {
    throw new TfliteError(
      `The ${what} of ${c.where} needs one scale, or one per output channel along dimension ${dimension}.`,
    )
  }
  if (q.zeroPoint.some((z) => z !== 0)) {
    throw new TfliteError(
      `The ${what} of ${c.where} must be symmetric (zero point 0), as int8 weights are.`,
    )
  }
  const scales = Array.from(
    { length: channels },
    (_, i) => (perChannel ? q.scale[i] : q.scale[0]) as number,
  )
  return { values: new Int8Array(c.data.buffer, c.data.byteOffset, c.data.length), scales }
}

/** An int32 bias (optional: zeros when left out). */
function bias(c: Constant | null, channels: number): Int32Array {
  if (!c) return new Int32Array(channels)
  if (c.tensor.type !== 'INT32' || c.data.length !== channels * 4) {
    throw new TfliteError(`The bias of ${c.where} must be ${channels} constant int32 values.`)
  }
  const view = new DataView(c.data.buffer, c.data.byteOffset, c.data.length)
  return Int32Array.from({ length: channels }, (_, i) => view.getInt32(i * 4, true))
}

/**
 * The per-channel output multipliers (tflite::PopulateConvolutionQuantizationParams): input
 * scale × weight scale / output scale, in double from the file's float32 scales.
 */
function outputMultipliers(
  inputScale: number,
  weightScales: readonly number[],
  outputScale: number,
): QuantizedMultiplier[] {
  return weightScales.map((w) => quantizeMultiplier((inputScale * w) / outputScale))
}

/** tflite::CalculateActivationRangeQuantized for int8 outputs. */
function activationRange(
  activation: FusedActivation,
  scale: number,
  zeroPoint: number,
  where: string,
) {
  const quantize = (f: number) => zeroPoint + roundHalfAway(Math.fround(f / scale))
  switch (activation) {
    case 'NONE':
      return { min: -128, max: 127 }
    case 'RELU':
      return { min: Math.max(-128, quantize(0)), max: 127 }
    case 'RELU6':
      return { min: Math.max(-128, quantize(0)), max: Math.min(127, quantize(6)) }
    case 'RELU_N1_TO_1':
      return { min: Math.max(-128, quantize(-1)), max: Math.min(127, quantize(1)) }
    default:
      throw new TfliteError(
        `${where} fuses ${activation}, which the int8 interpreter does not run.`,
      )
  }
}

/** The quantization of an operator's input and output, and its output clamp. */
function requantization(io: Io, activation: FusedActivation, where: string) {
  const input = perTensor(io.inputTensor, `input of ${where}`)
  const output = perTensor(io.outputTensor, `output of ${where}`)
  return {
    input,
    output,
    range: activationRange(activation, output.scale, output.zeroPoint, where),
  }
}

/** reference_integer_ops::FullyConnected (per tensor) and its per-channel variant. */
function fullyConnected(
  io: Io,
  filter: Constant | null,
  biasTensor: Constant | null,
  opts: Extract<BuiltinOptions, { kind: 'fullyConnected' }>,
): Kernel {
  const where = filter?.where ?? 'a fully connected operator'
  const [outputs = 0, depth = 0] = filter?.tensor.shape ?? []
  if (filter?.tensor.shape.length !== 2 || depth === 0 || io.input.length % depth !== 0) {
    throw new TfliteError(`${where}: its weights must be [outputs, inputs] matching the input.`)
  }
  const batches = io.input.length / depth
  if (io.output.length !== batches * outputs || opts.weightsFormat !== 0) {
    throw new TfliteError(`${where}: its output or weight format does not match its weights.`)
  }
  const w = weights(filter, outputs, 0, 'weights')
  const b = bias(biasTensor, outputs)
  const { input, output, range } = requantization(io, opts.activation, where)
  const scalers = outputMultipliers(input.scale, w.scales, output.scale).map(io.scalerFor)
  const inputOffset = -input.zeroPoint
  return () => {
    for (let batch = 0; batch < batches; batch++) {
      for (let out = 0; out < outputs; out++) {
        let acc = 0
        for (let d = 0; d < depth; d++) {
          acc +=
            (w.values[out * depth + d] as number) *
            ((io.input[batch * depth + d] as number) + inputOffset)
        }
        acc = (acc + (b[out] as number)) | 0
        acc = (scalers[out] as Scaler)(acc) + output.zeroPoint
        io.output[batch * outputs + out] = Math.min(Math.max(acc, range.min), range.max)
      }
    }
  }
}

interface Nhwc {
  batches: number
  height: number
  width: number
  channels: number
}

/** NHWC dimensions of a 4-D tensor. */
function nhwc(tensor: TfliteTensor, where: string): Nhwc {
  const [batches = 0, height = 0, width = 0, channels = 0] = tensor.shape
  if (tensor.shape.length !== 4) {
    throw new TfliteError(`${where} needs 4-D [batch, height, width, channels] tensors.`)
  }
  return { batches, height, width, channels }
}

/**
 * The padding before the first row or column (tflite::ComputePaddingHeightWidth), after
 * checking that the output size is the one TFLite computes for this padding.
 */
function paddingFor(
  padding: Padding,
  stride: number,
  dilation: number,
  inSize: number,
  filterSize: number,
  outSize: number,
  where: string,
): number {
  const effectiveFilter = (filterSize - 1) * dilation + 1
  if (stride < 1 || dilation < 1 || filterSize < 1)
    throw new TfliteError(`${where} has invalid strides or sizes.`)
  const expected =
    padding === 'SAME'
      ? Math.floor((inSize + stride - 1) / stride)
      : Math.floor((inSize + stride - effectiveFilter) / stride)
  if (expected !== outSize) {
    throw new TfliteError(
      `${where}: its output size ${outSize} is not the ${expected} its padding gives.`,
    )
  }
  return Math.max(0, Math.floor(((outSize - 1) * stride + effectiveFilter - inSize) / 2))
}

/**
 * What CONV_2D and DEPTHWISE_CONV_2D share: NHWC shapes that `fits` accepts, per-channel int8
 * weights along `dimension`, the int32 bias, the output scaling and clamp, and the padding.
 */
function convolution(
  io: Io,
  filter: Constant | null,
  biasTensor: Constant | null,
  opts: Extract<BuiltinOptions, { kind: 'conv2d' | 'depthwiseConv2d' }>,
  where: string,
  dimension: number,
  fits: (f: Nhwc, inShape: Nhwc, outShape: Nhwc) => boolean,
) {
  const inShape = nhwc(io.inputTensor, where)
  const outShape = nhwc(io.outputTensor, where)
  if (!filter) throw new TfliteError(`${where} has no filter.`)
  const f = nhwc(filter.tensor, `The filter of ${where}`)
  if (!fits(f, inShape, outShape)) {
    throw new TfliteError(
      `${where}: its filter [${filter.tensor.shape.join(', ')}] does not fit its input and output.`,
    )
  }
  const w = weights(filter, outShape.channels, dimension, 'filter')
  const { input, output, range } = requantization(io, opts.activation, where)
  const pad = (stride: number, dilation: number, inSize: number, size: number, outSize: number) =>
    paddingFor(opts.padding, stride, dilation, inSize, size, outSize, where)
  return {
    inShape,
    outShape,
    f,
    w,
    b: bias(biasTensor, outShape.channels),
    output,
    range,
    scalers: outputMultipliers(input.scale, w.scales, output.scale).map(io.scalerFor),
    padH: pad(opts.strideH, opts.dilationH, inShape.height, f.height, outShape.height),
    padW: pad(opts.strideW, opts.dilationW, inShape.width, f.width, outShape.width),
    inputOffset: -input.zeroPoint,
  }
}

/** reference_integer_ops::ConvPerChannel: filter [outChannels, height, width, inChannels]. */
function conv2d(
  io: Io,
  filter: Constant | null,
  biasTensor: Constant | null,
  opts: Extract<BuiltinOptions, { kind: 'conv2d' }>,
  where: string,
): Kernel {
  const { inShape, outShape, f, w, b, output, range, scalers, padH, padW, inputOffset } =
    convolution(
      io,
      filter,
      biasTensor,
      opts,
      where,
      0,
      (f, inShape, outShape) =>
        f.batches === outShape.channels &&
        f.channels === inShape.channels &&
        inShape.batches === outShape.batches,
    )
  const { strideH, strideW, dilationH, dilationW } = opts
  const { height: inHeight, width: inWidth, channels: inChannels } = inShape
  const { batches, height: outHeight, width: outWidth, channels: outChannels } = outShape
  const { height: filterHeight, width: filterWidth } = f
  const { values: filterValues } = w
  const { input: inputData, output: outputData } = io
  return () => {
    let o = 0
    for (let batch = 0; batch < batches; batch++) {
      for (let y = 0; y < outHeight; y++) {
        for (let x = 0; x < outWidth; x++) {
          const originY = y * strideH - padH
          const originX = x * strideW - padW
          for (let oc = 0; oc < outChannels; oc++) {
            let acc = 0
            for (let fy = 0; fy < filterHeight; fy++) {
              const inY = originY + dilationH * fy
              if (inY < 0 || inY >= inHeight) continue
              for (let fx = 0; fx < filterWidth; fx++) {
                const inX = originX + dilationW * fx
                if (inX < 0 || inX >= inWidth) continue
                const inBase = ((batch * inHeight + inY) * inWidth + inX) * inChannels
                const filterBase = ((oc * filterHeight + fy) * filterWidth + fx) * inChannels
                for (let ic = 0; ic < inChannels; ic++) {
                  acc +=
                    (filterValues[filterBase + ic] as number) *
                    ((inputData[inBase + ic] as number) + inputOffset)
                }
              }
            }
            acc = (acc + (b[oc] as number)) | 0
            acc = (scalers[oc] as Scaler)(acc) + output.zeroPoint
            outputData[o++] = Math.min(Math.max(acc, range.min), range.max)
          }
        }
      }
    }
  }
}

/** reference_integer_ops::DepthwiseConvPerChannel: filter [1, height, width, outChannels]. */
function depthwiseConv2d(
  io: Io,
  filter: Constant | null,
  biasTensor: Constant | null,
  opts: Extract<BuiltinOptions, { kind: 'depthwiseConv2d' }>,
  where: string,
): Kernel {
  const { inShape, outShape, f, w, b, output, range, scalers, padH, padW, inputOffset } =
    convolution(
      io,
      filter,
      biasTensor,
      opts,
      where,
      3,
      (f, inShape, outShape) =>
        f.batches === 1 &&
        f.channels === outShape.channels &&
        outShape.channels % Math.max(inShape.channels, 1) === 0 &&
        outShape.channels >= inShape.channels,
    )
  const multiplier = outShape.channels / inShape.channels
  return () => {
    for (let batch = 0; batch < outShape.batches; batch++) {
      for (let y = 0; y < outShape.height; y++) {
        for (let x = 0; x < outShape.width; x++) {
          const originY = y * opts.strideH - padH
          const originX = x * opts.strideW - padW
          for (let ic = 0; ic < inShape.channels; ic++) {
            for (let m = 0; m < multiplier; m++) {
              const oc = ic * multiplier + m
              let acc = 0
              for (let fy = 0; fy < f.height; fy++) {
                const inY = originY + opts.dilationH * fy
                if (inY < 0 || inY >= inShape.height) continue
                for (let fx = 0; fx < f.width; fx++) {
                  const inX = originX + opts.dilationW * fx
                  if (inX < 0 || inX >= inShape.width) continue
                  const inValue = io.input[
                    ((batch * inShape.height + inY) * inShape.width + inX) * inShape.channels + ic
                  ] as number
                  acc +=
                    (w.values[(fy * f.width + fx) * f.channels + oc] as number) *
                    (inValue + inputOffset)
                }
              }
              acc = (acc + (b[oc] as number)) | 0
              acc = (scalers[oc] as Scaler)(acc) + output.zeroPoint
              io.output[
                ((batch * outShape.height + y) * outShape.width + x) * outShape.channels + oc
              ] = Math.min(Math.max(acc, range.min), range.max)
            }
          }
        }
      }
    }
  }
}

/**
 * reference_integer_ops::MaxPool and AveragePool. The average is the int32 sum divided by the
 * count of in-bounds values, rounded half away from zero; input and output share their scale.
 */
function pool2d(
  io: Io,
  max: boolean,
  opts: Extract<BuiltinOptions, { kind: 'pool2d' }>,
  where: string,
): Kernel {
  const inShape = nhwc(io.inputTensor, where)
  const outShape = nhwc(io.outputTensor, where)
  const { input, output, range } = requantization(io, opts.activation, where)
  if (
    input.scale !== output.scale ||
    input.zeroPoint !== output.zeroPoint ||
    inShape.channels !== outShape.channels
  ) {
    throw new TfliteError(`${where}: pooling keeps its input's channels, scale and zero point.`)
  }
  const padH = paddingFor(
    opts.padding,
    opts.strideH,
    1,
    inShape.height,
    opts.filterHeight,
    outShape.height,
    where,
  )
  const padW = paddingFor(
    opts.padding,
    opts.strideW,
    1,
    inShape.width,
    opts.filterWidth,
    outShape.width,
    where,
  )
  return () => {
    let o = 0
    for (let batch = 0; batch < outShape.batches; batch++) {
      for (let y = 0; y < outShape.height; y++) {
        for (let x = 0; x < outShape.width; x++) {
          const originY = y * opts.strideH - padH
          const originX = x * opts.strideW - padW
          const yStart = Math.max(0, -originY)
          const yEnd = Math.min(opts.filterHeight, inShape.height - originY)
          const xStart = Math.max(0, -originX)
          const xEnd = Math.min(opts.filterWidth, inShape.width - originX)
          for (let c = 0; c < outShape.channels; c++) {
            let acc = max ? -128 : 0
            let count = 0
            for (let fy = yStart; fy < yEnd; fy++) {
              for (let fx = xStart; fx < xEnd; fx++) {
                const at =
                  ((batch * inShape.height + originY + fy) * inShape.width + originX + fx) *
                    inShape.channels +
                  c
                const value = io.input[at] as number
                acc = max ? Math.max(acc, value) : acc + value
                count++
              }
            }
            if (!max) {
              if (count === 0)
                throw new TfliteError(`${where}: a pooling window lies outside the input.`)
              const half = Math.floor(count / 2)
              acc = Math.trunc(acc > 0 ? (acc + half) / count : (acc - half) / count)
            }
            io.output[o++] = Math.min(Math.max(acc, range.min), range.max)
          }
        }
      }
    }
  }
}

/** The fixed-point format of the scaled input differences and of the sum of exponentials. */
const SCALED_DIFF_INTEGER_BITS = 5
const ACCUMULATION_INTEGER_BITS = 12

/**
 * reference_ops::Softmax for int8 (TFLite Micro's kernel): differences from the row's maximum
 * scaled by beta × input scale into Q5.26 (tflite::PreprocessSoftmaxScaling), exp in fixed
 * point, their sum in Q12.19, its reciprocal, and the output at scale 1/256, zero point -128.
 */
function softmax(
  io: Io,
  opts: Extract<BuiltinOptions, { kind: 'softmax' }>,
  where: string,
): Kernel {
  const input = perTensor(io.inputTensor, `input of ${where}`)
  const output = perTensor(io.outputTensor, `output of ${where}`)
  if (output.scale !== 1 / 256 || output.zeroPoint !== -128) {
    throw new TfliteError(`${where}: an int8 softmax output has scale 1/256 and zero point -128.`)
  }
  // With TFLITE_SINGLE_ROUNDING the multiplier is capped a bit lower and scales with one
  // rounding (tflite::PreprocessSoftmaxScaling, MultiplyByQuantizedMultiplierGreaterThanOne).
  const single = io.rounding === 'single'
  const realMultiplier = Math.min(
    opts.beta * input.scale * 2 ** (31 - SCALED_DIFF_INTEGER_BITS),
    single ? 2 ** 30 - 1 : 2 ** 31 - 1,
  )
  const inputMultiplier = quantizeMultiplier(realMultiplier)
  if (inputMultiplier.shift < 0)
    throw new TfliteError(`${where}: its input scale is too small for softmax.`)
  // tflite::CalculateInputRadius: differences below -radius give exp() that rounds to zero.
  const diffMin = -Math.floor(
    ((2 ** SCALED_DIFF_INTEGER_BITS - 1) * 2 ** (31 - SCALED_DIFF_INTEGER_BITS)) /
      2 ** inputMultiplier.shift,
  )
  const depth = io.inputTensor.shape.at(-1) ?? 0
  if (depth === 0 || io.input.length !== io.output.length)
    throw new TfliteError(`${where}: its shapes do not match.`)
  const rows = io.input.length / depth
  const scaledDiff = single
    ? singleRoundingScaler(inputMultiplier)
    : (diff: number) => multiplyByQuantizedMultiplierGreaterThanOne(diff, inputMultiplier)
  return () => {
    for (let row = 0; row < rows; row++) {
      const base = row * depth
      let maxInRow = -128
      for (let c = 0; c < depth; c++) maxInRow = Math.max(maxInRow, io.input[base + c] as number)
      let sumOfExps = 0
      for (let c = 0; c < depth; c++) {
        const diff = (io.input[base + c] as number) - maxInRow
        if (diff >= diffMin) {
          const exp = expOnNegativeValues(scaledDiff(diff), SCALED_DIFF_INTEGER_BITS)
          sumOfExps =
            (sumOfExps + saturatingRoundingMultiplyByPOT(exp, -ACCUMULATION_INTEGER_BITS)) | 0
        }
      }
      const { scale, numBitsOverUnit } = reciprocal(sumOfExps, ACCUMULATION_INTEGER_BITS)
      for (let c = 0; c < depth; c++) {
        const diff = (io.input[base + c] as number) - maxInRow
        let value = -128
        if (diff >= diffMin) {
          const exp = expOnNegativeValues(scaledDiff(diff), SCALED_DIFF_INTEGER_BITS)
          const unsaturated = roundingDivideByPOT(
            saturatingRoundingDoublingHighMul(scale, exp),
            numBitsOverUnit + 31 - 8,
          )
          value = Math.min(Math.max(unsaturated - 128, -128), 127)
        }
        io.output[base + c] = value
      }
    }
  }
}
