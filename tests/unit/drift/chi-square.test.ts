import { describe, expect, it } from 'vitest'
import { chiSquareQ, chiSquareTwoSample } from '../../../src-main/drift/statistics.js'
import { judge } from '../../../src-main/drift/drift-service.js'

describe('the chi-square test of the class mix', () => {
  it("gives the distribution's upper tail (values from scipy.stats.chi2.sf)", () => {
    const cases: [number, number, number][] = [
      [3.841458820694124, 1, 0.05],
      [9.21, 2, 0.01000170200470548],
      [0.5, 3, 0.9188914116546758],
      [20, 5, 0.0012497305630313773],
      [0.001, 1, 0.9747728793699604],
      [7.8, 7, 0.35055979159798917],
    ]
    for (const [x, df, p] of cases) expect(chiSquareQ(x, df)).toBeCloseTo(p, 10)
    expect(chiSquareQ(100, 2) / 1.9287498479639183e-22).toBeCloseTo(1, 8)
    expect(chiSquareQ(0, 2)).toBe(1)
  })

  it('is the 2 × k contingency test on effective counts (scipy.stats.chi2_contingency)', () => {
    // 547 training windows at 82/14/3 %, 39 live windows all normal, half of each independent.
    const { chi2, p } = chiSquareTwoSample([0.824, 0.143, 0.033], 547, [1, 0, 0], 39, 0.5)
    expect(chi2).toBeCloseTo(4.106671458442237, 2)
    expect(p).toBeCloseTo(0.1283061942348105, 3)
    // The same shares over ten times the windows: significant.
    expect(chiSquareTwoSample([0.824, 0.143, 0.033], 547, [1, 0, 0], 390, 0.5).p).toBeLessThan(1e-6)
    // Equal mixes, classes neither has, empty samples.
    expect(chiSquareTwoSample([0.5, 0.5, 0], 100, [0.5, 0.5, 0], 100).p).toBeCloseTo(1, 12)
    expect(chiSquareTwoSample([1, 0], 100, [1, 0], 100).p).toBe(1)
    expect(chiSquareTwoSample([0.5, 0.5], 100, [0, 0], 0).p).toBe(1)
  })

  it('keeps a few windows of normal running from calling the class mix drift', () => {
    const classMix = [
      { classId: 1, name: 'normal', training: 0.824, live: 1 },
      { classId: 2, name: 'imbalance', training: 0.143, live: 0 },
      { classId: 3, name: 'bearing', training: 0.033, live: 0 },
    ]
    const base = {
      features: [],
      axes: [],
      classMix,
      classMixPsi: 1.26,
      normalClassId: 1,
      liveWindows: 39,
      strideMs: 500,
    }
    const few = judge({ ...base, classMixP: 0.13 })
    expect(few.verdict).toBe('no drift')
    expect(few.summary).toMatch(/differs no more than chance allows/)
    expect(judge({ ...base, classMixP: 1e-5 }).cause).toBe('class mix')
  })
})
