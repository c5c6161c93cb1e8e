import type * as TF from '@tensorflow/tfjs'
import type { LayerSpec } from '../../src-preload/contract/index.js'

type Tf = typeof TF

/** Weights as plain arrays, to store with a run or move between processes. */
export interface WeightTensor {
  name: string
  shape: number[]
  values: Float32Array
}

/**
 * A TensorFlow.js model of `layers` plus the output layer (`classes` units, softmax; or linear,
 * an autoencoder's reconstruction), with every initializer seeded (glorot-uniform kernels, zero
 * biases) so the same seed builds the same model. Dropout is a seeded layer of ours: its mask
 * differs from batch to batch, the same in every run.
 */
export function buildTfModel(
  tf: Tf,
  layers: readonly LayerSpec[],
  inputShape: readonly number[],
  classes: number,
  seed: number,
  output: 'softmax' | 'linear' = 'softmax',
): TF.Sequential {
  const SeededDropout = seededDropoutClass(tf)
  const model = tf.sequential()
  let first = true
  let timed = inputShape.length > 1
  /** The input shape goes on the first layer added, whichever it is. */
  const add = (make: (input: { inputShape?: number[] }) => TF.layers.Layer) => {
    model.add(make(first ? { inputShape: [...inputShape] } : {}))
    first = false
  }
  // A dense layer after windows in time sees them flattened, as the estimate counts them.
  const flat = () => {
    if (timed) add((input) => tf.layers.flatten(input))
    timed = false
  }
  const kernel = (index: number) => tf.initializers.glorotUniform({ seed: seed * 1009 + index })
  layers.forEach((layer, index) => {
    switch (layer.type) {
      case 'dense':
        flat()
        add((input) =>
          tf.layers.dense({
            ...input,
            units: layer.units,
            activation: layer.activation,
            kernelInitializer: kernel(index),
            biasInitializer: 'zeros',
          }),
        )
        break
      case 'conv1d':
        add((input) =>
          tf.layers.conv1d({
            ...input,
            filters: layer.filters,
            kernelSize: layer.kernelSize,
            strides: 1,
            padding: 'valid',
            activation: layer.activation,
            kernelInitializer: kernel(index),
            biasInitializer: 'zeros',
          }),
        )
        break
      case 'maxPool1d':
        add((input) => tf.layers.maxPooling1d({ ...input, poolSize: layer.poolSize }))
        break
      case 'avgPool1d':
        add((input) => tf.layers.averagePooling1d({ ...input, poolSize: layer.poolSize }))
        break
      case 'globalAvgPool1d':
        add((input) => tf.layers.globalAveragePooling1d(input))
        timed = false
        break
      case 'flatten':
        flat()
        break
      case 'dropout':
        add((input) => new SeededDropout({ ...input, rate: layer.rate, seed: seed * 7919 + index }))
        break
    }
  })
  flat()
  add((input) =>
    tf.layers.dense({
      ...input,
      units: classes,
      activation: output,
      kernelInitializer: kernel(layers.length),
      biasInitializer: 'zeros',
    }),
  )
  return model
}

/** The trainable kernels of layers with an L2 penalty, and the penalty. */
export function l2Terms(
  model: TF.Sequential,
  layers: readonly LayerSpec[],
): { kernel: TF.LayerVariable; l2: number }[] {
  const penalties = layers.flatMap((layer) =>
    (layer.type === 'dense' || layer.type === 'conv1d') && layer.l2 > 0 ? [layer.l2] : [],
  )
  if (penalties.length === 0) return []
  const weighted = model.layers.filter(
    (layer) => layer.getClassName() === 'Dense' || layer.getClassName() === 'Conv1D',
  )
  const terms: { kernel: TF.LayerVariable; l2: number }[] = []
  let next = 0
  layers.forEach((layer) => {
    if (layer.type !== 'dense' && layer.type !== 'conv1d') return
    const tfLayer = weighted[next++]
    const kernel = tfLayer?.trainableWeights[0]
    if (layer.l2 > 0 && kernel) terms.push({ kernel, l2: layer.l2 })
  })
  return terms
}

export function weightsOf(model: TF.Sequential): WeightTensor[] {
  return model.weights.map((weight) => ({
    name: weight.name,
    shape: weight.shape.map(Number),
    values: weight.read().dataSync() as Float32Array,
  }))
}

export function setWeights(tf: Tf, model: TF.Sequential, weights: readonly WeightTensor[]): void {
  const tensors = weights.map((w) => tf.tensor(w.values, w.shape))
  model.setWeights(tensors)
  for (const t of tensors) t.dispose()
}

let dropoutClass: ReturnType<typeof defineDropout> | null = null

function seededDropoutClass(tf: Tf) {
  dropoutClass ??= defineDropout(tf)
  return dropoutClass
}

function defineDropout(tf: Tf) {
  class SeededDropout extends tf.layers.Layer {
    static className = 'TinyLoopSeededDropout'
    readonly rate: number
    readonly seed: number
    #calls = 0

    constructor(config: { rate: number; seed: number; inputShape?: number[] }) {
      super(config)
      this.rate = config.rate
      this.seed = config.seed
    }

    override computeOutputShape(shape: TF.Shape | TF.Shape[]): TF.Shape | TF.Shape[] {
      return shape
    }

    override call(inputs: TF.Tensor | TF.Tensor[], kwargs: { training?: boolean }): TF.Tensor {
      const x = Array.isArray(inputs) ? (inputs[0] as TF.Tensor) : inputs
      if (!kwargs.training || this.rate === 0) return x
      return tf.dropout(x, this.rate, undefined, this.seed + this.#calls++)
    }
  }
  tf.serialization.registerClass(SeededDropout)
  return SeededDropout
}
