/**
 * The parts of TFLite's `schema.fbs` (tensorflow/lite/schema/schema.fbs, schema version 3) that
 * the reader and writer use: enum values and the field ids of each table. A field with id `n` is
 * slot `n` of its table's vtable (a union takes two ids: its type, then its value).
 */

export const FILE_IDENTIFIER = 'TFL3'
export const SCHEMA_VERSION = 3

/** `enum TensorType`, by value. */
export const TENSOR_TYPES = [
  'FLOAT32',
  'FLOAT16',
  'INT32',
  'UINT8',
  'INT64',
  'STRING',
  'BOOL',
  'INT16',
  'COMPLEX64',
  'INT8',
  'FLOAT64',
  'COMPLEX128',
  'UINT64',
  'RESOURCE',
  'VARIANT',
  'UINT32',
  'UINT16',
  'INT4',
] as const
export type TensorType = (typeof TENSOR_TYPES)[number]

/** Bytes per element of the types whose elements are whole bytes (the others are not sized). */
export const ELEMENT_BYTES: Partial<Record<TensorType, number>> = {
  FLOAT32: 4,
  FLOAT16: 2,
  INT32: 4,
  UINT8: 1,
  INT64: 8,
  BOOL: 1,
  INT16: 2,
  COMPLEX64: 8,
  INT8: 1,
  FLOAT64: 8,
  COMPLEX128: 16,
  UINT64: 8,
  UINT32: 4,
  UINT16: 2,
}

/**
 * `enum BuiltinOperator` names, by value, up to RIGHT_SHIFT (161); the StableHLO codes after it
 * (162..205) are named by number. Values 0..127 fit the deprecated 8-bit field.
 */
const OPERATOR_NAMES = (
  'ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE ' +
  'EMBEDDING_LOOKUP FLOOR FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D ' +
  'LOCAL_RESPONSE_NORMALIZATION LOGISTIC LSH_PROJECTION LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1 ' +
  'RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX SPACE_TO_DEPTH SVDF TANH CONCAT_EMBEDDINGS ' +
  'SKIP_GRAM CALL CUSTOM EMBEDDING_LOOKUP_SPARSE PAD UNIDIRECTIONAL_SEQUENCE_RNN GATHER ' +
  'BATCH_TO_SPACE_ND SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE ' +
  'UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT ' +
  'LOG_SOFTMAX DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU MAXIMUM ARG_MAX MINIMUM LESS ' +
  'NEG PADV2 GREATER GREATER_EQUAL LESS_EQUAL SELECT SLICE SIN TRANSPOSE_CONV ' +
  'SPARSE_TO_DENSE TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG SUM SQRT RSQRT SHAPE POW ARG_MIN ' +
  'FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK LOGICAL_OR ONE_HOT LOGICAL_AND LOGICAL_NOT UNPACK ' +
  'REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL FLOOR_MOD RANGE ' +
  'RESIZE_NEAREST_NEIGHBOR LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE CEIL ' +
  'REVERSE_V2 ADD_N GATHER_ND COS WHERE RANK ELU REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE ' +
  'MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE NON_MAX_SUPPRESSION_V4 NON_MAX_SUPPRESSION_V5 ' +
  'SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM BATCH_MATMUL PLACEHOLDER_FOR_GREATER_OP_CODES ' +
  'CUMSUM CALL_ONCE BROADCAST_TO RFFT2D CONV_3D IMAG REAL COMPLEX_ABS HASHTABLE ' +
  'HASHTABLE_FIND HASHTABLE_IMPORT HASHTABLE_SIZE REDUCE_ALL CONV_3D_TRANSPOSE VAR_HANDLE ' +
  'READ_VARIABLE ASSIGN_VARIABLE BROADCAST_ARGS RANDOM_STANDARD_NORMAL BUCKETIZE ' +
  'RANDOM_UNIFORM MULTINOMIAL GELU DYNAMIC_UPDATE_SLICE RELU_0_TO_1 UNSORTED_SEGMENT_PROD ' +
  'UNSORTED_SEGMENT_MAX UNSORTED_SEGMENT_SUM ATAN2 UNSORTED_SEGMENT_MIN SIGN BITCAST ' +
  'BITWISE_XOR RIGHT_SHIFT'
).split(' ')

