import { describe, expect, it } from 'vitest'
import type { ClassShare, FeatureDrift } from '../../../src-preload/contract/index.js'
import {
  axisTotals,
  compareFeature,
  judge,
  stateOf,
  type JudgeInput,
} from '../../../src-main/drift/drift-service.js'
import { seededRandom } from '../../../src-main/seeded-random.js'

function gaussians(n: number, seed: number, mean = 0, sd = 1): Float64Array {
  const r = seededRandom(seed)
  return Float64Array.from({ length: n }, () => {
    const u = Math.max(r(), 1e-12)
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r())
  })
}

const mix: ClassShare[] = [
  { classId: 1, name: 'normal', training: 0.8, live: 0.8 },
  { classId: 2, name: 'bearing', training: 0.2, live: 0.2 },
]

function input(features: FeatureDrift[], extra: Partial<JudgeInput> = {}): JudgeInput {
  return {
    features,
    axes: [],
    classMix: mix,
    classMixPsi: 0,
    normalClassId: 1,
    liveWindows: 500,
    strideMs: 500,
    ...extra,
  }
}

describe('feature states', () => {
  it('needs both the PSI and KS: a large PSI that KS does not back is stable', () => {
    expect(stateOf(0.5, 0.2)).toBe('stable')
    expect(stateOf(0.5, 0.001)).toBe('moved')
    expect(stateOf(0.15, 0.001)).toBe('shifting')
    expect(stateOf(0.05, 0.001)).toBe('stable')
  })
})

describe('the verdict', () => {
  it('is no drift on data like the training data', () => {
    const f = compareFeature('ax_std', gaussians(800, 1), gaussians(800, 2))
    expect(f.state).toBe('stable')
    const v = judge(input([f]))
    expect(v.verdict).toBe('no drift')
    expect(v.cause).toBeNull()
  })

  it('says too little data under the minimum, and how much more to record', () => {
    const f = compareFeature('ax_std', gaussians(800, 1), gaussians(10, 2, 5))
    const v = judge(input([f], { liveWindows: 10 }))
    expect(v.verdict).toBe('too little data')
    expect(v.nextStep).toMatch(/Record at least 10 s more/)
  })

  it("points to the machine's condition when the features and their totals move together", () => {
    const names = ['ax_band3', 'ay_band3']
    const columns = names.map((_, k) => ({
      training: gaussians(800, 10 + k, 1, 0.2),
      live: gaussians(800, 20 + k, 2, 0.2),
    }))
    const drifts = names.map((n, k) => compareFeature(n, columns[k]!.training, columns[k]!.live))
    const axes = axisTotals(names, columns, drifts)
    expect(axes[0]!.totalRatio).toBeGreaterThan(1.5)
    const v = judge(
      input(
        [...drifts].sort((a, b) => b.psi - a.psi),
        {
          axes,
          classMix: [
            { classId: 1, name: 'normal', training: 0.8, live: 0.3 },
            { classId: 2, name: 'bearing', training: 0.2, live: 0.7 },
          ],
          classMixPsi: 1.2,
        },
      ),
    )
    expect(v.verdict).toBe('drift')
    expect(v.cause).toBe('condition')
    expect(v.nextStep).toMatch(/Inspect the machine: the model calls 70% of the windows “bearing”/)
  })

  it('points to the mounting when energy moves from one axis to another and the total stays', () => {
    // y loses what z gains, window by window: a turned sensor.
    const y = gaussians(800, 30, 1, 0.1)
    const z = gaussians(800, 31, 0.2, 0.05)
    const yLive = gaussians(800, 32, 0.6, 0.1)
    const zLive = Float64Array.from(yLive, (v, w) => (y[w] as number) + (z[w] as number) - v)
    const names = ['ay_band1', 'az_band1']
    const columns = [
      { training: y, live: yLive },
      { training: z, live: zLive },
    ]
    const drifts = names.map((n, k) => compareFeature(n, columns[k]!.training, columns[k]!.live))
    const axes = axisTotals(names, columns, drifts)
    expect(Math.abs(Math.log(axes[0]!.totalRatio))).toBeLessThan(0.05)
    const v = judge(
      input(
        [...drifts].sort((a, b) => b.psi - a.psi),
        { axes },
      ),
    )
    expect(v.cause).toBe('mounting')
    expect(v.nextStep).toMatch(/check its mounting/)
  })

  it('says the class mix alone moved when the features did not', () => {
    const f = compareFeature('ax_std', gaussians(800, 1), gaussians(800, 2))
    const v = judge(input([f], { classMixPsi: 0.6 }))
    expect(v.verdict).toBe('drift')
    expect(v.cause).toBe('class mix')
  })
})
