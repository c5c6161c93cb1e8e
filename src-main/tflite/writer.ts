import { Builder } from 'flatbuffers'
import {
  ACTIVATIONS,
  BUFFER,
  BUILTIN,
  CONV_2D_OPTIONS,
  DEPTHWISE_OPTIONS,
  FILE_IDENTIFIER,
  FULLY_CONNECTED_OPTIONS,
  MODEL,
  OPERATOR,
  OPERATOR_CODE,
  OPTIONS_TYPE,
  PADDINGS,
  POOL_2D_OPTIONS,
  QUANTIZATION,
  REDUCER_OPTIONS,
  RESHAPE_OPTIONS,
  SOFTMAX_OPTIONS,
  SUBGRAPH,
  TENSOR,
  TENSOR_TYPES,
} from './schema.js'
import {
  TfliteError,
  type BuiltinOptions,
  type OperatorCode,
  type TfliteModel,
  type TfliteOperator,
  type TfliteTensor,
} from './model.js'

/** TFLite maps constant buffers straight from the file: their data starts on 16 bytes. */
const BUFFER_ALIGNMENT = 16

/**
 * Writes `model` as a `.tflite` flatbuffer with `flatbuffers`' low-level builder, in the form
 * the runtimes accept (FINDINGS.md): buffer data 16-byte aligned, both operator-code fields
 * filled, and no empty vectors (a buffer without data, a tensor without quantization, leave the
 * field out). The reader reads back exactly what was written.
 */
export function writeTflite(model: TfliteModel): Uint8Array {
  const b = new Builder(1024 + model.buffers.reduce((n, data) => n + data.length + 32, 0))
  // Buffers first: built back to front, their data ends up at the end of the file.
  const buffers = model.buffers.map((data) => {
    const vector = data.length > 0 ? alignedBytes(b, data) : 0
    b.startObject(BUFFER.fieldCount)
    if (vector) b.addFieldOffset(BUFFER.data, vector, 0)
    return b.endObject()
  })
  const codes = model.operatorCodes.map((code) => writeOperatorCode(b, code))
  const subgraph = writeSubgraph(b, model)
  const description = b.createString(model.description)

  const buffersVector = offsetVector(b, buffers)
  const codesVector = offsetVector(b, codes)
  const subgraphsVector = offsetVector(b, [subgraph])
  b.startObject(MODEL.fieldCount)
  b.addFieldInt32(MODEL.version, model.version, null)
  b.addFieldOffset(MODEL.operatorCodes, codesVector, 0)
  b.addFieldOffset(MODEL.subgraphs, subgraphsVector, 0)
  b.addFieldOffset(MODEL.description, description, 0)
  b.addFieldOffset(MODEL.buffers, buffersVector, 0)
  b.finish(b.endObject(), FILE_IDENTIFIER)
  return b.asUint8Array().slice()
}

function writeOperatorCode(b: Builder, code: OperatorCode): number {
  const custom = code.customCode === null ? 0 : b.createString(code.customCode)
  b.startObject(OPERATOR_CODE.fieldCount)
  // The 8-bit field holds codes up to 127, and the placeholder 127 for the larger ones.
  b.addFieldInt8(
    OPERATOR_CODE.deprecatedBuiltinCode,
    Math.min(code.builtinCode, BUILTIN.PLACEHOLDER_FOR_GREATER_OP_CODES),
    null,
  )
  if (custom) b.addFieldOffset(OPERATOR_CODE.customCode, custom, 0)
  b.addFieldInt32(OPERATOR_CODE.version, code.version, null)
  b.addFieldInt32(OPERATOR_CODE.builtinCode, code.builtinCode, null)
  return b.endObject()
}

