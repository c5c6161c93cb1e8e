import { ByteBuffer } from 'flatbuffers'
import {
  ACTIVATIONS,
  BUFFER,
  BUILTIN,
  CONV_2D_OPTIONS,
  DEPTHWISE_OPTIONS,
  ELEMENT_BYTES,
  FILE_IDENTIFIER,
  FULLY_CONNECTED_OPTIONS,
  MODEL,
  OPERATOR,
  OPERATOR_CODE,
  OPTIONS_TYPE,
  operatorName,
  PADDINGS,
  POOL_2D_OPTIONS,
  QUANTIZATION,
  REDUCER_OPTIONS,
  RESHAPE_OPTIONS,
  SCHEMA_VERSION,
  slot,
  SOFTMAX_OPTIONS,
  SUBGRAPH,
  TENSOR,
  TENSOR_TYPES,
  type TensorType,
} from './schema.js'
import {
  TfliteError,
  type BuiltinOptions,
  type FusedActivation,
  type OperatorCode,
  type Padding,
  type ParsedTflite,
  type Quantization,
  type TfliteOperator,
  type TfliteTensor,
} from './model.js'

/** The largest tensor the reader accepts, in elements (TFLite's sizes are 32-bit). */
const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1
const MAX_RANK = 8

/**
 * Parses a `.tflite` file (ours, or one from TensorFlow's converter) into plain data: the
 * operator codes, the first subgraph's tensors, operators, inputs and outputs, and the buffers
 * (views into `bytes`, not copies). The bytes are untrusted: every offset and length is checked
 * against the file, and the work is bounded by the file's size, so a truncated, corrupt or
 * hostile file is refused with a `TfliteError` saying what is wrong, never a crash or a hang.
 */
export function readTflite(bytes: Uint8Array): ParsedTflite {
  const file = new CheckedFlatbuffer(bytes)
  if (bytes.length < 8) throw corrupt(`it is ${bytes.length} bytes long, too short for a model`)
  if (!file.bb.__has_identifier(FILE_IDENTIFIER)) {
    const found = String.fromCharCode(...bytes.subarray(4, 8))
    throw new TfliteError(
      `This is not a TFLite model: its file identifier is "${printable(found)}", not "${FILE_IDENTIFIER}".`,
    )
  }
  const model = file.table(file.u32(0), 'the model')
  const version = file.u32Field(model, MODEL.version, 0)
  if (version !== SCHEMA_VERSION) {
    throw new TfliteError(
      `The model has schema version ${version}; only version ${SCHEMA_VERSION} (every current TFLite model) is read.`,
    )
  }
  const operatorCodes = file
    .tables(model, MODEL.operatorCodes, 'the operator codes')
    .map((code) => readOperatorCode(file, code))
  const buffers = file.tables(model, MODEL.buffers, 'the buffers').map((buffer, index) => {
    if (file.u64Field(buffer, BUFFER.offset) > 1n) {
      throw new TfliteError(
        `Buffer ${index} is stored outside the flatbuffer (a model over 2 GB); such models are not read.`,
      )
    }
    return file.bytesField(buffer, BUFFER.data) ?? new Uint8Array(0)
  })
  const subgraphs = file.tables(model, MODEL.subgraphs, 'the subgraphs')
  const main = subgraphs[0]
  if (!main) throw new TfliteError('The model has no subgraph: there is nothing to run.')
  const tensors = file
    .tables(main, SUBGRAPH.tensors, 'the tensors')
    .map((tensor, index) => readTensor(file, tensor, index, buffers))
  const tensorIndex = (value: number, what: string, optional: boolean) => {
    if ((optional && value === -1) || (value >= 0 && value < tensors.length)) return value
    throw corrupt(`${what} names tensor ${value}, but there are ${tensors.length}`)
  }
  const inputs = file
    .ints(main, SUBGRAPH.inputs, 'the inputs')
    .map((t) => tensorIndex(t, 'an input', false))
  const outputs = file
    .ints(main, SUBGRAPH.outputs, 'the outputs')
    .map((t) => tensorIndex(t, 'an output', false))
  const operators = file.tables(main, SUBGRAPH.operators, 'the operators').map((op, index) => {
    const operator = readOperator(file, op)
    const where = `operator ${index}`
    if (operator.opcodeIndex >= operatorCodes.length) {
      throw corrupt(
        `${where} uses operator code ${operator.opcodeIndex}, but there are ${operatorCodes.length}`,
      )
    }
    operator.inputs.forEach((t) => tensorIndex(t, `an input of ${where}`, true))
    operator.outputs.forEach((t) => tensorIndex(t, `an output of ${where}`, false))
    return operator
  })
  return {
    version,
    description: file.stringField(model, MODEL.description) ?? '',
    operatorCodes,
    tensors,
    inputs,
    outputs,
    operators,
    buffers,
    sizeBytes: bytes.length,
    subgraphCount: subgraphs.length,
  }
}

