import { roundHalfAway } from './fixed-point.js'
import {
  floatForward,
  outputUnits,
  resolveLayers,
  type FloatModel,
  type ResolvedLayer,
} from './float-model.js'
import {
  TfliteError,
  type BuiltinOptions,
  type OperatorCode,
  type Quantization,
  type TfliteModel,
  type TfliteTensor,
} from './model.js'
import { BUILTIN, SCHEMA_VERSION, type TensorType } from './schema.js'

/** Real value = scale × (q − zeroPoint). */
export interface QuantParams {
  scale: number
  zeroPoint: number
}

export interface Int8Model {
  /** The full-int8 model, ready for `writeTflite`. */
  model: TfliteModel
  /** The int8 input: the window as `[1, features]` or `[1, 1, time, channels]`. */
  input: QuantParams & { shape: number[] }
  /** The int8 class scores after softmax: scale 1/256, zero point -128. */
  output: QuantParams & { shape: number[] }
  /** How many calibration windows set the activation ranges. */
  calibrationWindows: number
}

/**
 * Each calibrated range is stretched by this factor about zero. A run's calibration windows come
 * from its training split only, and held-out anomalies can go further than any it trained on:
 * on a 4-minute demo project (252 calibration windows) the dense preset's int8 model agreed with
 * the float one on 94% of the test windows with the bare min/max, 99% at 1.25, 100% at 1.5
 * (docs/tflite.md). It costs about half a bit of resolution.
 */
export const CALIBRATION_HEADROOM = 1.5

/** The int8 softmax output the TFLite int8 specification fixes. */
export const SOFTMAX_OUTPUT: QuantParams = { scale: 1 / 256, zeroPoint: -128 }

/**
 * Post-training full-integer quantization per the TFLite int8 specification:
 * - activations int8, asymmetric, per tensor, from the minimum and maximum each reaches over the
 *   calibration windows (every window given: a run keeps up to 500 training windows), stretched
 *   by `CALIBRATION_HEADROOM` and widened to include 0 so that 0 is exact; pooling and reshapes
 *   keep their input's parameters;
 * - weights int8, symmetric (zero point 0, values in [-127, 127]): per output channel for
 *   convolutions, per tensor for fully connected layers (Arm NN 20.08 reads one scale there);
 * - biases int32, scale = input scale × weight scale (per channel where the weights are),
 *   zero point 0, quantized dimension 0;
 * - the softmax output at scale 1/256, zero point -128; int8 model input and output.
 * Dropout vanishes; relu and relu6 are fused into their layer; tanh is refused (its int8 kernels
 * differ between runtimes). Normalization stays outside the model: windows come in normalized.
 */
