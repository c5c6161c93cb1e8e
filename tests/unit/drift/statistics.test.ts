import { describe, expect, it } from 'vitest'
import {
  binShares,
  decileEdges,
  histogram,
  kolmogorovQ,
  ksTwoSample,
  psi,
  PSI_FLOOR,
} from '../../../src-main/drift/statistics.js'
import { seededRandom } from '../../../src-main/seeded-random.js'

const range = (n: number, f: (i: number) => number) =>
  Float64Array.from({ length: n }, (_, i) => f(i))

function gaussians(n: number, seed: number, mean = 0, sd = 1): Float64Array {
  const r = seededRandom(seed)
  return range(n, () => {
    const u = Math.max(r(), 1e-12)
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r())
  })
}

describe('PSI', () => {
  it('is the hand-computed sum over bins', () => {
    // Reference 50/50, live 80/20: (0.8−0.5)·ln(0.8/0.5) + (0.2−0.5)·ln(0.2/0.5).
    const expected = 0.3 * Math.log(1.6) + -0.3 * Math.log(0.4)
    expect(psi([0.5, 0.5], [0.8, 0.2])).toBeCloseTo(expected, 12)
    expect(psi([0.25, 0.25, 0.5], [0.25, 0.25, 0.5])).toBe(0)
  })

  it('floors empty bins instead of going infinite', () => {
    const value = psi([1, 0], [0, 1])
    expect(Number.isFinite(value)).toBe(true)
    expect(value).toBeCloseTo(2 * (1 - PSI_FLOOR) * Math.log(1 / PSI_FLOOR), 6)
  })

  it('bins at the reference deciles: the reference falls a tenth in each bin', () => {
    const reference = range(1000, (i) => i)
    const edges = decileEdges(reference)
    expect(edges).toHaveLength(9)
    for (const share of binShares(reference, edges)) expect(share).toBeCloseTo(0.1, 2)
  })

  it('gives a constant feature one bin edge: 0 when it stays, large when it moves', () => {
    const constant = new Float64Array(100).fill(2)
    const edges = decileEdges(constant)
    expect(edges).toEqual([2])
    expect(psi(binShares(constant, edges), binShares(constant, edges))).toBe(0)
    const moved = new Float64Array(100).fill(3)
    expect(psi(binShares(constant, edges), binShares(moved, edges))).toBeGreaterThan(5)
  })

  it('stays under 0.1 for two samples of one distribution and goes over 0.25 for a shift of 1 σ', () => {
    const a = gaussians(2000, 1)
    const edges = decileEdges(a)
    expect(psi(binShares(a, edges), binShares(gaussians(2000, 2), edges))).toBeLessThan(0.1)
    expect(psi(binShares(a, edges), binShares(gaussians(2000, 3, 1), edges))).toBeGreaterThan(0.25)
  })
})

describe('Kolmogorov-Smirnov', () => {
  it('finds the largest gap between the empirical CDFs', () => {
    // a = 1..4, b = 3..6: at 2 the CDFs are 0.5 and 0; at 4, 1 and 0.5.
    const { d } = ksTwoSample(Float64Array.of(1, 2, 3, 4), Float64Array.of(3, 4, 5, 6))
    expect(d).toBeCloseTo(0.5, 12)
    expect(ksTwoSample(Float64Array.of(1, 2), Float64Array.of(5, 6)).d).toBe(1)
  })

  it("has Kolmogorov's tail: Q(1.36) ≈ 0.05, Q(1.63) ≈ 0.01", () => {
    expect(kolmogorovQ(1.358)).toBeCloseTo(0.05, 3)
    expect(kolmogorovQ(1.628)).toBeCloseTo(0.01, 3)
    expect(kolmogorovQ(0.1)).toBe(1)
  })

  it('is not significant on one distribution and is on a shifted one', () => {
    expect(ksTwoSample(gaussians(1000, 4), gaussians(1000, 5)).p).toBeGreaterThan(0.01)
    expect(ksTwoSample(gaussians(1000, 4), gaussians(1000, 6, 0.3)).p).toBeLessThan(1e-6)
  })

  it('counts overlapping windows as fewer: the same D is less significant', () => {
    const a = gaussians(600, 7)
    const b = gaussians(600, 8, 0.15)
    const whole = ksTwoSample(a, b)
    const half = ksTwoSample(a, b, 0.5)
    expect(half.d).toBe(whole.d)
    expect(half.p).toBeGreaterThan(whole.p)
  })
})

describe('histogram', () => {
  it('puts both samples in equal bins over their common span, shares summing to 1', () => {
    const h = histogram(
      range(100, (i) => i + 100),
      range(100, (i) => i + 150),
      10,
    )
    expect(h.scale).toBe('linear')
    expect(h.edges).toHaveLength(11)
    const widths = h.edges.slice(1).map((e, k) => e - (h.edges[k] as number))
    for (const w of widths) expect(w).toBeCloseTo(widths[0] as number, 9)
    expect(h.reference.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12)
    expect(h.live.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12)
    // The shifted sample sits higher: more of it in the top bin, none in the bottom one.
    expect(h.live[9]).toBeGreaterThan(h.reference[9] as number)
    expect(h.live[0]).toBe(0)
  })

  it('bins positive values spanning a hundredfold by equal ratios', () => {
    const h = histogram(
      range(100, (i) => 1e-6 * 1.1 ** i),
      range(100, (i) => 1e-4 * 1.1 ** i),
      12,
    )
    expect(h.scale).toBe('log')
    const ratios = h.edges.slice(1).map((e, k) => e / (h.edges[k] as number))
    for (const r of ratios) expect(r).toBeCloseTo(ratios[0] as number, 9)
    expect(h.reference.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12)
  })
})