function readOperatorCode(file: CheckedFlatbuffer, code: Table): OperatorCode {
  const deprecated = file.i8Field(code, OPERATOR_CODE.deprecatedBuiltinCode, 0)
  const extended = file.i32Field(code, OPERATOR_CODE.builtinCode, 0)
  // TFLite's GetBuiltinCode: old files fill only the 8-bit field, new ones both (the 8-bit one
  // with the placeholder 127 above it), so the larger of the two is the operator.
  const builtinCode = Math.max(deprecated, extended)
  const name = operatorName(builtinCode)
  if (name === null) {
    throw new TfliteError(
      `The model uses operator code ${builtinCode}, which TFLite's schema does not define (a newer or corrupt file).`,
    )
  }
  return {
    builtinCode,
    name,
    deprecatedBuiltinCode: deprecated,
    version: file.i32Field(code, OPERATOR_CODE.version, 1),
    customCode:
      builtinCode === BUILTIN.CUSTOM
        ? (file.stringField(code, OPERATOR_CODE.customCode) ?? '')
        : null,
  }
}

function readTensor(
  file: CheckedFlatbuffer,
  tensor: Table,
  index: number,
  buffers: readonly Uint8Array[],
): TfliteTensor {
  const name = file.stringField(tensor, TENSOR.name) ?? ''
  const where = `Tensor ${index}${name ? ` (${name})` : ''}`
  const typeValue = file.i8Field(tensor, TENSOR.type, 0)
  const type = TENSOR_TYPES[typeValue]
  if (type === undefined)
    throw new TfliteError(`${where} has type ${typeValue}, which TFLite does not define.`)
  const shape = file.ints(tensor, TENSOR.shape, `the shape of ${where}`)
  if (shape.length > MAX_RANK || shape.some((d) => d < 0)) {
    throw corrupt(`${where} has the shape [${shape.join(', ')}]`)
  }
  const elements = shape.reduce((a, b) => a * b, 1)
  if (elements > MAX_TENSOR_ELEMENTS) throw corrupt(`${where} has ${elements} elements`)
  const buffer = file.u32Field(tensor, TENSOR.buffer, 0)
  const data = buffers[buffer]
  if (data === undefined)
    throw corrupt(`${where} names buffer ${buffer}, but there are ${buffers.length}`)
  if (data.length > 0) {
    const expected = dataBytes(type, elements)
    if (expected !== null && expected !== data.length) {
      throw corrupt(
        `${where} has ${data.length} bytes of data; its shape and type need ${expected}`,
      )
    }
  }
  if (file.hasField(tensor, TENSOR.sparsity)) {
    throw new TfliteError(`${where} is sparse; sparse tensors are not supported.`)
  }
  const signature = file.hasField(tensor, TENSOR.shapeSignature)
    ? file.ints(tensor, TENSOR.shapeSignature, `the shape signature of ${where}`)
    : null
  return {
    name,
    shape,
    shapeSignature: signature,
    type,
    buffer,
    quantization: readQuantization(file, tensor, where, shape),
  }
}

/** Bytes of `elements` values of `type`, or null where the type has no fixed size. */
function dataBytes(type: TensorType, elements: number): number | null {
  if (type === 'INT4') return Math.ceil(elements / 2)
  const size = ELEMENT_BYTES[type]
  return size === undefined ? null : size * elements
}

