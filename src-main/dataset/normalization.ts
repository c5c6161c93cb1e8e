/** Per-feature mean and standard deviation of the training windows, applied to every split. */
export interface Normalization {
  mean: number[]
  std: number[]
}

/**
 * Mean and population standard deviation (divided by n, float64) of each feature over the rows
 * where `isTraining` is true; a deviation below `stdFloor` becomes `stdFloor`, so a constant
 * feature normalizes to 0 instead of dividing by ~0. With no training rows: mean 0, std 1.
 */
export function computeNormalization(
  features: Float32Array,
  width: number,
  isTraining: readonly boolean[],
  stdFloor: number,
): Normalization {
  const sum = new Float64Array(width)
  const squares = new Float64Array(width)
  let n = 0
  isTraining.forEach((training, row) => {
    if (!training) return
    n++
    for (let f = 0; f < width; f++)
      sum[f] = (sum[f] as number) + (features[row * width + f] as number)
  })
  const mean = Array.from(sum, (s) => (n > 0 ? s / n : 0))
  isTraining.forEach((training, row) => {
    if (!training) return
    for (let f = 0; f < width; f++) {
      const d = (features[row * width + f] as number) - (mean[f] as number)
      squares[f] = (squares[f] as number) + d * d
    }
  })
  const std = Array.from(squares, (s) => (n > 0 ? Math.max(stdFloor, Math.sqrt(s / n)) : 1))
  return { mean, std }
}

/** (x - mean) / std, feature by feature, into a new array. */
export function normalize(features: Float32Array, normalization: Normalization): Float32Array {
  const width = normalization.mean.length
  const out = new Float32Array(features.length)
  for (let i = 0; i < features.length; i++) {
    const f = i % width
    out[i] =
      ((features[i] as number) - (normalization.mean[f] as number)) /
      (normalization.std[f] as number)
  }
  return out
}
