import { describe, expect, it } from 'vitest'
import { RateEstimator, snapRate } from '../../../src-main/capture/rate-estimator.js'

/** A seeded generator, so a failing case fails the same way again. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 4294967296
  }
}

/**
 * A device at `rateHz` whose samples reach the host in USB bursts every 50-500 ms, with a backlog
 * of `backlog` samples waiting when the port opens.
 */
function bursty(rateHz: number, seconds: number, seed: number, backlog = 0) {
  const next = random(seed)
  const arrivals: Array<[number, number]> = [[0, backlog]]
  let t = 0
  while (t < seconds * 1000) {
    t += 50 + next() * 450
    arrivals.push([t, backlog + Math.floor((t * rateHz) / 1000)])
  }
  return arrivals
}

describe('rate estimation', () => {
  it('measures the rate through bursty USB delivery and a backlog at open', () => {
    for (const [rate, seed] of [
      [100, 1],
      [416, 2],
      [1000, 3],
      [4000, 4],
      [1234, 5],
    ] as const) {
      const estimator = new RateEstimator()
      for (const [t, n] of bursty(rate, 6, seed, 3000)) estimator.observe(t, n)
      const estimate = estimator.estimate()
      expect(estimate.settled).toBe(true)
      expect(Math.abs((estimate.measuredHz as number) - rate) / rate, `${rate} Hz`).toBeLessThan(
        0.01,
      )
      expect(estimate.hz).toBeCloseTo(rate, 0)
    }
  })

  it('is not settled before two seconds of data', () => {
    const estimator = new RateEstimator()
    for (const [t, n] of bursty(1000, 1.2, 9)) estimator.observe(t, n)
    expect(estimator.estimate().settled).toBe(false)
  })

  it('snaps to common sensor rates and keeps others', () => {
    expect(snapRate(99.2)).toBe(100)
    expect(snapRate(413)).toBe(416)
    expect(snapRate(1234.56)).toBe(1234.6)
  })
})
