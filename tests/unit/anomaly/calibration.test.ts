import { describe, expect, it } from 'vitest'
import {
  confusionAt,
  f1Threshold,
  falseAlarmsPerHour,
  percentileThreshold,
  roc,
} from '../../../src-main/anomaly/calibration.js'

const labeled = (normal: number[], anomalies: number[]) => ({
  scores: [...normal, ...anomalies],
  anomalous: [...normal.map(() => false), ...anomalies.map(() => true)],
})

describe('threshold calibration', () => {
  it('takes a percentile of the normal scores, interpolated', () => {
    const scores = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentileThreshold(scores, 0.99)).toBeCloseTo(99.01, 9)
    expect(percentileThreshold(scores, 0.5)).toBeCloseTo(50.5, 9)
    expect(percentileThreshold([3], 0.99)).toBe(3)
    expect(() => percentileThreshold([], 0.99)).toThrow(/No normal windows/)
  })

  it('flags about 1% of normal windows at the 99th percentile', () => {
    const scores = Array.from({ length: 10_000 }, (_, i) => Math.sin(i) * 10 + i / 1000)
    const threshold = percentileThreshold(scores, 0.99)
    const flagged = scores.filter((s) => s > threshold).length
    expect(flagged).toBe(100)
  })

  it('picks the threshold with the best F1 on labeled windows', () => {
    // Flagging above 3: TP 3, FP 1 (F1 0.857); above 4: TP 2, FP 0 (0.8); above 3.5: 0.667.
    const { scores, anomalous } = labeled([1, 2, 3, 4], [3.5, 5, 6])
    const best = f1Threshold(scores, anomalous)
    expect(best?.threshold).toBe(3)
    expect(best?.f1).toBeCloseTo(6 / 7, 12)
    expect(confusionAt(scores, anomalous, 3)).toMatchObject({
      truePositives: 3,
      falsePositives: 1,
      trueNegatives: 3,
      falseNegatives: 0,
      precision: 0.75,
      recall: 1,
    })
  })

  it('separates perfectly separated scores between the two groups', () => {
    const { scores, anomalous } = labeled([1, 2, 3], [10, 11])
    const best = f1Threshold(scores, anomalous)
    expect(best?.f1).toBe(1)
    expect(best!.threshold).toBeGreaterThanOrEqual(3)
    expect(best!.threshold).toBeLessThan(10)
  })

  it('has no F1 threshold without anomalies, or without normal windows', () => {
    expect(f1Threshold([1, 2, 3], [false, false, false])).toBeNull()
    expect(f1Threshold([1, 2], [true, true])).toBeNull()
  })
})

describe('ROC and AUC', () => {
  it('is 1 for perfect separation, 0 reversed, ½ for ties', () => {
    expect(roc(...(Object.values(labeled([1, 2], [3, 4])) as [number[], boolean[]]))?.auc).toBe(1)
    expect(roc(...(Object.values(labeled([3, 4], [1, 2])) as [number[], boolean[]]))?.auc).toBe(0)
    expect(roc(...(Object.values(labeled([1, 1], [1, 1])) as [number[], boolean[]]))?.auc).toBe(0.5)
  })

  it('is the share of (anomaly, normal) pairs in which the anomaly scores higher', () => {
    // 2.5 beats 1 and 2, loses to 3; 4 beats all three: 5 of 6 pairs.
    const { scores, anomalous } = labeled([1, 2, 3], [2.5, 4])
    const curve = roc(scores, anomalous)!
    expect(curve.auc).toBeCloseTo(5 / 6, 12)
    expect([curve.fpr[0], curve.tpr[0]]).toEqual([0, 0])
    expect([curve.fpr.at(-1), curve.tpr.at(-1)]).toEqual([1, 1])
  })

  it('is undefined without both kinds of window', () => {
    expect(roc([1, 2], [false, false])).toBeNull()
  })
})

describe('false alarms per hour', () => {
  it('counts flagged normal windows over the hours they cover', () => {
    // 3,600 windows 0.5 s apart: half an hour; 10 above the threshold: 20 an hour.
    const scores = Array.from({ length: 3600 }, (_, i) => (i < 10 ? 5 : 1))
    expect(falseAlarmsPerHour(scores, 2, 0.5)).toBeCloseTo(20, 9)
    expect(falseAlarmsPerHour([], 2, 0.5)).toBe(0)
  })
})
