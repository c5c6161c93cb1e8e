/**
 * The golden windows of the parity test, made here from fixed seeds (nothing is stored): the demo
 * machine's accelerometer through normal running and its anomaly episodes, and the edge cases a
 * port gets wrong: constant windows, one sample, no sample (the previous value carried forward),
 * large offsets, tiny and subnormal values, odd and power-of-two lengths, more bands than bins.
 */
import { MachineSimulator } from '../../../src-main/capture/demo/machine-simulator.js'
import { seededRandom } from '../../../src-main/seeded-random.js'
import type { InterleavedWindow, RawRequest } from './harness.js'

export interface GoldenWindow extends InterleavedWindow {
  name: string
  /** Each channel's last sample before the window, for snapshot and stats without samples. */
  previous: Float32Array
  bands: number
}

export const DEMO_RATE_HZ = 400
const CHANNELS = 3
/** Enough of the demo machine for its first anomaly episodes (the first starts 20-60 s in). */
export const DEMO_SECONDS = 150

/** The demo machine's interleaved ax, ay, az for `seconds`, deterministic. */
export function demoSignal(seconds = DEMO_SECONDS): Float32Array {
  return new MachineSimulator({ rateHz: DEMO_RATE_HZ, seed: 3 }).next(seconds * DEMO_RATE_HZ)
}

/** Band counts cycled over the windows: one, the default 8, more than a short FFT has bins. */
const BAND_COUNTS = [1, 3, 8, 16, 64, 256]

const LENGTHS = [2, 3, 5, 17, 31, 32, 33, 100, 255, 256, 257, 511, 512, 1000, 1023, 1024, 1025]

export function goldenWindows(): GoldenWindow[] {
  const signal = demoSignal()
  const windows: GoldenWindow[] = []
  const add = (name: string, samples: Float32Array, previous: Float32Array) =>
    windows.push({
      name,
      samples,
      channels: CHANNELS,
      previous,
      bands: BAND_COUNTS[windows.length % BAND_COUNTS.length] as number,
    })
  const slice = (from: number, count: number) =>
    signal.slice(from * CHANNELS, (from + count) * CHANNELS)
  const previousOf = (from: number) =>
    from > 0 ? signal.slice((from - 1) * CHANNELS, from * CHANNELS) : new Float32Array(CHANNELS)

  // One-second windows every half second, as the dataset's defaults cut them.
  const second = DEMO_RATE_HZ
  for (let from = 0; from + second <= signal.length / CHANNELS; from += second / 2)
    add(`demo ${from / second} s`, slice(from, second), previousOf(from))
  const random = seededRandom(11)
  for (const count of LENGTHS) {
    const from = Math.floor(random() * (signal.length / CHANNELS - count))
    add(`demo ${count} samples`, slice(from, count), previousOf(from))
  }

  const constant = (count: number, value: number) => new Float32Array(count * CHANNELS).fill(value)
  add('constant 1', constant(400, 1), Float32Array.of(1, 1, 1))
  // 0.1 is no float32: the mean of its copies is not exactly it, and the spectrum not exactly 0.
  add('constant 0.1', constant(37, 0.1), Float32Array.of(0.1, 0.1, 0.1))
  add('constant -3.75', constant(256, -3.75), Float32Array.of(0, 0, 0))
  add('zeros', constant(100, 0), Float32Array.of(0, 0, 0))
  add('one sample', Float32Array.of(0.3, -0.7, 1.02), Float32Array.of(0.1, 0.2, 0.3))
  add('no sample', new Float32Array(0), Float32Array.of(-2.5, 0, 1e-40))
  // A second of the demo, mapped sample by sample (i counts interleaved values).
  const demo = slice(20 * second, second)
  const mapped: [string, (x: number, i: number) => number, number[]][] = [
    ['offset 1e6', (x) => 1e6 + x, [1e6, 1e6, 1e6]],
    ['offset -3e4', (x) => x - 3e4, [-3e4, -3e4, -3e4]],
    ['offset 1e7, tiny signal', (x) => 1e7 + x * 1e-3, [1e7, 1e7, 1e7]],
    ['subnormal', (x) => x * 1e-39, [1e-45, -1e-45, 0]],
    ['tiny', (x) => x * 1e-30, [1e-30, 0, -1e-30]],
    ['smallest subnormals', (_, i) => (i % 5) * 1e-45, [0, 0, 0]],
    ['large', (x) => x * 1e30, [1e30, 0, 0]],
    ['alternating ±1', (_, i) => (Math.floor(i / CHANNELS) % 2 ? -1 : 1), [0, 0, 0]],
    ['impulse', (_, i) => (i < CHANNELS ? 1 : 0), [0, 0, 0]],
  ]
  for (const [name, f, previous] of mapped)
    add(name, Float32Array.from(demo, f), Float32Array.from(previous))
  // Pure tones: most of their bins hold nothing but rounding, where cos and sin of another libm
  // show most (docs/features-c.md).
  for (const count of [64, 400, 1000, 1024]) {
    for (const cycles of [4, 10.37, 97.5]) {
      // Channel c shifted by c radians.
      const tone = (i: number) =>
        2 * Math.sin((2 * Math.PI * cycles * Math.floor(i / CHANNELS)) / count + (i % CHANNELS))
      add(
        `tone ${cycles} cycles in ${count}`,
        Float32Array.from({ length: count * CHANNELS }, (_, i) => tone(i)),
        new Float32Array(3),
      )
    }
  }
  return windows
}

