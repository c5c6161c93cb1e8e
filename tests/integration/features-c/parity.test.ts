import { beforeAll, describe, expect, it } from 'vitest'
import { DatasetConfig } from '../../../src-preload/contract/index.js'
import { computeNormalization, normalize } from '../../../src-main/dataset/normalization.js'
import { seededRandom } from '../../../src-main/seeded-random.js'
import {
  activationParams,
  CALIBRATION_HEADROOM,
  quantizeInput,
  type QuantParams,
} from '../../../src-main/tflite/quantize.js'
import { buildDemoDataset, demoRecording, requestRows } from './dataset-rows.js'
import { goldenRawWindows, goldenWindows } from './golden-windows.js'
import { buildHarness, HarnessBatch } from './harness.js'
import { rawReference, snapshotReference, spectralReference, statsReference } from './reference.js'

// The device's C features (native/features) against the app's TypeScript: snapshot, stats, raw,
// normalization and quantization bit for bit; spectral bit for bit but for the last bits that
// another libm's cos and sin can move (docs/features-c.md), and the model's int8 input bytes
// identical everywhere.

const DEFAULT_STD_FLOOR = DatasetConfig.parse({}).normalization.stdFloor

let harness: string
beforeAll(() => {
  harness = buildHarness()
})

const bitsOf = (values: Float32Array) =>
  Array.from(new Uint32Array(Float32Array.from(values).buffer))

/** The gap from |value| to the next float32 away from zero. */
function float32Step(value: number): number {
  const magnitude = Math.abs(Math.fround(value))
  const [bits] = new Uint32Array(Float32Array.of(magnitude).buffer)
  const [next] = new Float32Array(Uint32Array.of((bits as number) + 1).buffer)
  return (next as number) - magnitude
}

/**
 * The spectral tolerance: one float32 step of the app's value, plus 2^-50 of the channel's total
 * band energy (its Hann-weighted variance) for the bins that hold only rounding.
 */
const SPECTRAL_TOLERANCE_OF_TOTAL = 2 ** -50

/** Values of `c` not bit-identical to `app`; throws where one is beyond the tolerance. */
function spectralDifferences(c: Float32Array, app: Float32Array, bands: number, name: string) {
  let differing = 0
  for (let channel = 0; channel < app.length / bands; channel++) {
    const from = channel * bands
    const total = app.subarray(from, from + bands).reduce((sum, e) => sum + e, 0)
    for (let b = from; b < from + bands; b++) {
      const expected = app[b] as number
      const actual = c[b] as number
      if (Object.is(actual, expected)) continue
      differing++
      const tolerance = float32Step(expected) + SPECTRAL_TOLERANCE_OF_TOTAL * total
      expect(
        Math.abs(actual - expected),
        `${name}, channel ${channel}, band ${b - from}`,
      ).toBeLessThanOrEqual(tolerance)
    }
  }
  return differing
}

/** The model input's int8 parameters as quantizeModel calibrates them on these windows. */
function calibratedInput(normalized: readonly Float32Array[]): QuantParams {
  let min = Infinity
  let max = -Infinity
  for (const row of normalized) {
    for (const v of row) {
      min = Math.min(min, v)
      max = Math.max(max, v)
    }
  }
  return activationParams({ min: min * CALIBRATION_HEADROOM, max: max * CALIBRATION_HEADROOM })
}

/** What a device feeds its model for feature rows it computed: normalized, then quantized, in C. */
function deviceInputs(
  rows: readonly Float32Array[],
  normalization: { mean: number[]; std: number[] },
  q: QuantParams,
): Int8Array[] {
  const normalizing = new HarnessBatch()
  const normalized = rows.map((row) =>
    normalizing.normalize(row, normalization.mean, normalization.std),
  )
  const normalizedResults = normalizing.run(harness)
  const quantizing = new HarnessBatch()
  const bytes = normalized.map((r) =>
    quantizing.quantize(normalizedResults[r] as Float32Array, q.scale, q.zeroPoint),
  )
  const results = quantizing.run(harness)
  return bytes.map((r) => results[r] as Int8Array)
}