export function quantizeModel(
  float: FloatModel,
  calibration: readonly Float32Array[],
  opts: { description?: string; headroom?: number } = {},
): Int8Model {
  const layers = resolveLayers(float)
  const tanh = layers.find(
    (l) => (l.type === 'dense' || l.type === 'conv1d') && l.activation === 'tanh',
  )
  if (tanh) {
    throw new TfliteError(
      `Layer ${tanh.index + 1} (${tanh.type}) uses tanh, which the int8 export does not support: train it with relu, relu6 or linear.`,
    )
  }
  if (calibration.length === 0) {
    throw new TfliteError('Quantization needs calibration windows; the run has none.')
  }
  const ranges = calibrate(layers, calibration, opts.headroom ?? CALIBRATION_HEADROOM)
  const graph = new GraphBuilder()
  const [steps = 0, channels = 0] = float.inputShape
  const timed = float.inputShape.length === 2
  const inputQ = activationParams(ranges.input)
  let current: Flow = {
    tensor: graph.activation('input', timed ? [1, 1, steps, channels] : [1, steps], inputQ),
    q: inputQ,
    timed,
  }
  const inputTensor = current.tensor
  const flatten = (flow: Flow, name: string): Flow => {
    if (!flow.timed) return flow
    const size = graph.elements(flow.tensor)
    const tensor = graph.activation(name, [1, size], flow.q)
    graph.operator('RESHAPE', 1, [flow.tensor], [tensor], { kind: 'reshape', newShape: [1, size] })
    return { tensor, q: flow.q, timed: false }
  }
  for (const layer of layers) {
    const name =
      layer.index < float.layers.length ? `layer${layer.index + 1}_${layer.type}` : 'output'
    switch (layer.type) {
      case 'dense':
        current = flatten(current, `${name}/flatten`)
        current = fullyConnected(graph, current, layer, name, ranges.layers.get(layer.index))
        if (layer.activation === 'softmax') {
          const tensor = graph.activation('output', [1, layer.units], SOFTMAX_OUTPUT)
          graph.operator('SOFTMAX', 2, [current.tensor], [tensor], { kind: 'softmax', beta: 1 })
          current = { tensor, q: SOFTMAX_OUTPUT, timed: false }
        }
        break
      case 'conv1d':
        current = conv(graph, current, layer, name, ranges.layers.get(layer.index))
        break
      case 'maxPool1d':
      case 'avgPool1d':
      case 'globalAvgPool1d': {
        const pool = layer.type === 'globalAvgPool1d' ? layer.steps : layer.poolSize
        const out = Math.floor(layer.steps / pool)
        const tensor = graph.activation(name, [1, 1, out, layer.channels], current.q)
        graph.operator(
          layer.type === 'maxPool1d' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D',
          2,
          [current.tensor],
          [tensor],
          {
            kind: 'pool2d',
            padding: 'VALID',
            strideW: pool,
            strideH: 1,
            filterWidth: pool,
            filterHeight: 1,
            activation: 'NONE',
          },
        )
        current = { tensor, q: current.q, timed: true }
        break
      }
      case 'flatten':
        current = flatten(current, name)
        break
      case 'dropout':
        break
    }
  }
  const reconstruct = float.objective === 'reconstruct'
  const model = graph.model(
    inputTensor,
    current.tensor,
    opts.description ??
      (reconstruct
        ? 'TinyLoop int8 autoencoder: its output is the reconstruction of its input'
        : `TinyLoop int8 classifier: ${float.classNames.join(', ')}`),
  )
  return {
    model,
    input: { ...inputQ, shape: [...(model.tensors[inputTensor] as TfliteTensor).shape] },
    // An autoencoder's output keeps the range its last layer was calibrated to.
    output: reconstruct
      ? { scale: current.q.scale, zeroPoint: current.q.zeroPoint, shape: [1, outputUnits(float)] }
      : { ...SOFTMAX_OUTPUT, shape: [1, float.classNames.length] },
    calibrationWindows: calibration.length,
  }
}

/** A normalized float window as the model's int8 input (the QUANTIZE op's arithmetic). */
export function quantizeInput(window: Float32Array, q: QuantParams): Int8Array {
  return Int8Array.from(window, (x) =>
    Math.min(127, Math.max(-128, roundHalfAway(Math.fround(x / q.scale)) + q.zeroPoint)),
  )
}

export function dequantize(values: Int8Array, q: QuantParams): Float32Array {
  return Float32Array.from(values, (v) => q.scale * (v - q.zeroPoint))
}

interface Range {
  min: number
  max: number
}

/** Where the activations flow: the current tensor, its quantization, and its layout. */
interface Flow {
  tensor: number
  q: QuantParams
  /** `[1, 1, time, channels]` (windows in time) or `[1, n]`. */
  timed: boolean
}

/** The input's and each weighted layer's output range over the calibration windows. */
function calibrate(
  layers: readonly ResolvedLayer[],
  windows: readonly Float32Array[],
  headroom: number,
) {
  const input: Range = { min: Infinity, max: -Infinity }
  const outputs = new Map<number, Range>()
  const widen = (range: Range, values: Float32Array) => {
    for (const v of values) {
      if (v < range.min) range.min = v
      if (v > range.max) range.max = v
    }
  }
  for (const window of windows) {
    widen(input, window)
    floatForward(layers, window, (layer, values) => {
      let range = outputs.get(layer.index)
      if (!range) outputs.set(layer.index, (range = { min: Infinity, max: -Infinity }))
      widen(range, values)
    })
  }
  const widened = (r: Range): Range => ({ min: r.min * headroom, max: r.max * headroom })
  return {
    input: widened(input),
    layers: new Map([...outputs].map(([index, range]) => [index, widened(range)])),
  }
}