function readQuantization(
  file: CheckedFlatbuffer,
  tensor: Table,
  where: string,
  shape: readonly number[],
): Quantization | null {
  const params = file.tableField(tensor, TENSOR.quantization, `the quantization of ${where}`)
  if (!params) return null
  if (file.hasField(params, QUANTIZATION.details)) {
    throw new TfliteError(`${where} uses custom quantization, which is not supported.`)
  }
  const scale = file.floats(params, QUANTIZATION.scale, `the scales of ${where}`)
  const zeroPoint = file.longs(params, QUANTIZATION.zeroPoint, `the zero points of ${where}`)
  const quantizedDimension = file.i32Field(params, QUANTIZATION.quantizedDimension, 0)
  if (scale.length === 0 && zeroPoint.length === 0) return null
  if (scale.length !== zeroPoint.length) {
    throw corrupt(`${where} has ${scale.length} scales but ${zeroPoint.length} zero points`)
  }
  if (scale.length > 1 && shape[quantizedDimension] !== scale.length) {
    throw corrupt(
      `${where} has ${scale.length} scales along dimension ${quantizedDimension} of [${shape.join(', ')}]`,
    )
  }
  return { scale, zeroPoint, quantizedDimension }
}

function readOperator(file: CheckedFlatbuffer, op: Table): TfliteOperator {
  const optionsType = file.u8Field(op, OPERATOR.optionsType, 0)
  const options =
    optionsType === 0 ? null : file.tableField(op, OPERATOR.options, 'operator options')
  return {
    opcodeIndex: file.u32Field(op, OPERATOR.opcodeIndex, 0),
    inputs: file.ints(op, OPERATOR.inputs, 'operator inputs'),
    outputs: file.ints(op, OPERATOR.outputs, 'operator outputs'),
    options: options ? readOptions(file, optionsType, options) : { kind: 'none' },
  }
}

function readOptions(file: CheckedFlatbuffer, optionsType: number, t: Table): BuiltinOptions {
  const padding = (id: number) => enumValue(PADDINGS, file.i8Field(t, id, 0), 'padding') as Padding
  const activation = (id: number) =>
    enumValue(ACTIVATIONS, file.i8Field(t, id, 0), 'fused activation') as FusedActivation
  switch (optionsType) {
    case OPTIONS_TYPE.Conv2DOptions:
      return {
        kind: 'conv2d',
        padding: padding(CONV_2D_OPTIONS.padding),
        strideW: file.i32Field(t, CONV_2D_OPTIONS.strideW, 0),
        strideH: file.i32Field(t, CONV_2D_OPTIONS.strideH, 0),
        dilationW: file.i32Field(t, CONV_2D_OPTIONS.dilationW, 1),
        dilationH: file.i32Field(t, CONV_2D_OPTIONS.dilationH, 1),
        activation: activation(CONV_2D_OPTIONS.activation),
      }
    case OPTIONS_TYPE.DepthwiseConv2DOptions:
      return {
        kind: 'depthwiseConv2d',
        padding: padding(DEPTHWISE_OPTIONS.padding),
        strideW: file.i32Field(t, DEPTHWISE_OPTIONS.strideW, 0),
        strideH: file.i32Field(t, DEPTHWISE_OPTIONS.strideH, 0),
        depthMultiplier: file.i32Field(t, DEPTHWISE_OPTIONS.depthMultiplier, 0),
        dilationW: file.i32Field(t, DEPTHWISE_OPTIONS.dilationW, 1),
        dilationH: file.i32Field(t, DEPTHWISE_OPTIONS.dilationH, 1),
        activation: activation(DEPTHWISE_OPTIONS.activation),
      }
    case OPTIONS_TYPE.Pool2DOptions:
      return {
        kind: 'pool2d',
        padding: padding(POOL_2D_OPTIONS.padding),
        strideW: file.i32Field(t, POOL_2D_OPTIONS.strideW, 0),
        strideH: file.i32Field(t, POOL_2D_OPTIONS.strideH, 0),
        filterWidth: file.i32Field(t, POOL_2D_OPTIONS.filterWidth, 0),
        filterHeight: file.i32Field(t, POOL_2D_OPTIONS.filterHeight, 0),
        activation: activation(POOL_2D_OPTIONS.activation),
      }
    case OPTIONS_TYPE.FullyConnectedOptions:
      return {
        kind: 'fullyConnected',
        activation: activation(FULLY_CONNECTED_OPTIONS.activation),
        weightsFormat: file.i8Field(t, FULLY_CONNECTED_OPTIONS.weightsFormat, 0),
        keepNumDims: file.u8Field(t, FULLY_CONNECTED_OPTIONS.keepNumDims, 0) !== 0,
      }
    case OPTIONS_TYPE.SoftmaxOptions:
      return { kind: 'softmax', beta: file.f32Field(t, SOFTMAX_OPTIONS.beta, 0) }
    case OPTIONS_TYPE.ReshapeOptions:
      return {
        kind: 'reshape',
        newShape: file.hasField(t, RESHAPE_OPTIONS.newShape)
          ? file.ints(t, RESHAPE_OPTIONS.newShape, 'a reshape')
          : null,
      }
    case OPTIONS_TYPE.ReducerOptions:
      return { kind: 'reducer', keepDims: file.u8Field(t, REDUCER_OPTIONS.keepDims, 0) !== 0 }
    default:
      return { kind: 'other', optionsType }
  }
}

