import type { LayerSpec, LayerSpecInput } from '../../../src-preload/contract/index.js'
import { LayerSpec as LayerSchema } from '../../../src-preload/contract/index.js'
import { seededRandom } from '../../../src-main/seeded-random.js'
import { shapeModel } from '../../../src-main/training/models.js'
import type { FloatModel } from '../../../src-main/tflite/float-model.js'

/**
 * A float model of `layers` with seeded random weights (uniform, glorot-sized) and small random
 * biases, in TF.js's weight order and layouts: models for the quantizer and the runtimes without
 * training one. Windows come from `windows`.
 */
export function randomModel(
  layers: LayerSpecInput[],
  inputShape: number[],
  classes: number,
  seed = 1,
): FloatModel {
  const parsed: LayerSpec[] = layers.map((l) => LayerSchema.parse(l))
  const random = seededRandom(seed)
  const uniform = (n: number, limit: number) =>
    Float32Array.from({ length: n }, () => (random() * 2 - 1) * limit)
  const weights = shapeModel(parsed, inputShape, classes).layers.flatMap((s, i) => {
    if (s.params === 0) return []
    const kernelSize = s.params - s.biases
    const fanIn = kernelSize / s.biases
    const kernelShape =
      s.layer.type === 'conv1d'
        ? [s.layer.kernelSize, s.inputShape[1] as number, s.layer.filters]
        : [fanIn, s.biases]
    return [
      {
        name: `w${i}`,
        shape: kernelShape,
        values: uniform(kernelSize, Math.sqrt(6 / (fanIn + s.biases))),
      },
      { name: `b${i}`, shape: [s.biases], values: uniform(s.biases, 0.1) },
    ]
  })
  return {
    layers: parsed,
    inputShape,
    classNames: Array.from({ length: classes }, (_, i) => `class${i}`),
    weights,
  }
}

/** `count` windows of `shape` with normal-ish values (normalized features look like this). */
export function windows(count: number, shape: readonly number[], seed = 2): Float32Array[] {
  const random = seededRandom(seed)
  const width = shape.reduce((a, b) => a * b, 1)
  return Array.from({ length: count }, () =>
    Float32Array.from({ length: width }, () => (random() + random() + random() - 1.5) * 2),
  )
}
