import { expect, test } from 'vitest'
import {
  resampleInto,
  snapshotOf,
  SpectralScratch,
  spectralOf,
  statsOf,
} from '../../../src-main/dataset/features.js'
import { computeNormalization, normalize } from '../../../src-main/dataset/normalization.js'

test('stats of a known vector: mean, population std, min, max, rms', () => {
  const out = new Float64Array(5)
  statsOf([2, 4, 4, 4, 5, 5, 7, 9], 0, 8, 0, out, 0)
  // mean 5, deviations² 9+1+1+1+0+0+4+16 = 32 → std √4 = 2, rms √(232/8) = √29.
  expect(Array.from(out)).toEqual([5, 2, 2, 9, Math.sqrt(29)])
})

test('stats and snapshot of an empty window carry the previous value forward', () => {
  const out = new Float64Array(5)
  statsOf([1, 2, 3], 3, 3, -2, out, 0)
  expect(Array.from(out)).toEqual([-2, 0, -2, -2, 2])
  expect(snapshotOf([1, 2, 3], 1, 3, 9)).toBe(2.5)
  expect(snapshotOf([1, 2, 3], 3, 3, 9)).toBe(9)
})

test('a pure sine puts its energy in its band, and the bands sum to about A²/2', () => {
  const rate = 1000
  const n = 1000
  const amplitude = 3
  // 8 bands over 0–500 Hz are 62.5 Hz wide: 150 Hz falls in band 2.
  const x = Array.from(
    { length: n },
    (_, i) => 5 + amplitude * Math.sin((2 * Math.PI * 150 * i) / rate),
  )
  const out = new Float64Array(8)
  spectralOf(x, 0, n, 8, new SpectralScratch(), out, 0)
  const total = out.reduce((a, b) => a + b, 0)
  expect(out[2]! / total).toBeGreaterThan(0.99)
  expect(total).toBeCloseTo((amplitude * amplitude) / 2, 1)
})

test('a constant or one-sample window has no spectral energy', () => {
  const out = new Float64Array(4).fill(7)
  spectralOf([2, 2, 2, 2], 0, 4, 4, new SpectralScratch(), out, 0)
  expect(Array.from(out)).toEqual([0, 0, 0, 0])
  out.fill(7)
  spectralOf([2], 0, 1, 4, new SpectralScratch(), out, 0)
  expect(Array.from(out)).toEqual([0, 0, 0, 0])
})

test('raw resampling interpolates linearly and holds after the last sample', () => {
  const times = Float64Array.from([0, 10, 20])
  const values = Float32Array.from([0, 100, 10, 200, 20, 300]) // two channels
  const out = new Float64Array(4)
  resampleInto(times, values, 2, 1, 0, 0, 40, 4, out, 0, 1)
  expect(Array.from(out)).toEqual([100, 200, 300, 300])
  resampleInto(times, values, 2, 0, 0, 5, 25, 2, out, 0, 1)
  expect(Array.from(out.subarray(0, 2))).toEqual([5, 15])
})

test('normalization comes from the training rows only, with a floor on the deviation', () => {
  // Two features; rows 0 and 1 train, row 2 (an outlier) validation.
  const features = Float32Array.from([1, 5, 3, 5, 1000, -1000])
  const n = computeNormalization(features, 2, [true, true, false], 1e-3)
  expect(n.mean).toEqual([2, 5])
  expect(n.std).toEqual([1, 1e-3])
  expect(Array.from(normalize(features, n))).toEqual([-1, 0, 1, 0, 998, -1005000])
})

test('spectral bands equal the written definition computed with a direct DFT', () => {
  const x = [0.3, -1.2, 2.5, 0.7, -0.4, 1.9, -2.2]
  const n = x.length
  const size = 8
  const mean = x.reduce((a, b) => a + b, 0) / n
  const w = x.map((_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n))
  const y = x.map((v, i) => (v - mean) * w[i]!)
  const sumW2 = w.reduce((a, b) => a + b * b, 0)
  const expected = [0, 0, 0]
  for (let k = 0; k <= size / 2; k++) {
    let re = 0
    let im = 0
    y.forEach((v, i) => {
      re += v * Math.cos((2 * Math.PI * i * k) / size)
      im -= v * Math.sin((2 * Math.PI * i * k) / size)
    })
    const c = k === 0 || k === size / 2 ? 1 : 2
    const band = Math.min(2, Math.floor((k * 3) / (size / 2)))
    expected[band]! += (c * (re * re + im * im)) / (size * sumW2)
  }
  const out = new Float64Array(3)
  spectralOf(x, 0, n, 3, new SpectralScratch(), out, 0)
  out.forEach((v, b) => expect(v).toBeCloseTo(expected[b]!, 12))
})
