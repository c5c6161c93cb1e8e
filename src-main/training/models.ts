import type { LayerSpec, ModelPreset, ModelSpec } from '../../src-preload/contract/index.js'

/**
 * The model presets and the shapes of a model's layers, worked out without TensorFlow.js (so the
 * app can size a model as it is edited). Windows reach the model as `[features]` (stats,
 * spectral, snapshot) or `[time, channels]` (raw); the output layer, one unit per class with
 * softmax, comes after the given layers.
 */

/** Layers of each preset, before the output layer. */
export const PRESETS: Record<ModelPreset, LayerSpec[]> = {
  // Two small hidden layers: enough for a few dozen summary features, about 1-2 k parameters.
  dense: [
    { type: 'dense', units: 32, activation: 'relu', l2: 0 },
    { type: 'dropout', rate: 0.1 },
    { type: 'dense', units: 16, activation: 'relu', l2: 0 },
  ],
  // Two convolutions with pooling (strides stay 1), then the average over time: the size does
  // not grow with the window, and the activations of a long window fit in a few kilobytes.
  conv1d: [
    { type: 'conv1d', filters: 8, kernelSize: 5, activation: 'relu', l2: 0 },
    { type: 'maxPool1d', poolSize: 4 },
    { type: 'conv1d', filters: 16, kernelSize: 5, activation: 'relu', l2: 0 },
    { type: 'maxPool1d', poolSize: 4 },
    { type: 'globalAvgPool1d' },
    { type: 'dense', units: 16, activation: 'relu', l2: 0 },
  ],
}

/** The preset that suits a feature kind: convolutions over raw windows, dense otherwise. */
export function presetFor(featureKind: string): ModelPreset {
  return featureKind === 'raw' ? 'conv1d' : 'dense'
}

/** The layers a spec stands for: its own, else its preset's, else the preset of the features. */
export function layersOf(spec: ModelSpec, featureKind: string): LayerSpec[] {
  return spec.layers ?? PRESETS[spec.preset ?? presetFor(featureKind)]
}

export interface ShapedLayer {
  /** The spec, or the output layer. */
  layer: LayerSpec | { type: 'output'; units: number }
  inputShape: number[]
  outputShape: number[]
  /** Weights and biases. */
  params: number
  /** The bias count (kept as int32 in an int8 model). */
  biases: number
}

/**
 * Each layer with its input and output shape and parameter count; `problems` says, in words,
 * why the layers cannot be stacked on this input (a kernel longer than what reaches it, a
 * convolution after the time axis is gone, ...).
 */
export function shapeModel(
  layers: readonly LayerSpec[],
  inputShape: readonly number[],
  classes: number,
): { layers: ShapedLayer[]; problems: string[] } {
  const shaped: ShapedLayer[] = []
  const problems: string[] = []
  let shape = [...inputShape]
  const add = (layer: ShapedLayer['layer'], outputShape: number[], params = 0, biases = 0) => {
    shaped.push({ layer, inputShape: shape, outputShape, params, biases })
    shape = outputShape
  }
  layers.forEach((layer, index) => {
    const where = `Layer ${index + 1} (${layer.type})`
    const timed = shape.length === 2
    const [steps = 0, channels = 0] = shape
    switch (layer.type) {
      case 'dense': {
        // Windows in time reach a dense layer flattened.
        const inputs = shape.reduce((a, b) => a * b, 1)
        add(layer, [layer.units], inputs * layer.units + layer.units, layer.units)
        return
      }
      case 'conv1d': {
        if (!timed) {
          problems.push(`${where} needs windows in time (raw features, before any flatten).`)
          add(layer, shape)
          return
        }
        const out = steps - layer.kernelSize + 1
        if (out < 1) {
          problems.push(
            `${where}: its kernel of ${layer.kernelSize} is longer than the ${steps} time steps ` +
              'that reach it. Use a shorter kernel, fewer pooling layers or longer windows.',
          )
        }
        add(
          layer,
          [Math.max(out, 1), layer.filters],
          layer.kernelSize * channels * layer.filters + layer.filters,
          layer.filters,
        )
        return
      }
      case 'maxPool1d':
      case 'avgPool1d': {
        if (!timed) {
          problems.push(`${where} needs windows in time (raw features, before any flatten).`)
          add(layer, shape)
          return
        }
        const out = Math.floor(steps / layer.poolSize)
        if (out < 1) {
          problems.push(`${where}: a pool of ${layer.poolSize} is longer than the ${steps} steps.`)
        }
        add(layer, [Math.max(out, 1), channels])
        return
      }
      case 'globalAvgPool1d':
        if (!timed) problems.push(`${where} needs windows in time (raw features).`)
        add(layer, timed ? [channels] : shape)
        return
      case 'flatten':
        add(layer, [shape.reduce((a, b) => a * b, 1)])
        return
      case 'dropout':
        add(layer, shape)
        return
    }
  })
  const inputs = shape.reduce((a, b) => a * b, 1)
  add({ type: 'output', units: classes }, [classes], inputs * classes + classes, classes)
  return { layers: shaped, problems }
}