/** The largest BuiltinOperator value of the schema (REDUCE_WINDOW). */
const LAST_BUILTIN_CODE = 205
/** The schema's temporary code for a streaming convolution. */
const TEMP_STREAMING_CONV_2D = 225

/** The name of a builtin operator code, or null for a value the schema does not define. */
export function operatorName(code: number): string | null {
  if (code >= 0 && code < OPERATOR_NAMES.length) return OPERATOR_NAMES[code] as string
  if (code <= LAST_BUILTIN_CODE && code >= 0) return `STABLEHLO_OR_LATER_${code}`
  if (code === TEMP_STREAMING_CONV_2D) return 'TEMP_STREAMING_CONV_2D'
  return null
}

/** The operator codes our models use, by name. */
export const BUILTIN = {
  AVERAGE_POOL_2D: 1,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  RESHAPE: 22,
  SOFTMAX: 25,
  CUSTOM: 32,
  MEAN: 40,
  PLACEHOLDER_FOR_GREATER_OP_CODES: 127,
} as const

/** `union BuiltinOptions` member numbers (0 is NONE) of the options we read and write. */
export const OPTIONS_TYPE = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ReshapeOptions: 17,
  ReducerOptions: 27,
} as const

/** `enum Padding` and `enum ActivationFunctionType`. */
export const PADDINGS = ['SAME', 'VALID'] as const
export const ACTIVATIONS = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'] as const

/** Field ids, per table. */
export const MODEL = {
  version: 0,
  operatorCodes: 1,
  subgraphs: 2,
  description: 3,
  buffers: 4,
  fieldCount: 8,
}
export const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4, fieldCount: 5 }
export const TENSOR = {
  shape: 0,
  type: 1,
  buffer: 2,
  name: 3,
  quantization: 4,
  isVariable: 5,
  sparsity: 6,
  shapeSignature: 7,
  fieldCount: 10,
}
export const QUANTIZATION = {
  scale: 2,
  zeroPoint: 3,
  details: 5,
  quantizedDimension: 6,
  fieldCount: 7,
}
export const OPERATOR_CODE = {
  deprecatedBuiltinCode: 0,
  customCode: 1,
  version: 2,
  builtinCode: 3,
  fieldCount: 4,
}
export const OPERATOR = {
  opcodeIndex: 0,
  inputs: 1,
  outputs: 2,
  optionsType: 3,
  options: 4,
  customOptions: 5,
  optionsType2: 11,
  fieldCount: 13,
}
export const BUFFER = { data: 0, offset: 1, size: 2, fieldCount: 3 }
export const CONV_2D_OPTIONS = {
  padding: 0,
  strideW: 1,
  strideH: 2,
  activation: 3,
  dilationW: 4,
  dilationH: 5,
  fieldCount: 6,
}
export const DEPTHWISE_OPTIONS = {
  padding: 0,
  strideW: 1,
  strideH: 2,
  depthMultiplier: 3,
  activation: 4,
  dilationW: 5,
  dilationH: 6,
  fieldCount: 7,
}
export const POOL_2D_OPTIONS = {
  padding: 0,
  strideW: 1,
  strideH: 2,
  filterWidth: 3,
  filterHeight: 4,
  activation: 5,
  fieldCount: 6,
}
export const FULLY_CONNECTED_OPTIONS = {
  activation: 0,
  weightsFormat: 1,
  keepNumDims: 2,
  fieldCount: 5,
}
export const SOFTMAX_OPTIONS = { beta: 0, fieldCount: 1 }
export const RESHAPE_OPTIONS = { newShape: 0, fieldCount: 1 }
export const REDUCER_OPTIONS = { keepDims: 0, fieldCount: 1 }

/** The vtable slot of field `id`, as the builder and `ByteBuffer.__offset` count it. */
export function slot(id: number): number {
  return 4 + 2 * id
}