function enumValue(names: readonly string[], value: number, what: string): string {
  const name = names[value]
  if (name === undefined)
    throw corrupt(`an operator has ${what} ${value}, which TFLite does not define`)
  return name
}

function corrupt(detail: string): TfliteError {
  return new TfliteError(`The TFLite file is corrupt: ${detail}.`)
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?')
}

/** A table of the flatbuffer: where it is, its vtable, and how many bytes each holds. */
interface Table {
  pos: number
  vtable: number
  vtableBytes: number
  tableBytes: number
}

/**
 * Reads a flatbuffer through `flatbuffers`' ByteBuffer, checking what its generated code takes
 * on trust: that every table, vtable, vector and string lies inside the file. Every table and
 * vector element read is counted against a budget of the file's size (an honest file holds each
 * once; a hostile one could point many vectors at the same long run of bytes).
 */
class CheckedFlatbuffer {
  readonly bb: ByteBuffer
  readonly #size: number
  #budget: number

  constructor(bytes: Uint8Array) {
    this.bb = new ByteBuffer(bytes)
    this.#size = bytes.length
    this.#budget = bytes.length + 64
  }

  u32(pos: number): number {
    this.#need(pos, 4, 'an offset')
    return this.bb.readUint32(pos)
  }

  table(pos: number, what: string): Table {
    this.#spend(1, what)
    this.#need(pos, 4, what)
    const vtable = pos - this.bb.readInt32(pos)
    this.#need(vtable, 4, `the layout of ${what}`)
    const vtableBytes = this.bb.readUint16(vtable)
    const tableBytes = this.bb.readUint16(vtable + 2)
    if (vtableBytes < 4 || vtableBytes % 2 !== 0 || tableBytes < 4) {
      throw corrupt(`the layout of ${what} is invalid`)
    }
    this.#need(vtable, vtableBytes, `the layout of ${what}`)
    this.#need(pos, tableBytes, what)
    return { pos, vtable, vtableBytes, tableBytes }
  }

  hasField(t: Table, id: number): boolean {
    return this.#fieldOffset(t, id) !== 0
  }

  i8Field(t: Table, id: number, fallback: number): number {
    const at = this.#field(t, id, 1)
    return at === null ? fallback : this.bb.readInt8(at)
  }

  u8Field(t: Table, id: number, fallback: number): number {
    const at = this.#field(t, id, 1)
    return at === null ? fallback : this.bb.readUint8(at)
  }

  i32Field(t: Table, id: number, fallback: number): number {
    const at = this.#field(t, id, 4)
    return at === null ? fallback : this.bb.readInt32(at)
  }

