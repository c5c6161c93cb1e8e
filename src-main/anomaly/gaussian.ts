/**
 * The Gaussian anomaly model (docs/anomaly.md): the mean of the normal training windows'
 * features and the inverse of their covariance, shrunk towards a scaled identity (Ledoit and
 * Wolf's estimate of the amount), so it stays invertible and well conditioned with few windows,
 * even fewer than features. A window's score is its squared Mahalanobis distance from the mean.
 * No neural network; on a device, `mean`, `precision` and a threshold are all it needs.
 */

export interface GaussianModel {
  /** Features per window. */
  width: number
  mean: Float64Array
  /** The inverse of the shrunk covariance, row-major, width × width. */
  precision: Float64Array
  /** The weight of the identity target in the shrunk covariance, 0 to 1. */
  shrinkage: number
}

/**
 * Fits the model to `rows` (windows × width, row-major, normalized features): the sample mean,
 * the sample covariance S (divided by n), and Σ = (1 − δ) S + δ μ I with μ = trace(S) / width and
 * δ from Ledoit-Wolf (2004), clamped to [0, 1]; `shrinkage` overrides δ.
 */
export function fitGaussian(
  rows: ArrayLike<number>,
  width: number,
  opts: { shrinkage?: number } = {},
): GaussianModel {
  const n = Math.floor(rows.length / width)
  if (n < 2) throw new Error(`The Gaussian model needs 2 windows or more; it got ${n}.`)
  const mean = new Float64Array(width)
  for (let i = 0; i < n; i++)
    for (let f = 0; f < width; f++) mean[f] = (mean[f] as number) + (rows[i * width + f] as number)
  for (let f = 0; f < width; f++) mean[f] = (mean[f] as number) / n
  const centered = new Float64Array(n * width)
  for (let i = 0; i < n; i++)
    for (let f = 0; f < width; f++)
      centered[i * width + f] = (rows[i * width + f] as number) - (mean[f] as number)
  const cov = new Float64Array(width * width)
  for (let i = 0; i < n; i++) {
    const at = i * width
    for (let a = 0; a < width; a++) {
      const xa = centered[at + a] as number
      if (xa === 0) continue
      for (let b = a; b < width; b++)
        cov[a * width + b] = (cov[a * width + b] as number) + xa * (centered[at + b] as number)
    }
  }
  for (let a = 0; a < width; a++)
    for (let b = a; b < width; b++) {
      const v = (cov[a * width + b] as number) / n
      cov[a * width + b] = v
      cov[b * width + a] = v
    }
  let trace = 0
  for (let a = 0; a < width; a++) trace += cov[a * width + a] as number
  const mu = trace / width
  const shrinkage = opts.shrinkage ?? ledoitWolf(centered, n, width, cov, mu)
  const shrunk = new Float64Array(width * width)
  for (let a = 0; a < width; a++)
    for (let b = 0; b < width; b++) {
      const s = (1 - shrinkage) * (cov[a * width + b] as number)
      shrunk[a * width + b] = a === b ? s + shrinkage * mu : s
    }
  // A feature constant in every normal window (and μ = 0 with it) still needs a finite inverse.
  const floor = Math.max(mu, 1) * 1e-9
  for (let a = 0; a < width; a++)
    shrunk[a * width + a] = Math.max(shrunk[a * width + a] as number, floor)
  return { width, mean, precision: invertSpd(shrunk, width), shrinkage }
}

/**
 * Ledoit-Wolf's shrinkage intensity towards μI: δ = min(1, b² / d²) with d² = ‖S − μI‖², b² =
 * min(d², (1/n²) Σᵢ ‖xᵢxᵢᵀ − S‖²) (Frobenius norms).
 */
function ledoitWolf(
  centered: Float64Array,
  n: number,
  width: number,
  cov: Float64Array,
  mu: number,
): number {
  let d2 = 0
  for (let a = 0; a < width; a++)
    for (let b = 0; b < width; b++) {
      const v = (cov[a * width + b] as number) - (a === b ? mu : 0)
      d2 += v * v
    }
  if (d2 === 0) return 1
  let b2 = 0
  for (let i = 0; i < n; i++) {
    const at = i * width
    for (let a = 0; a < width; a++) {
      const xa = centered[at + a] as number
      for (let b = 0; b < width; b++) {
        const v = xa * (centered[at + b] as number) - (cov[a * width + b] as number)
        b2 += v * v
      }
    }
  }
  b2 /= n * n
  return Math.min(1, Math.min(b2, d2) / d2)
}

/** The squared Mahalanobis distance of `x` (normalized features) from the model's mean. */
export function gaussianScore(model: GaussianModel, x: ArrayLike<number>, at = 0): number {
  const { width, mean, precision } = model
  let sum = 0
  for (let a = 0; a < width; a++) {
    const da = (x[at + a] as number) - (mean[a] as number)
    let row = 0
    for (let b = 0; b < width; b++)
      row += (precision[a * width + b] as number) * ((x[at + b] as number) - (mean[b] as number))
    sum += da * row
  }
  return sum
}

/** The inverse of a symmetric positive definite matrix, through its Cholesky factor. */
export function invertSpd(matrix: Float64Array, width: number): Float64Array {
  const l = new Float64Array(width * width)
  for (let i = 0; i < width; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * width + j] as number
      for (let k = 0; k < j; k++) sum -= (l[i * width + k] as number) * (l[j * width + k] as number)
      if (i === j) {
        if (!(sum > 0)) throw new Error('The covariance is not positive definite.')
        l[i * width + i] = Math.sqrt(sum)
      } else l[i * width + j] = sum / (l[j * width + j] as number)
    }
  }
  // L⁻¹ by forward substitution, then (L⁻¹)ᵀ L⁻¹.
  const inv = new Float64Array(width * width)
  for (let col = 0; col < width; col++) {
    for (let i = col; i < width; i++) {
      let sum = i === col ? 1 : 0
      for (let k = col; k < i; k++)
        sum -= (l[i * width + k] as number) * (inv[k * width + col] as number)
      inv[i * width + col] = sum / (l[i * width + i] as number)
    }
  }
  const out = new Float64Array(width * width)
  for (let a = 0; a < width; a++)
    for (let b = a; b < width; b++) {
      let sum = 0
      for (let k = b; k < width; k++)
        sum += (inv[k * width + a] as number) * (inv[k * width + b] as number)
      out[a * width + b] = sum
      out[b * width + a] = sum
    }
  return out
}
