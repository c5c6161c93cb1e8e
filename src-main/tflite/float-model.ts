import type { LayerSpec } from '../../src-preload/contract/index.js'
import { shapeModel } from '../training/models.js'
import type { StoredModel } from '../training/run-record.js'
import type { WeightTensor } from '../training/tf-model.js'
import { TfliteError } from './model.js'

/** A trained float model: the layers before the softmax output layer, and their weights. */
export interface FloatModel {
  layers: LayerSpec[]
  /** One window: `[features]`, or `[time, channels]`. */
  inputShape: number[]
  classNames: string[]
  /** In TF.js order: each dense or conv1d layer's kernel then bias, the output layer's last. */
  weights: WeightTensor[]
  /**
   * `reconstruct`: an autoencoder, whose output layer is linear and as wide as its input (its
   * output is the reconstruction); else the classifier's softmax over `classNames`.
   */
  objective?: 'classify' | 'reconstruct'
}

/** The output layer's units: one per class, or (an autoencoder) one per input value. */
export function outputUnits(model: Pick<FloatModel, 'objective' | 'inputShape' | 'classNames'>) {
  return model.objective === 'reconstruct'
    ? model.inputShape.reduce((a, b) => a * b, 1)
    : model.classNames.length
}

/** A layer's activation function, as training names it. */
export type Activation = (LayerSpec & { type: 'dense' })['activation']

/** A layer with its weights in place, as the forward pass and the quantizer walk them. */
export type ResolvedLayer =
  | {
      type: 'dense'
      /** The position in `layers` (the output layer's is `layers.length`). */
      index: number
      inputs: number
      units: number
      activation: Activation | 'softmax'
      /** [inputs, units], TF.js's layout. */
      kernel: Float32Array
      bias: Float32Array
    }
  | {
      type: 'conv1d'
      index: number
      steps: number
      channels: number
      filters: number
      kernelSize: number
      activation: Activation
      /** [kernelSize, channels, filters], TF.js's layout. */
      kernel: Float32Array
      bias: Float32Array
    }
  | {
      type: 'maxPool1d' | 'avgPool1d'
      index: number
      steps: number
      channels: number
      poolSize: number
    }
  | { type: 'globalAvgPool1d'; index: number; steps: number; channels: number }
  | { type: 'flatten' | 'dropout'; index: number }

/**
 * The float model of a training run, from what the run stores (`readStoredModel` in
 * src-main/training/run-record.ts: `model.json` and the values of `weights.f32`), checked: the
 * layers stack on the input shape, and the weights have the shapes and the total they need.
 */
export function floatModelOf(stored: StoredModel, values: Float32Array): FloatModel {
  let at = 0
  const weights = stored.weights.map(({ name, shape }) => {
    const size = shape.reduce((a, b) => a * b, 1)
    const tensor = { name, shape, values: values.subarray(at, at + size) }
    at += size
    return tensor
  })
  if (at !== values.length) {
    throw new TfliteError(`The run's weights hold ${values.length} values; its model names ${at}.`)
  }
  const model: FloatModel = {
    layers: stored.layers,
    inputShape: stored.inputShape,
    classNames: stored.classNames,
    weights,
    objective: stored.objective,
  }
  resolveLayers(model)
  return model
}

/** Row-major windows of `inputShape` (a run's calibration sample, say), one array each. */
export function windowsOf(values: Float32Array, inputShape: readonly number[]): Float32Array[] {
  const width = inputShape.reduce((a, b) => a * b, 1)
  if (width === 0 || values.length % width !== 0) {
    throw new TfliteError(`The windows are not whole windows of ${width} values.`)
  }
  return Array.from({ length: values.length / width }, (_, i) =>
    values.subarray(i * width, (i + 1) * width),
  )
}

