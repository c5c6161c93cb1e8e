/**
 * The feature functions, one window of one channel at a time. Each is written down in
 * docs/dataset.md so the device's C code can compute the same numbers: inputs are the stored
 * float32 samples, arithmetic is float64, outputs are rounded to float32 once at the end.
 */
import { fft, nextPowerOfTwo } from './fft.js'

export const STATS = ['mean', 'std', 'min', 'max', 'rms'] as const

/**
 * Mean, population standard deviation (divided by n), min, max and root mean square of the
 * window's samples `values[from..to)`; a window without samples has the value carried forward:
 * mean = min = max = `previous`, std 0, rms |previous|.
 */
export function statsOf(
  values: ArrayLike<number>,
  from: number,
  to: number,
  previous: number,
  out: Float64Array,
  at: number,
): void {
  const n = to - from
  if (n <= 0) {
    out[at] = previous
    out[at + 1] = 0
    out[at + 2] = previous
    out[at + 3] = previous
    out[at + 4] = Math.abs(previous)
    return
  }
  let sum = 0
  let sumSquares = 0
  let min = Infinity
  let max = -Infinity
  for (let i = from; i < to; i++) {
    const v = values[i] as number
    sum += v
    sumSquares += v * v
    if (v < min) min = v
    if (v > max) max = v
  }
  const mean = sum / n
  // Two passes for the deviation: sum of squares minus n·mean² loses precision on offset signals.
  let deviations = 0
  for (let i = from; i < to; i++) {
    const d = (values[i] as number) - mean
    deviations += d * d
  }
  out[at] = mean
  out[at + 1] = Math.sqrt(deviations / n)
  out[at + 2] = min
  out[at + 3] = max
  out[at + 4] = Math.sqrt(sumSquares / n)
}

/** Per-channel mean of the window's samples, or the previous value when it has none. */
export function snapshotOf(values: ArrayLike<number>, from: number, to: number, previous: number) {
  if (to <= from) return previous
  let sum = 0
  for (let i = from; i < to; i++) sum += values[i] as number
  return sum / (to - from)
}

/** Scratch arrays of one FFT size, reused across windows. */
export class SpectralScratch {
  re = new Float64Array(0)
  im = new Float64Array(0)
  hann = new Float64Array(0)
  hannSquares = 0

  /** e^{-2πik/N} for k = 0..N/2, N the padded length. */
  unpackTwiddles = { cos: new Float64Array(0), sin: new Float64Array(0) }

  prepare(n: number): void {
    const size = Math.max(2, nextPowerOfTwo(n))
    if (this.re.length !== size / 2) {
      this.re = new Float64Array(size / 2)
      this.im = new Float64Array(size / 2)
      const cos = new Float64Array(size / 2 + 1)
      const sin = new Float64Array(size / 2 + 1)
      for (let k = 0; k <= size / 2; k++) {
        cos[k] = Math.cos((2 * Math.PI * k) / size)
        sin[k] = -Math.sin((2 * Math.PI * k) / size)
      }
      this.unpackTwiddles = { cos, sin }
    }
    if (this.hann.length !== n) {
      this.hann = new Float64Array(n)
      this.hannSquares = 0
      for (let i = 0; i < n; i++) {
        const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n)
        this.hann[i] = w
        this.hannSquares += w * w
      }
    }
  }
}

/**
 * Band energies of `values[from..to)` (n samples): the mean is removed, a periodic Hann window
 * applied, the result zero-padded to N = the next power of two and transformed. Bin k (0..N/2,
 * frequency k·rate/N) goes to band min(bands - 1, floor(k·bands / (N/2))), so the bands split
 * 0 Hz to rate/2 into equal widths. Energy = sum over its bins of c_k·|X_k|² / (N · Σw²), with
 * c_k = 2 except for k = 0 and N/2: the bands of a window sum to its Hann-weighted variance (a sine
 * of amplitude A gives about A²/2). Fewer than 2 samples give zeros.
 */
export function spectralOf(
  values: ArrayLike<number>,
  from: number,
  to: number,
  bands: number,
  scratch: SpectralScratch,
  out: Float64Array,
  at: number,
): void {
  const n = to - from
  out.fill(0, at, at + bands)
  if (n < 2) return
  scratch.prepare(n)
  const { re, im, hann } = scratch
  let sum = 0
  for (let i = from; i < to; i++) sum += values[i] as number
  const mean = sum / n
  // A real signal of N points is transformed as N/2 complex points (even samples real, odd
  // imaginary) and unpacked: the same X_k as a full N-point FFT, in half the work.
  const size = re.length * 2
  const half = size / 2
  re.fill(0)
  im.fill(0)
  for (let i = 0; i < n; i++) {
    const y = ((values[from + i] as number) - mean) * (hann[i] as number)
    if (i % 2 === 0) re[i >> 1] = y
    else im[i >> 1] = y
  }
  fft(re, im)
  const { cos, sin } = scratch.unpackTwiddles
  const scale = 1 / (size * scratch.hannSquares)
  for (let k = 0; k <= half; k++) {
    const a = k % half
    const b = (half - k) % half
    const zr = re[a] as number
    const zi = im[a] as number
    const cr = re[b] as number
    const ci = -(im[b] as number)
    // E_k = (Z_k + conj Z_{M-k}) / 2, O_k = (Z_k - conj Z_{M-k}) / 2i, X_k = E_k + W^k O_k.
    const er = (zr + cr) / 2
    const ei = (zi + ci) / 2
    const or = (zi - ci) / 2
    const oi = -(zr - cr) / 2
    const wr = cos[k] as number
    const wi = sin[k] as number
    const xr = er + wr * or - wi * oi
    const xi = ei + wr * oi + wi * or
    const weight = k === 0 || k === half ? 1 : 2
    const band = Math.min(bands - 1, Math.floor((k * bands) / half))
    out[at + band] = (out[at + band] as number) + weight * (xr * xr + xi * xi) * scale
  }
}

/**
 * Linear interpolation of one channel at `length` times startUs + j·(endUs - startUs)/length,
 * j = 0..length-1, between the last sample at or before each time and the next one (held after
 * the last sample). `first` is the index of the last sample at or before startUs.
 */
export function resampleInto(
  times: Float64Array,
  values: ArrayLike<number>,
  channels: number,
  channel: number,
  first: number,
  startUs: number,
  endUs: number,
  length: number,
  out: Float64Array,
  at: number,
  outStride: number,
): void {
  let p = first
  const last = times.length - 1
  for (let j = 0; j < length; j++) {
    const t = startUs + (j * (endUs - startUs)) / length
    while (p < last && (times[p + 1] as number) <= t) p++
    const v0 = values[p * channels + channel] as number
    if (p >= last) {
      out[at + j * outStride] = v0
      continue
    }
    const t0 = times[p] as number
    const t1 = times[p + 1] as number
    const v1 = values[(p + 1) * channels + channel] as number
    out[at + j * outStride] = t <= t0 ? v0 : v0 + ((v1 - v0) * (t - t0)) / (t1 - t0)
  }
}
