/** Output data rates of common sensors and sketches; a measurement within 1.5% snaps to one. */
const COMMON_RATES_HZ = [
  1, 2, 5, 10, 12.5, 20, 25, 26, 50, 52, 60, 100, 104, 119, 120, 125, 200, 208, 238, 250, 400, 416,
  476, 500, 800, 833, 952, 1000, 1600, 1660, 2000, 3200, 3330, 4000, 6660, 8000, 10000, 16000,
]
const SNAP_TOLERANCE = 0.015
/** Data arriving this soon after the first byte may be a backlog from before the port opened. */
const BACKLOG_MS = 250
/** Enough time and arrivals for the estimate to be worth locking the sample clock to. */
const SETTLE_SPAN_MS = 2000
const SETTLE_POINTS = 4
const WINDOW_MS = 60_000
const MAX_POINTS = 2048

export interface RateEstimate {
  /** Samples per second, snapped to a common rate when close to one; null until measurable. */
  hz: number | null
  /** The raw least-squares figure, before snapping. */
  measuredHz: number | null
  settled: boolean
}

/**
 * Estimates a device's sample rate from how many samples have arrived by when, by least squares
 * over the arrivals of the last minute. Host arrival times jitter badly on USB (bursts every
 * 50-500 ms are common), but the count of samples at an arrival stays on the device's clock, so
 * the slope converges; arrivals in the first 250 ms (a backlog buffered before the port opened)
 * are left out.
 */
export class RateEstimator {
  #firstMs: number | null = null
  #times: number[] = []
  #counts: number[] = []

  /** `totalSamples` samples had arrived by host time `tMs`. */
  observe(tMs: number, totalSamples: number): void {
    if (this.#firstMs === null) this.#firstMs = tMs
    if (tMs - this.#firstMs < BACKLOG_MS) return
    const last = this.#times.length - 1
    // Arrivals closer than 10 ms add nothing but cost; keep the later count.
    if (last >= 0 && tMs - (this.#times[last] as number) < 10) {
      this.#counts[last] = totalSamples
      this.#times[last] = tMs
      return
    }
    this.#times.push(tMs)
    this.#counts.push(totalSamples)
    while (this.#times.length > MAX_POINTS || tMs - (this.#times[0] as number) > WINDOW_MS) {
      this.#times.shift()
      this.#counts.shift()
    }
  }

  estimate(): RateEstimate {
    const n = this.#times.length
    if (n < 2) return { hz: null, measuredHz: null, settled: false }
    const span = (this.#times[n - 1] as number) - (this.#times[0] as number)
    if (span <= 0) return { hz: null, measuredHz: null, settled: false }
    let meanT = 0
    let meanC = 0
    for (let i = 0; i < n; i++) {
      meanT += this.#times[i] as number
      meanC += this.#counts[i] as number
    }
    meanT /= n
    meanC /= n
    let covariance = 0
    let variance = 0
    for (let i = 0; i < n; i++) {
      const dt = (this.#times[i] as number) - meanT
      covariance += dt * ((this.#counts[i] as number) - meanC)
      variance += dt * dt
    }
    const measuredHz = (covariance / variance) * 1000
    if (!(measuredHz > 0)) return { hz: null, measuredHz: null, settled: false }
    return {
      hz: snapRate(measuredHz),
      measuredHz,
      settled: span >= SETTLE_SPAN_MS && n >= SETTLE_POINTS,
    }
  }
}

/** The nearest common rate within 1.5%, else the measurement to 0.1 Hz. */
export function snapRate(hz: number): number {
  for (const common of COMMON_RATES_HZ) {
    if (Math.abs(hz - common) <= common * SNAP_TOLERANCE) return common
  }
  return Math.round(hz * 10) / 10
}
