import { expect, test } from 'vitest'
import { buildDataset } from '../../../src-main/dataset/build.js'
import { config, uniformStream } from './helpers.js'

const NORMAL = 1

test('a 100 Hz and a 1 Hz stream: means per window, the slow one carried forward', () => {
  const fast = uniformStream('acc', 100, 300, ['x'], (i) => i)
  const slow = uniformStream('temp', 1, 3, ['celsius'], (i) => 10 * (i + 1))
  const built = buildDataset(
    [{ id: 7, streams: [fast, slow], labels: [], defaultClassId: NORMAL }],
    config({
      windowMs: 500,
      strideMs: 500,
      features: { kind: 'snapshot' },
      split: { method: 'random' },
    }),
    [NORMAL],
  )
  expect(built.featureNames).toEqual(['x', 'celsius'])
  expect(built.windows.map((w) => w.startUs)).toEqual([0, 5e5, 1e6, 1.5e6, 2e6, 2.5e6])
  // Window k covers fast samples 50k..50k+49 (mean 50k + 24.5); the 1 Hz sample at 1 s falls in
  // window 2 only, so windows 1, 3 and 5 carry the previous value forward.
  expect(Array.from(built.features)).toEqual([
    24.5, 10, 74.5, 10, 124.5, 20, 174.5, 20, 224.5, 30, 274.5, 30,
  ])
})

test('windows straddling a gap are dropped and counted; the others are kept', () => {
  // 100 Hz for 2 s, nothing for 1 s, 100 Hz again for 2 s.
  const before = uniformStream('acc', 100, 200, ['x'], () => 1)
  const after = uniformStream('acc', 100, 200, ['x'], () => 1, 3e6)
  const stream = {
    ...before,
    t: Float64Array.from([...before.t, ...after.t]),
    data: Float32Array.from([...before.data, ...after.data]),
  }
  const built = buildDataset(
    [{ id: 1, streams: [stream], labels: [], defaultClassId: NORMAL }],
    config({ windowMs: 1000, strideMs: 500, split: { method: 'random' } }),
    [NORMAL],
  )
  // Hole [2 s, 3 s): windows at 1.5, 2 and 2.5 s meet it; 0, 0.5, 1, 3, 3.5, 4 s do not.
  expect(built.windows.map((w) => w.startUs / 1e6)).toEqual([0, 0.5, 1, 3, 3.5, 4])
  expect(built.dropped.gap).toBe(3)
})

test('recordings with other channels are refused with a sentence naming them', () => {
  const a = uniformStream('acc', 10, 20, ['x'], () => 0)
  const b = uniformStream('acc', 10, 20, ['y'], () => 0)
  expect(() =>
    buildDataset(
      [
        { id: 1, streams: [a], labels: [], defaultClassId: NORMAL },
        { id: 2, streams: [b], labels: [], defaultClassId: NORMAL },
      ],
      config(),
      [NORMAL],
    ),
  ).toThrow(/Recording 2 has the channels y, but recording 1 has x/)
})
