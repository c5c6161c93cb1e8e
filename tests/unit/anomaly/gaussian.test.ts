import { describe, expect, it } from 'vitest'
import { fitGaussian, gaussianScore, invertSpd } from '../../../src-main/anomaly/gaussian.js'
import { seededRandom } from '../../../src-main/seeded-random.js'

function gaussianRows(n: number, width: number, seed: number): Float64Array {
  const r = seededRandom(seed)
  return Float64Array.from({ length: n * width }, () => {
    const u = Math.max(r(), 1e-12)
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r())
  })
}

describe('the Gaussian anomaly model', () => {
  // Four windows: x spread ±1, y spread ±2, uncorrelated. Mean 0; covariance (÷n) diag(0.5, 2).
  const rows = Float64Array.of(1, 0, -1, 0, 0, 2, 0, -2)

  it('scores the squared Mahalanobis distance, by hand without shrinkage', () => {
    const model = fitGaussian(rows, 2, { shrinkage: 0 })
    expect(Array.from(model.mean)).toEqual([0, 0])
    // Precision diag(2, 0.5): (1, 1) scores 1·2 + 1·0.5.
    expect(gaussianScore(model, [1, 1])).toBeCloseTo(2.5, 12)
    expect(gaussianScore(model, [0, 0])).toBe(0)
    expect(gaussianScore(model, [0, -2])).toBeCloseTo(2, 12)
  })

  it('shrinks a scaled identity fully: nothing to learn beyond μI', () => {
    expect(fitGaussian(gaussianRows(5000, 10, 4), 10).shrinkage).toBeGreaterThan(0.8)
  })

  it('shrinks the covariance towards μI: Σ = (1 − δ)S + δ·trace(S)/p·I', () => {
    // δ = 0.5, μ = 1.25: Σ = diag(0.875, 1.625).
    const model = fitGaussian(rows, 2, { shrinkage: 0.5 })
    expect(gaussianScore(model, [1, 1])).toBeCloseTo(1 / 0.875 + 1 / 1.625, 12)
  })

  it('fits with fewer windows than features, and its Ledoit-Wolf shrinkage falls with more data', () => {
    // Feature f has deviation f + 1: far from a scaled identity, so much data needs little shrinkage.
    const scaled = (rows: Float64Array) => rows.map((v, i) => v * ((i % 10) + 1))
    const few = fitGaussian(scaled(gaussianRows(5, 10, 1)), 10)
    expect(few.shrinkage).toBeGreaterThan(0)
    expect(few.shrinkage).toBeLessThanOrEqual(1)
    expect(Array.from(few.precision).every(Number.isFinite)).toBe(true)
    const many = fitGaussian(scaled(gaussianRows(5000, 10, 2)), 10)
    expect(many.shrinkage).toBeLessThan(few.shrinkage)
    expect(many.shrinkage).toBeLessThan(0.05)
    // The squared distance of a window from its own distribution averages the dimension.
    const test = scaled(gaussianRows(2000, 10, 3))
    let sum = 0
    for (let i = 0; i < 2000; i++) sum += gaussianScore(many, test, i * 10)
    expect(sum / 2000).toBeGreaterThan(9)
    expect(sum / 2000).toBeLessThan(11)
  })

  it('keeps a feature that never varies finite instead of dividing by zero', () => {
    const constant = Float64Array.of(1, 5, 2, 5, 3, 5, 4, 5)
    const model = fitGaussian(constant, 2, { shrinkage: 0 })
    expect(Number.isFinite(gaussianScore(model, [2.5, 5]))).toBe(true)
    expect(gaussianScore(model, [2.5, 6])).toBeGreaterThan(1e6)
  })

  it('refuses fewer than two windows', () => {
    expect(() => fitGaussian(Float64Array.of(1, 2), 2)).toThrow(/2 windows or more/)
  })
})

describe('the inverse of a symmetric positive definite matrix', () => {
  it('gives the identity when multiplied back', () => {
    const width = 6
    const a = gaussianRows(width, width, 9)
    // M = AᵀA + I is symmetric positive definite.
    const m = new Float64Array(width * width)
    for (let i = 0; i < width; i++)
      for (let j = 0; j < width; j++) {
        let sum = i === j ? 1 : 0
        for (let k = 0; k < width; k++)
          sum += (a[k * width + i] as number) * (a[k * width + j] as number)
        m[i * width + j] = sum
      }
    const inv = invertSpd(m, width)
    for (let i = 0; i < width; i++)
      for (let j = 0; j < width; j++) {
        let sum = 0
        for (let k = 0; k < width; k++)
          sum += (m[i * width + k] as number) * (inv[k * width + j] as number)
        expect(sum).toBeCloseTo(i === j ? 1 : 0, 9)
      }
  })

  it('says so when the matrix is not positive definite', () => {
    expect(() => invertSpd(Float64Array.of(1, 2, 2, 1), 2)).toThrow(/not positive definite/)
  })
})