describe('golden windows', () => {
  const windows = goldenWindows()

  it('has a few hundred windows, without a sample and with one among them', () => {
    expect(windows.length).toBeGreaterThan(300)
    expect(windows.some((w) => w.samples.length === 0)).toBe(true)
    expect(windows.some((w) => w.samples.length === w.channels)).toBe(true)
  })

  it('gives bit-identical snapshot and stats features', () => {
    const batch = new HarnessBatch()
    const requests = windows.map((w) => [batch.snapshot(w, w.previous), batch.stats(w, w.previous)])
    const results = batch.run(harness)
    windows.forEach((w, i) => {
      const [snapshot, stats] = (requests[i] as number[]).map((r) => results[r] as Float32Array)
      expect(bitsOf(snapshot!), `${w.name}: snapshot`).toEqual(
        bitsOf(snapshotReference(w, w.previous)),
      )
      expect(bitsOf(stats!), `${w.name}: stats`).toEqual(bitsOf(statsReference(w, w.previous)))
    })
  })

  it('gives the spectral band energies bit for bit but for a few last bits', () => {
    const batch = new HarnessBatch()
    const requests = windows.map((w) => batch.spectral(w, w.bands))
    const results = batch.run(harness)
    let values = 0
    let differing = 0
    windows.forEach((w, i) => {
      const app = spectralReference(w, w.bands)
      values += app.length
      differing += spectralDifferences(results[requests[i]!] as Float32Array, app, w.bands, w.name)
    })
    // A different order of operations would differ in most values, not in a few rounding bins.
    expect(differing / values).toBeLessThan(0.01)
  })

  it('gives the model the same int8 input bytes, whatever the spectral last bits', () => {
    for (const bands of new Set(windows.map((w) => w.bands))) {
      const group = windows.filter((w) => w.bands === bands)
      const app = group.map((w) => spectralReference(w, bands))
      const normalization = computeNormalization(
        Float32Array.from(app.flatMap((row) => Array.from(row))),
        app[0]!.length,
        app.map(() => true),
        DEFAULT_STD_FLOOR,
      )
      const appInputs = app.map((row) => normalize(row, normalization))
      const q = calibratedInput(appInputs)
      const batch = new HarnessBatch()
      const requests = group.map((w) => batch.spectral(w, bands))
      const results = batch.run(harness)
      const rows = requests.map((r) => results[r] as Float32Array)
      deviceInputs(rows, normalization, q).forEach((bytes, i) => {
        expect(Array.from(bytes), `${group[i]!.name}, ${bands} bands`).toEqual(
          Array.from(quantizeInput(appInputs[i]!, q)),
        )
      })
    }
  })
})

it('resamples raw windows bit for bit, in the app’s [time, channel] layout', () => {
  const windows = goldenRawWindows()
  const batch = new HarnessBatch()
  const requests = windows.map((w) => batch.raw(w))
  const results = batch.run(harness)
  windows.forEach((w, i) => {
    expect(bitsOf(results[requests[i]!] as Float32Array), w.name).toEqual(bitsOf(rawReference(w)))
  })
})

it('normalizes bit for bit with the app’s float64 constants', () => {
  const random = seededRandom(23)
  const width = 64
  const rows = Array.from({ length: 50 }, () =>
    Float32Array.from({ length: width }, (_, f) => (random() - 0.5) * 10 ** ((f % 12) - 6)),
  )
  rows.push(Float32Array.from({ length: width }, (_, f) => (f % 2 ? 3e38 : -1e-45)))
  const normalization = {
    mean: Array.from({ length: width }, (_, f) => (random() - 0.5) * 10 ** ((f % 12) - 6)),
    // The app's default floor among them: a constant feature's deviation.
    std: Array.from({ length: width }, (_, f) =>
      f % 7 === 0 ? DEFAULT_STD_FLOOR : random() * 10 ** ((f % 12) - 6),
    ),
  }
  const batch = new HarnessBatch()
  const requests = rows.map((row) => batch.normalize(row, normalization.mean, normalization.std))
  const results = batch.run(harness)
  rows.forEach((row, i) => {
    expect(bitsOf(results[requests[i]!] as Float32Array)).toEqual(
      bitsOf(normalize(row, normalization)),
    )
  })
})