/** A stream's stretch for raw resampling, and where its channels go in a row. */
export interface GoldenRawWindow extends RawRequest {
  name: string
}

export function goldenRawWindows(): GoldenRawWindow[] {
  const signal = demoSignal(20)
  const period = 1e6 / DEMO_RATE_HZ
  const random = seededRandom(5)
  const uniform = Float64Array.from({ length: signal.length / CHANNELS }, (_, i) => i * period)
  // A device's clock: each period off by up to a tenth, in fractional µs.
  let t = 0
  const jittered = uniform.map(() => (t += period * (0.9 + 0.2 * random())))
  const windows: GoldenRawWindow[] = []
  const add = (
    name: string,
    times: Float64Array,
    window: { first: number; startUs: number; endUs: number; length: number },
    layout = { outStride: CHANNELS, offset: 0 },
  ) => {
    // The stretch a device keeps: from the last sample at or before the start to the first
    // at or after the end.
    let to = window.first
    while (to < times.length - 1 && (times[to] as number) < window.endUs) to++
    windows.push({
      name,
      times: times.slice(window.first, to + 1),
      samples: signal.slice(window.first * CHANNELS, (to + 1) * CHANNELS),
      channels: CHANNELS,
      startUs: window.startUs,
      endUs: window.endUs,
      length: window.length,
      ...layout,
    })
  }
  for (const length of [1, 7, 100, 399, 400, 401, 1000]) {
    for (let k = 0; k < 4; k++) {
      const first = Math.floor(random() * (uniform.length - 2 * DEMO_RATE_HZ))
      const startUs = first * period
      add(`uniform, ${length} steps from ${first}`, uniform, {
        first,
        startUs,
        endUs: startUs + 1e6,
        length,
      })
      const jitteredStart = (jittered[first] as number) + random() * period
      const window = { first, startUs: jitteredStart, endUs: jitteredStart + 1e6, length }
      add(`jittered, ${length} steps from ${first}`, jittered, window)
      add(`jittered, ${length} steps from ${first}, second stream of a row`, jittered, window, {
        outStride: CHANNELS + 2,
        offset: 2,
      })
    }
  }
  const lastUs = uniform[uniform.length - 1] as number
  add('before the first sample', uniform, { first: 0, startUs: -3e5, endUs: 7e5, length: 50 })
  add('past the last sample', uniform, {
    first: uniform.length - 100,
    startUs: lastUs - 99 * period,
    endUs: lastUs + 1e6,
    length: 80,
  })
  add('one sample', uniform.slice(0, 1), { first: 0, startUs: 0, endUs: 1e6, length: 10 })
  return windows
}