/**
 * Asymmetric int8 parameters for a real range, as TFLite's converter computes them: the range
 * widened to include 0, scale = (max − min) / 255, and the zero point that maps min to -128,
 * rounded (so 0 is exactly representable). A range of nothing (an output that was always 0)
 * gets the range [0, 1].
 */
export function activationParams(range: Range): QuantParams {
  const min = Math.min(range.min, 0)
  let max = Math.max(range.max, 0)
  if (!(max - min > 1e-9)) max = min + 1
  const scale = Math.fround((max - min) / 255)
  const zeroPoint = Math.min(127, Math.max(-128, roundHalfAway(-128 - min / scale)))
  return { scale, zeroPoint }
}

/**
 * Symmetric int8 weights with one scale per group of `groupSize` consecutive values (a group per
 * output channel, or one group for the whole tensor): scale = max |w| / 127.
 */
export function symmetricWeights(values: Float32Array, groups: number) {
  const groupSize = values.length / groups
  const scales = Array.from({ length: groups }, (_, g) => {
    let maxAbs = 0
    for (let i = g * groupSize; i < (g + 1) * groupSize; i++)
      maxAbs = Math.max(maxAbs, Math.abs(values[i] as number))
    // All-zero weights: any scale gives zeros; 1 keeps the multipliers ordinary.
    return Math.fround(maxAbs > 0 ? maxAbs / 127 : 1)
  })
  const quantized = Int8Array.from(values, (w, i) => {
    const scale = scales[Math.floor(i / groupSize)] as number
    return Math.min(127, Math.max(-127, roundHalfAway(w / scale)))
  })
  return { quantized, scales }
}

/** int32 biases at scale input scale × weight scale of their channel. */
export function int32Biases(
  bias: Float32Array,
  inputScale: number,
  weightScales: readonly number[],
) {
  const scales = weightScales.map((w) => Math.fround(inputScale * w))
  const quantized = Int32Array.from(bias, (b, c) => {
    const scale = (scales.length > 1 ? scales[c] : scales[0]) as number
    return Math.min(2147483647, Math.max(-2147483648, roundHalfAway(b / scale)))
  })
  return { quantized, scales }
}

function fusedActivation(activation: string) {
  return activation === 'relu' ? 'RELU' : activation === 'relu6' ? 'RELU6' : 'NONE'
}

function fullyConnected(
  graph: GraphBuilder,
  flow: Flow,
  layer: ResolvedLayer & { type: 'dense' },
  name: string,
  range: Range | undefined,
): Flow {
  // The kernel is [inputs, units] in TF.js; FULLY_CONNECTED wants [units, inputs].
  const transposed = new Float32Array(layer.kernel.length)
  for (let i = 0; i < layer.inputs; i++) {
    for (let j = 0; j < layer.units; j++)
      transposed[j * layer.inputs + i] = layer.kernel[i * layer.units + j] as number
  }
  const weights = symmetricWeights(transposed, 1)
  const biases = int32Biases(layer.bias, flow.q.scale, weights.scales)
  const q = activationParams(range ?? { min: 0, max: 0 })
  const filter = graph.constant(
    `${name}/weights`,
    [layer.units, layer.inputs],
    'INT8',
    weights.quantized,
    weights.scales,
    0,
  )
  const bias = graph.constant(
    `${name}/bias`,
    [layer.units],
    'INT32',
    biases.quantized,
    biases.scales,
    0,
  )
  const tensor = graph.activation(
    layer.activation === 'softmax' ? 'logits' : name,
    [1, layer.units],
    q,
  )
  graph.operator('FULLY_CONNECTED', 4, [flow.tensor, filter, bias], [tensor], {
    kind: 'fullyConnected',
    activation: fusedActivation(layer.activation),
    keepNumDims: false,
    weightsFormat: 0,
  })
  return { tensor, q, timed: false }
}