  u32Field(t: Table, id: number, fallback: number): number {
    const at = this.#field(t, id, 4)
    return at === null ? fallback : this.bb.readUint32(at)
  }

  u64Field(t: Table, id: number): bigint {
    const at = this.#field(t, id, 8)
    return at === null ? 0n : this.bb.readUint64(at)
  }

  f32Field(t: Table, id: number, fallback: number): number {
    const at = this.#field(t, id, 4)
    return at === null ? fallback : this.bb.readFloat32(at)
  }

  tableField(t: Table, id: number, what: string): Table | null {
    const target = this.#target(t, id, what)
    return target === null ? null : this.table(target, what)
  }

  /** The tables of a vector of tables (empty when the field is absent). */
  tables(t: Table, id: number, what: string): Table[] {
    const vector = this.#vector(t, id, 4, what)
    if (!vector) return []
    this.#spend(vector.length, what)
    return Array.from({ length: vector.length }, (_, i) => {
      const element = vector.start + i * 4
      return this.table(element + this.bb.readUint32(element), what)
    })
  }

  ints(t: Table, id: number, what: string): number[] {
    return this.#scalars(t, id, 4, what, (at) => this.bb.readInt32(at))
  }

  floats(t: Table, id: number, what: string): number[] {
    return this.#scalars(t, id, 4, what, (at) => this.bb.readFloat32(at))
  }

  longs(t: Table, id: number, what: string): number[] {
    return this.#scalars(t, id, 8, what, (at) => {
      const value = this.bb.readInt64(at)
      if (value < -(2n ** 31n) || value >= 2n ** 31n) throw corrupt(`${what} include ${value}`)
      return Number(value)
    })
  }

  /** A byte vector as a view into the file (no copy), or null when absent. */
  bytesField(t: Table, id: number): Uint8Array | null {
    const vector = this.#vector(t, id, 1, 'a buffer')
    if (!vector) return null
    this.#spend(1, 'a buffer')
    return this.bb.bytes().subarray(vector.start, vector.start + vector.length)
  }

  stringField(t: Table, id: number): string | null {
    const data = this.bytesField(t, id)
    return data === null ? null : new TextDecoder().decode(data)
  }

  #scalars(
    t: Table,
    id: number,
    size: number,
    what: string,
    read: (at: number) => number,
  ): number[] {
    const vector = this.#vector(t, id, size, what)
    if (!vector) return []
    this.#spend(vector.length, what)
    return Array.from({ length: vector.length }, (_, i) => read(vector.start + i * size))
  }

  #vector(
    t: Table,
    id: number,
    size: number,
    what: string,
  ): { start: number; length: number } | null {
    const target = this.#target(t, id, what)
    if (target === null) return null
    this.#need(target, 4, what)
    const length = this.bb.readUint32(target)
    if (length * size > this.#size - target - 4) {
      throw corrupt(`${what} claim ${length} elements, more than the file holds`)
    }
    return { start: target + 4, length }
  }

  /** Where an offset field points (the field's position plus the unsigned offset in it). */
  #target(t: Table, id: number, what: string): number | null {
    const at = this.#field(t, id, 4)
    if (at === null) return null
    const target = at + this.bb.readUint32(at)
    this.#need(target, 4, what)
    return target
  }

  #fieldOffset(t: Table, id: number): number {
    const entry = slot(id)
    return entry + 2 <= t.vtableBytes ? this.bb.readUint16(t.vtable + entry) : 0
  }

  #field(t: Table, id: number, size: number): number | null {
    const offset = this.#fieldOffset(t, id)
    if (offset === 0) return null
    if (offset + size > t.tableBytes) throw corrupt('a field lies outside its table')
    return t.pos + offset
  }

  #need(pos: number, bytes: number, what: string): void {
    if (pos < 0 || pos + bytes > this.#size) throw corrupt(`${what} lies outside the file`)
  }

  #spend(count: number, what: string): void {
    this.#budget -= count
    if (this.#budget < 0) {
      throw corrupt(`${what} refer to more data than the file holds (shared or looping offsets)`)
    }
  }
}