function writeSubgraph(b: Builder, model: TfliteModel): number {
  const tensors = offsetVector(
    b,
    model.tensors.map((t) => writeTensor(b, t)),
  )
  const operators = offsetVector(
    b,
    model.operators.map((op) => writeOperator(b, op)),
  )
  const inputs = intVector(b, model.inputs)
  const outputs = intVector(b, model.outputs)
  const name = b.createString('main')
  b.startObject(SUBGRAPH.fieldCount)
  b.addFieldOffset(SUBGRAPH.tensors, tensors, 0)
  b.addFieldOffset(SUBGRAPH.inputs, inputs, 0)
  b.addFieldOffset(SUBGRAPH.outputs, outputs, 0)
  b.addFieldOffset(SUBGRAPH.operators, operators, 0)
  b.addFieldOffset(SUBGRAPH.name, name, 0)
  return b.endObject()
}

function writeTensor(b: Builder, tensor: TfliteTensor): number {
  const shape = intVector(b, tensor.shape)
  const signature = tensor.shapeSignature ? intVector(b, tensor.shapeSignature) : 0
  const name = b.createString(tensor.name)
  let quantization = 0
  const q = tensor.quantization
  if (q) {
    const scale = vectorOf(b, 4, q.scale, (v) => b.addFloat32(v))
    const zeroPoint = vectorOf(b, 8, q.zeroPoint, (v) => b.addInt64(BigInt(v)))
    b.startObject(QUANTIZATION.fieldCount)
    b.addFieldOffset(QUANTIZATION.scale, scale, 0)
    b.addFieldOffset(QUANTIZATION.zeroPoint, zeroPoint, 0)
    b.addFieldInt32(QUANTIZATION.quantizedDimension, q.quantizedDimension, 0)
    quantization = b.endObject()
  }
  b.startObject(TENSOR.fieldCount)
  b.addFieldOffset(TENSOR.shape, shape, 0)
  b.addFieldInt8(TENSOR.type, TENSOR_TYPES.indexOf(tensor.type), null)
  b.addFieldInt32(TENSOR.buffer, tensor.buffer, null)
  b.addFieldOffset(TENSOR.name, name, 0)
  if (quantization) b.addFieldOffset(TENSOR.quantization, quantization, 0)
  if (signature) b.addFieldOffset(TENSOR.shapeSignature, signature, 0)
  return b.endObject()
}

function writeOperator(b: Builder, op: TfliteOperator): number {
  const inputs = intVector(b, op.inputs)
  const outputs = intVector(b, op.outputs)
  const options = writeOptions(b, op.options)
  b.startObject(OPERATOR.fieldCount)
  b.addFieldInt32(OPERATOR.opcodeIndex, op.opcodeIndex, null)
  b.addFieldOffset(OPERATOR.inputs, inputs, 0)
  b.addFieldOffset(OPERATOR.outputs, outputs, 0)
  if (options) {
    b.addFieldInt8(OPERATOR.optionsType, options.type, null)
    b.addFieldOffset(OPERATOR.options, options.table, 0)
  }
  return b.endObject()
}