function conv(
  graph: GraphBuilder,
  flow: Flow,
  layer: ResolvedLayer & { type: 'conv1d' },
  name: string,
  range: Range | undefined,
): Flow {
  const { kernelSize, channels, filters } = layer
  // TF.js's kernel [kernelSize, channels, filters] as CONV_2D's filter [filters, 1, kernelSize, channels].
  const reordered = new Float32Array(layer.kernel.length)
  for (let f = 0; f < filters; f++) {
    for (let k = 0; k < kernelSize; k++) {
      for (let c = 0; c < channels; c++) {
        reordered[(f * kernelSize + k) * channels + c] = layer.kernel[
          (k * channels + c) * filters + f
        ] as number
      }
    }
  }
  const weights = symmetricWeights(reordered, filters)
  const biases = int32Biases(layer.bias, flow.q.scale, weights.scales)
  const q = activationParams(range ?? { min: 0, max: 0 })
  const filter = graph.constant(
    `${name}/filter`,
    [filters, 1, kernelSize, channels],
    'INT8',
    weights.quantized,
    weights.scales,
    0,
  )
  const bias = graph.constant(
    `${name}/bias`,
    [filters],
    'INT32',
    biases.quantized,
    biases.scales,
    0,
  )
  const tensor = graph.activation(name, [1, 1, layer.steps - kernelSize + 1, filters], q)
  graph.operator('CONV_2D', 3, [flow.tensor, filter, bias], [tensor], {
    kind: 'conv2d',
    padding: 'VALID',
    strideW: 1,
    strideH: 1,
    dilationW: 1,
    dilationH: 1,
    activation: fusedActivation(layer.activation),
  })
  return { tensor, q, timed: true }
}

/** Collects tensors, buffers, operator codes and operators in the order the model runs. */
class GraphBuilder {
  readonly #tensors: TfliteTensor[] = []
  readonly #buffers: Uint8Array[] = [new Uint8Array(0)]
  readonly #codes: OperatorCode[] = []
  readonly #operators: TfliteModel['operators'] = []

  activation(name: string, shape: number[], q: QuantParams): number {
    return this.#add(name, shape, 'INT8', 0, {
      scale: [q.scale],
      zeroPoint: [q.zeroPoint],
      quantizedDimension: 0,
    })
  }

  constant(
    name: string,
    shape: number[],
    type: TensorType,
    values: Int8Array | Int32Array,
    scales: readonly number[],
    quantizedDimension: number,
  ): number {
    this.#buffers.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice())
    return this.#add(name, shape, type, this.#buffers.length - 1, {
      scale: [...scales],
      zeroPoint: scales.map(() => 0),
      quantizedDimension,
    })
  }

  elements(tensor: number): number {
    return (this.#tensors[tensor] as TfliteTensor).shape.reduce((a, b) => a * b, 1)
  }

  operator(
    name: keyof typeof BUILTIN,
    version: number,
    inputs: number[],
    outputs: number[],
    options: BuiltinOptions,
  ): void {
    const code = BUILTIN[name]
    let opcodeIndex = this.#codes.findIndex((c) => c.builtinCode === code)
    if (opcodeIndex < 0) {
      opcodeIndex =
        this.#codes.push({
          builtinCode: code,
          name,
          deprecatedBuiltinCode: code,
          version,
          customCode: null,
        }) - 1
    }
    this.#operators.push({ opcodeIndex, inputs, outputs, options })
  }

  model(input: number, output: number, description: string): TfliteModel {
    return {
      version: SCHEMA_VERSION,
      description,
      operatorCodes: this.#codes,
      tensors: this.#tensors,
      inputs: [input],
      outputs: [output],
      operators: this.#operators,
      buffers: this.#buffers,
    }
  }

  #add(
    name: string,
    shape: number[],
    type: TensorType,
    buffer: number,
    quantization: Quantization,
  ): number {
    return this.#tensors.push({ name, shape, shapeSignature: null, type, buffer, quantization }) - 1
  }
}
