import { describe, expect, test } from 'vitest'
import { WindowLabeler, type LabelPolicy } from '../../../src-main/dataset/label-policy.js'

const NORMAL = 1
const ANOMALY = 2
const BEARING = 3
const ORDER = [NORMAL, ANOMALY, BEARING]

const labelOf = (policy: LabelPolicy, labels: [number, number, number][], start = 0, end = 100) =>
  new WindowLabeler(
    labels.map(([classId, startUs, endUs]) => ({ classId, startUs, endUs })),
    NORMAL,
    policy,
    ORDER,
  ).label(start, end)

describe('window [0, 100)', () => {
  test('any: one µs of overlap is enough; touching the edge is not', () => {
    expect(labelOf('any', [[ANOMALY, 99, 200]])).toBe(ANOMALY)
    expect(labelOf('any', [[ANOMALY, 100, 200]])).toBe(NORMAL)
    expect(labelOf('any', [[ANOMALY, -50, 0]])).toBe(NORMAL)
  })

  test('majority: the largest share wins, a tie goes to the labelled class', () => {
    expect(labelOf('majority', [[ANOMALY, 0, 49]])).toBe(NORMAL)
    expect(labelOf('majority', [[ANOMALY, 0, 50]])).toBe(ANOMALY)
    // Each class covers 40 µs, more than the 20 left to normal: the tie goes by class order.
    expect(
      labelOf('majority', [
        [ANOMALY, 0, 40],
        [BEARING, 60, 100],
      ]),
    ).toBe(ANOMALY)
    expect(
      labelOf('majority', [
        [ANOMALY, 0, 30],
        [BEARING, 60, 100],
      ]),
    ).toBe(BEARING)
    expect(
      labelOf('majority', [
        [ANOMALY, 0, 30],
        [BEARING, 70, 100],
      ]),
    ).toBe(NORMAL)
  })

  test('center: the class at the middle (50), labels being [start, end)', () => {
    expect(labelOf('center', [[ANOMALY, 50, 51]])).toBe(ANOMALY)
    expect(labelOf('center', [[ANOMALY, 0, 50]])).toBe(NORMAL)
  })

  test('minimum overlap: at least the fraction of the window', () => {
    expect(labelOf({ minOverlap: 0.25 }, [[ANOMALY, 75, 100]])).toBe(ANOMALY)
    expect(labelOf({ minOverlap: 0.25 }, [[ANOMALY, 76, 100]])).toBe(NORMAL)
  })

  test('two anomaly classes: the larger overlap, a tie by class order', () => {
    expect(
      labelOf('any', [
        [ANOMALY, 0, 10],
        [BEARING, 50, 70],
      ]),
    ).toBe(BEARING)
    expect(
      labelOf('any', [
        [BEARING, 0, 10],
        [ANOMALY, 50, 60],
      ]),
    ).toBe(ANOMALY)
  })
})

test('windows asked in order still see a long label that started long before', () => {
  const labeler = new WindowLabeler(
    [
      { classId: ANOMALY, startUs: 0, endUs: 1000 },
      { classId: BEARING, startUs: 10, endUs: 20 },
    ],
    NORMAL,
    'any',
    ORDER,
  )
  expect(labeler.label(0, 100)).toBe(ANOMALY)
  expect(labeler.label(500, 600)).toBe(ANOMALY)
  expect(labeler.label(1000, 1100)).toBe(NORMAL)
})
