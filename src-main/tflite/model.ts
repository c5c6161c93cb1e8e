import type { TensorType } from './schema.js'

/**
 * A TFLite model as plain data: what the reader returns and the writer takes. Only the first
 * subgraph is kept (the inference graph; TFLite Micro runs no other).
 */
export interface TfliteModel {
  /** The schema version (3). */
  version: number
  description: string
  operatorCodes: OperatorCode[]
  tensors: TfliteTensor[]
  /** Indices into `tensors`. */
  inputs: number[]
  outputs: number[]
  /** In execution order. */
  operators: TfliteOperator[]
  /** The constant data of each buffer; buffer 0 is the empty sentinel. */
  buffers: Uint8Array[]
}

export interface OperatorCode {
  /** The operator, as TFLite reads it: the larger of the 8-bit and the 32-bit field. */
  builtinCode: number
  /** Its name in the schema (`FULLY_CONNECTED`, ...). */
  name: string
  /** The deprecated 8-bit field as stored (127, the placeholder, for codes above 127). */
  deprecatedBuiltinCode: number
  version: number
  /** The name of a custom operator (builtinCode 32), else null. */
  customCode: string | null
}

export interface Quantization {
  /** One scale per tensor, or one per channel of `quantizedDimension`. */
  scale: number[]
  zeroPoint: number[]
  quantizedDimension: number
}

export interface TfliteTensor {
  name: string
  shape: number[]
  /** `shape` with -1 for dimensions left open (a dynamic batch), when the file gives one. */
  shapeSignature: number[] | null
  type: TensorType
  /** Index into `buffers`; 0 for a tensor without constant data. */
  buffer: number
  quantization: Quantization | null
}

export type Padding = 'SAME' | 'VALID'
export type FusedActivation = 'NONE' | 'RELU' | 'RELU_N1_TO_1' | 'RELU6' | 'TANH' | 'SIGN_BIT'

/** The builtin options the interpreter needs, per kind of operator. */
export type BuiltinOptions =
  | {
      kind: 'conv2d'
      padding: Padding
      strideW: number
      strideH: number
      dilationW: number
      dilationH: number
      activation: FusedActivation
    }
  | {
      kind: 'depthwiseConv2d'
      padding: Padding
      strideW: number
      strideH: number
      depthMultiplier: number
      dilationW: number
      dilationH: number
      activation: FusedActivation
    }
  | {
      kind: 'pool2d'
      padding: Padding
      strideW: number
      strideH: number
      filterWidth: number
      filterHeight: number
      activation: FusedActivation
    }
  | {
      kind: 'fullyConnected'
      activation: FusedActivation
      keepNumDims: boolean
      weightsFormat: number
    }
  | { kind: 'softmax'; beta: number }
  | { kind: 'reshape'; newShape: number[] | null }
  | { kind: 'reducer'; keepDims: boolean }
  | { kind: 'none' }
  /** Options of a kind this code does not read, by their union member number. */
  | { kind: 'other'; optionsType: number }

export interface TfliteOperator {
  /** Index into `operatorCodes`. */
  opcodeIndex: number
  /** Tensor indices; -1 marks an optional input left out. */
  inputs: number[]
  outputs: number[]
  options: BuiltinOptions
}

/** What the reader tells besides the model: the file's own facts. */
export interface ParsedTflite extends TfliteModel {
  /** The file's size in bytes (the flash the model takes). */
  sizeBytes: number
  subgraphCount: number
}

/** Refused input or an impossible request: the message says what and, where it can, what to do. */
export class TfliteError extends Error {
  override name = 'TfliteError'
}