function writeOptions(b: Builder, options: BuiltinOptions): { type: number; table: number } | null {
  const padding = (value: string) => PADDINGS.indexOf(value as (typeof PADDINGS)[number])
  const activation = (value: string) => ACTIVATIONS.indexOf(value as (typeof ACTIVATIONS)[number])
  switch (options.kind) {
    case 'none':
      return null
    case 'conv2d':
      b.startObject(CONV_2D_OPTIONS.fieldCount)
      b.addFieldInt8(CONV_2D_OPTIONS.padding, padding(options.padding), null)
      b.addFieldInt32(CONV_2D_OPTIONS.strideW, options.strideW, null)
      b.addFieldInt32(CONV_2D_OPTIONS.strideH, options.strideH, null)
      b.addFieldInt8(CONV_2D_OPTIONS.activation, activation(options.activation), null)
      b.addFieldInt32(CONV_2D_OPTIONS.dilationW, options.dilationW, null)
      b.addFieldInt32(CONV_2D_OPTIONS.dilationH, options.dilationH, null)
      return { type: OPTIONS_TYPE.Conv2DOptions, table: b.endObject() }
    case 'depthwiseConv2d':
      b.startObject(DEPTHWISE_OPTIONS.fieldCount)
      b.addFieldInt8(DEPTHWISE_OPTIONS.padding, padding(options.padding), null)
      b.addFieldInt32(DEPTHWISE_OPTIONS.strideW, options.strideW, null)
      b.addFieldInt32(DEPTHWISE_OPTIONS.strideH, options.strideH, null)
      b.addFieldInt32(DEPTHWISE_OPTIONS.depthMultiplier, options.depthMultiplier, null)
      b.addFieldInt8(DEPTHWISE_OPTIONS.activation, activation(options.activation), null)
      b.addFieldInt32(DEPTHWISE_OPTIONS.dilationW, options.dilationW, null)
      b.addFieldInt32(DEPTHWISE_OPTIONS.dilationH, options.dilationH, null)
      return { type: OPTIONS_TYPE.DepthwiseConv2DOptions, table: b.endObject() }
    case 'pool2d':
      b.startObject(POOL_2D_OPTIONS.fieldCount)
      b.addFieldInt8(POOL_2D_OPTIONS.padding, padding(options.padding), null)
      b.addFieldInt32(POOL_2D_OPTIONS.strideW, options.strideW, null)
      b.addFieldInt32(POOL_2D_OPTIONS.strideH, options.strideH, null)
      b.addFieldInt32(POOL_2D_OPTIONS.filterWidth, options.filterWidth, null)
      b.addFieldInt32(POOL_2D_OPTIONS.filterHeight, options.filterHeight, null)
      b.addFieldInt8(POOL_2D_OPTIONS.activation, activation(options.activation), null)
      return { type: OPTIONS_TYPE.Pool2DOptions, table: b.endObject() }
    case 'fullyConnected':
      b.startObject(FULLY_CONNECTED_OPTIONS.fieldCount)
      b.addFieldInt8(FULLY_CONNECTED_OPTIONS.activation, activation(options.activation), null)
      b.addFieldInt8(FULLY_CONNECTED_OPTIONS.weightsFormat, options.weightsFormat, 0)
      b.addFieldInt8(FULLY_CONNECTED_OPTIONS.keepNumDims, options.keepNumDims ? 1 : 0, 0)
      return { type: OPTIONS_TYPE.FullyConnectedOptions, table: b.endObject() }
    case 'softmax':
      b.startObject(SOFTMAX_OPTIONS.fieldCount)
      b.addFieldFloat32(SOFTMAX_OPTIONS.beta, options.beta, null)
      return { type: OPTIONS_TYPE.SoftmaxOptions, table: b.endObject() }
    case 'reshape': {
      const shape = options.newShape ? intVector(b, options.newShape) : 0
      b.startObject(RESHAPE_OPTIONS.fieldCount)
      if (shape) b.addFieldOffset(RESHAPE_OPTIONS.newShape, shape, 0)
      return { type: OPTIONS_TYPE.ReshapeOptions, table: b.endObject() }
    }
    case 'reducer':
      b.startObject(REDUCER_OPTIONS.fieldCount)
      b.addFieldInt8(REDUCER_OPTIONS.keepDims, options.keepDims ? 1 : 0, null)
      return { type: OPTIONS_TYPE.ReducerOptions, table: b.endObject() }
    case 'other':
      throw new TfliteError(
        `Operator options of type ${options.optionsType} cannot be written (not read by this code).`,
      )
  }
}

/** A byte vector whose first data byte is 16-byte aligned in the finished file. */
function alignedBytes(b: Builder, data: Uint8Array): number {
  b.startVector(1, data.length, BUFFER_ALIGNMENT)
  for (let i = data.length - 1; i >= 0; i--) b.addInt8(data[i] as number)
  return b.endVector()
}

function intVector(b: Builder, values: readonly number[]): number {
  return vectorOf(b, 4, values, (v) => b.addInt32(v))
}

function offsetVector(b: Builder, offsets: readonly number[]): number {
  return vectorOf(b, 4, offsets, (v) => b.addOffset(v))
}

function vectorOf(b: Builder, size: number, values: readonly number[], add: (v: number) => void) {
  b.startVector(size, values.length, size)
  for (let i = values.length - 1; i >= 0; i--) add(values[i] as number)
  return b.endVector()
}