it('quantizes as quantizeInput: ties away from zero, clamps, NaN to 0', () => {
  const random = seededRandom(29)
  const ties = (scale: number) =>
    Array.from({ length: 301 }, (_, k) => (k - 150 + 0.5) * scale).concat(
      Array.from({ length: 301 }, (_, k) => (k - 150) * scale),
    )
  const special = [NaN, Infinity, -Infinity, 3e38, -3e38, -0, 0, 1e-45, -1e-45]
  const cases: { scale: number; zeroPoint: number; values: number[] }[] = [
    { scale: 2 ** -7, zeroPoint: -3, values: ties(2 ** -7) },
    { scale: 0.75, zeroPoint: 0, values: ties(0.75) },
    { scale: 0.75, zeroPoint: 127, values: ties(0.75) },
    { scale: Math.fround(6 / 255), zeroPoint: 5, values: ties(Math.fround(6 / 255)) },
    {
      scale: Math.fround(0.0421),
      zeroPoint: -128,
      values: Array.from({ length: 2000 }, () => (random() - 0.5) * 14).concat(special),
    },
  ]
  const batch = new HarnessBatch()
  const requests = cases.map((c) =>
    batch.quantize(Float32Array.from(c.values), c.scale, c.zeroPoint),
  )
  const results = batch.run(harness)
  cases.forEach((c, i) => {
    const app = quantizeInput(Float32Array.from(c.values), c)
    expect(Array.from(results[requests[i]!] as Int8Array), `scale ${c.scale}`).toEqual(
      Array.from(app),
    )
  })
})

describe('the demo machine’s dataset rows', () => {
  const recording = demoRecording()
  const configs = [
    { name: 'snapshot, 100 ms', windowMs: 100, strideMs: 100, features: { kind: 'snapshot' } },
    { name: 'stats, 1 s', windowMs: 1000, strideMs: 500, features: { kind: 'stats' } },
    { name: 'stats, 100 ms', windowMs: 100, strideMs: 50, features: { kind: 'stats' } },
    {
      name: 'spectral, 8 bands',
      windowMs: 1000,
      strideMs: 500,
      features: { kind: 'spectral', bands: 8 },
    },
    {
      name: 'spectral, 64 bands, 250 ms',
      windowMs: 250,
      strideMs: 250,
      features: { kind: 'spectral', bands: 64 },
    },
    { name: 'raw, 1 s', windowMs: 1000, strideMs: 500, features: { kind: 'raw' } },
    {
      name: 'raw, 37 steps of 250 ms',
      windowMs: 250,
      strideMs: 125,
      features: { kind: 'raw', rawLength: 37 },
    },
  ] as const

  it.each(configs)(
    '$name: the device computes the app’s rows and int8 inputs',
    ({ name, ...input }) => {
      const { config, built } = buildDemoDataset(recording, input)
      const width = built.featureNames.length
      const appRows = built.windows.map((_, k) =>
        built.features.subarray(k * width, (k + 1) * width),
      )
      expect(appRows.length).toBeGreaterThan(200)
      const batch = new HarnessBatch()
      const assemble = requestRows(batch, recording, config, built)
      const deviceRows = assemble(batch.run(harness))
      deviceRows.forEach((row, k) => {
        if (config.features.kind === 'spectral') {
          spectralDifferences(row, appRows[k]!, config.features.bands, `${name}, window ${k}`)
        } else {
          expect(bitsOf(row), `${name}, window ${k}`).toEqual(bitsOf(appRows[k]!))
        }
      })

      const normalization = built.normalization!
      const appInputs = appRows.map((row) => normalize(row, normalization))
      const q = calibratedInput(appInputs.filter((_, k) => built.windows[k]!.split === 'train'))
      deviceInputs(deviceRows, normalization, q).forEach((bytes, k) => {
        expect(Array.from(bytes), `${name}, window ${k}`).toEqual(
          Array.from(quantizeInput(appInputs[k]!, q)),
        )
      })
    },
  )

  it('has windows where the slow stream has no sample, so its value is carried forward', () => {
    const { name: _, ...input } = configs[0]
    const { built } = buildDemoDataset(recording, input)
    const temperature = recording.streams[1]!.t
    const empty = built.windows.filter(
      (w) => !temperature.some((t) => t >= w.startUs && t < w.endUs),
    )
    expect(empty.length).toBeGreaterThan(built.windows.length / 2)
  })
})
