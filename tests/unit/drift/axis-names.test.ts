import { describe, expect, it } from 'vitest'
import { axisTotals, compareFeature } from '../../../src-main/drift/drift-service.js'
import { seededRandom } from '../../../src-main/seeded-random.js'

function levels(n: number, seed: number, mean: number): Float64Array {
  const r = seededRandom(seed)
  return Float64Array.from({ length: n }, () => mean + 0.05 * (r() - 0.5))
}

describe('axis totals by feature name', () => {
  it.each([
    [['ax_band1', 'ay_band1'], 'band1'],
    [['acc_x_band1', 'acc_y_band1'], 'band1'],
    [['acc_x_mean', 'acc_y_mean'], 'mean'],
    [['acc_x', 'acc_y'], ''],
  ])('groups %j by their statistic %j, whatever underscores the channels have', (names, stat) => {
    // One axis loses what the other gains: a turned sensor.
    const columns = [
      { training: levels(200, 1, 1), live: levels(200, 2, 0.5) },
      { training: levels(200, 3, 0.2), live: levels(200, 4, 0.7) },
    ]
    const drifts = names.map((n, k) => compareFeature(n, columns[k]!.training, columns[k]!.live))
    const totals = axisTotals(names, columns, drifts)
    expect(totals.map((t) => t.stat)).toEqual([stat])
  })

  it('leaves out statistics that do not add up over axes, and single channels', () => {
    const columns = [0, 1].map((k) => ({ training: levels(50, k, 1), live: levels(50, k + 9, 1) }))
    for (const names of [
      ['acc_x_min', 'acc_y_min'],
      ['ax_t3', 'ay_t3'],
      ['acc_x_band1', 'gyro_x_std'],
    ]) {
      const drifts = names.map((n, k) => compareFeature(n, columns[k]!.training, columns[k]!.live))
      expect(axisTotals(names, columns, drifts)).toEqual([])
    }
  })
})