/** Each layer with its weights and the shape it sees, the output layer (softmax) last. */
export function resolveLayers(model: FloatModel): ResolvedLayer[] {
  const shaped = shapeModel(model.layers, model.inputShape, outputUnits(model))
  if (shaped.problems.length) throw new TfliteError(shaped.problems.join(' '))
  const weights = [...model.weights]
  const take = (index: number, shape: number[]) => {
    const w = weights.shift()
    if (!w || w.shape.join() !== shape.join()) {
      throw new TfliteError(
        `Layer ${index + 1} needs weights of shape [${shape.join(', ')}]; the run has ${w ? `[${w.shape.join(', ')}]` : 'none'}.`,
      )
    }
    return w.values
  }
  const resolved = shaped.layers.map((s, index): ResolvedLayer => {
    const layer = s.layer
    const [steps = 0, channels = 0] = s.inputShape
    const inputs = s.inputShape.reduce((a, b) => a * b, 1)
    switch (layer.type) {
      case 'output':
        return {
          type: 'dense',
          index,
          inputs,
          units: layer.units,
          activation: model.objective === 'reconstruct' ? 'linear' : 'softmax',
          kernel: take(index, [inputs, layer.units]),
          bias: take(index, [layer.units]),
        }
      case 'dense':
        return {
          type: 'dense',
          index,
          inputs,
          units: layer.units,
          activation: layer.activation,
          kernel: take(index, [inputs, layer.units]),
          bias: take(index, [layer.units]),
        }
      case 'conv1d':
        return {
          type: 'conv1d',
          index,
          steps,
          channels,
          filters: layer.filters,
          kernelSize: layer.kernelSize,
          activation: layer.activation,
          kernel: take(index, [layer.kernelSize, channels, layer.filters]),
          bias: take(index, [layer.filters]),
        }
      case 'maxPool1d':
      case 'avgPool1d':
        return { type: layer.type, index, steps, channels, poolSize: layer.poolSize }
      case 'globalAvgPool1d':
        return { type: 'globalAvgPool1d', index, steps, channels }
      case 'flatten':
      case 'dropout':
        return { type: layer.type, index }
    }
  })
  if (weights.length)
    throw new TfliteError(`The run has ${weights.length} weight tensors more than its layers use.`)
  return resolved
}

/**
 * The float forward pass (inference: dropout does nothing), the reference the int8 model is
 * measured against. Values are float32 between layers, as in TF.js; sums are in double.
 * `observe` sees each dense and conv1d layer's output (after its activation; the output
 * layer's before the softmax), which is what calibration needs.
 */
export function floatForward(
  layers: readonly ResolvedLayer[],
  window: Float32Array,
  observe?: (layer: ResolvedLayer, values: Float32Array) => void,
): Float32Array {
  let x = window
  for (const layer of layers) {
    switch (layer.type) {
      case 'dense': {
        const out = new Float32Array(layer.units)
        for (let j = 0; j < layer.units; j++) {
          let sum = layer.bias[j] as number
          for (let i = 0; i < layer.inputs; i++) {
            sum += (x[i] as number) * (layer.kernel[i * layer.units + j] as number)
          }
          out[j] = activate(sum, layer.activation)
        }
        observe?.(layer, out)
        x = layer.activation === 'softmax' ? softmax(out) : out
        break
      }
      case 'conv1d': {
        const steps = layer.steps - layer.kernelSize + 1
        const out = new Float32Array(steps * layer.filters)
        for (let t = 0; t < steps; t++) {
          for (let f = 0; f < layer.filters; f++) {
            let sum = layer.bias[f] as number
            for (let k = 0; k < layer.kernelSize; k++) {
              for (let c = 0; c < layer.channels; c++) {
                sum +=
                  (x[(t + k) * layer.channels + c] as number) *
                  (layer.kernel[(k * layer.channels + c) * layer.filters + f] as number)
              }
            }
            out[t * layer.filters + f] = activate(sum, layer.activation)
          }
        }
        observe?.(layer, out)
        x = out
        break
      }
      case 'maxPool1d':
      case 'avgPool1d': {
        const steps = Math.floor(layer.steps / layer.poolSize)
        const out = new Float32Array(steps * layer.channels)
        for (let t = 0; t < steps; t++) {
          for (let c = 0; c < layer.channels; c++) {
            let acc = layer.type === 'maxPool1d' ? -Infinity : 0
            for (let p = 0; p < layer.poolSize; p++) {
              const v = x[(t * layer.poolSize + p) * layer.channels + c] as number
              acc = layer.type === 'maxPool1d' ? Math.max(acc, v) : acc + v
            }
            out[t * layer.channels + c] = layer.type === 'maxPool1d' ? acc : acc / layer.poolSize
          }
        }
        x = out
        break
      }
      case 'globalAvgPool1d': {
        const out = new Float32Array(layer.channels)
        for (let c = 0; c < layer.channels; c++) {
          let sum = 0
          for (let t = 0; t < layer.steps; t++) sum += x[t * layer.channels + c] as number
          out[c] = sum / layer.steps
        }
        x = out
        break
      }
      case 'flatten':
      case 'dropout':
        break
    }
  }
  return x
}

function activate(x: number, activation: Activation | 'softmax') {
  switch (activation) {
    case 'relu':
      return Math.max(0, x)
    case 'relu6':
      return Math.min(6, Math.max(0, x))
    case 'tanh':
      return Math.tanh(x)
    default:
      return x
  }
}

function softmax(logits: Float32Array): Float32Array {
  const max = Math.max(...logits)
  const exps = Array.from(logits, (v) => Math.exp(v - max))
  const sum = exps.reduce((a, b) => a + b, 0)
  return Float32Array.from(exps, (e) => e / sum)
}
