import { seededRandom } from '../../seeded-random.js'

/** A labeled stretch of simulated trouble, in seconds from the start. */
export interface AnomalyInterval {
  kind: 'imbalance' | 'bearing'
  startS: number
  endS: number
}

export interface MachineSimulatorOptions {
  rateHz?: number
  seed?: number
}

export const DEMO_CHANNELS = ['ax', 'ay', 'az'] as const

/**
 * A rotating machine seen by a 3-axis accelerometer (g): shaft rotation near 24.5 Hz with slowly
 * drifting speed, its 2nd and 3rd harmonics, gravity on z, sensor noise, and anomaly episodes
 * whose true intervals are known: imbalance (the 1x component grows threefold) and bearing-fault
 * bursts (impulses at the outer-race frequency, 3.57x shaft speed, ringing a structural
 * resonance). Deterministic for a seed.
 */
export class MachineSimulator {
  readonly rateHz: number
  readonly #random: () => number
  readonly #schedule: AnomalyInterval[] = []
  readonly #scheduleRandom: () => number
  #scheduledUntilS = 0
  #index = 0
  #phase = 0
  #bearingPhase = 0
  #ring = 0
  #speedWalk = 0
  #spareGaussian: number | null = null

  constructor(opts: MachineSimulatorOptions = {}) {
    this.rateHz = opts.rateHz ?? 400
    const seed = opts.seed ?? 1
    this.#random = seededRandom(seed)
    this.#scheduleRandom = seededRandom(seed ^ 0x9e3779b9)
  }

  /** The anomalies that start within the first `seconds`. */
  anomalies(seconds: number): AnomalyInterval[] {
    this.#extendSchedule(seconds)
    return this.#schedule.filter((a) => a.startS < seconds)
  }

  /** The next `n` samples, interleaved ax, ay, az. */
  next(n: number): Float32Array {
    const out = new Float32Array(n * 3)
    const dt = 1 / this.rateHz
    this.#extendSchedule((this.#index + n) * dt + 60)
    // A resonance the sample rate can show, decaying in about 8 ms.
    const resonanceHz = Math.min(1800, 0.3 * this.rateHz)
    const decay = Math.exp(-dt / 0.008)
    for (let i = 0; i < n; i++) {
      const t = this.#index * dt
      this.#speedWalk += (this.#random() - 0.5) * 0.0004
      this.#speedWalk *= 0.9995
      const shaftHz = 24.5 * (1 + 0.03 * Math.sin((2 * Math.PI * t) / 90) + this.#speedWalk)
      this.#phase += 2 * Math.PI * shaftHz * dt
      const imbalance = this.#intensity('imbalance', t)
      const bearing = this.#intensity('bearing', t)
      const oneX = 0.12 * (1 + 2 * imbalance)
      // Outer-race impulses: each one rings the resonance.
      const before = this.#bearingPhase
      this.#bearingPhase += 3.57 * shaftHz * dt
      if (bearing > 0 && Math.floor(this.#bearingPhase) > Math.floor(before))
        this.#ring += 0.6 * bearing
      this.#ring *= decay
      const ring = this.#ring * Math.sin(2 * Math.PI * resonanceHz * t)
      const p = this.#phase
      out[i * 3] =
        oneX * Math.sin(p) +
        0.04 * Math.sin(2 * p + 0.3) +
        0.02 * Math.sin(3 * p) +
        ring +
        0.01 * this.#gaussian()
      out[i * 3 + 1] =
        oneX * Math.cos(p) + 0.03 * Math.sin(2 * p + 1.1) + 0.5 * ring + 0.01 * this.#gaussian()
      out[i * 3 + 2] = 1 + 0.03 * Math.sin(2 * p) + 0.3 * ring + 0.01 * this.#gaussian()
      this.#index++
    }
    return out
  }

  /** 0..1 with soft edges inside an episode of `kind`, 0 outside. */
  #intensity(kind: AnomalyInterval['kind'], t: number): number {
    for (const a of this.#schedule) {
      if (a.startS > t) break
      if (a.kind === kind && t < a.endS)
        return Math.min(1, (t - a.startS) / 0.5, (a.endS - t) / 0.5)
    }
    return 0
  }

  /** Episodes of 4-15 s separated by 20-60 s of normal running. */
  #extendSchedule(untilS: number): void {
    const r = this.#scheduleRandom
    while (this.#scheduledUntilS < untilS) {
      const startS = this.#scheduledUntilS + 20 + r() * 40
      const endS = startS + 4 + r() * 11
      this.#schedule.push({ kind: r() < 0.5 ? 'imbalance' : 'bearing', startS, endS })
      this.#scheduledUntilS = endS
    }
  }

  #gaussian(): number {
    if (this.#spareGaussian !== null) {
      const spare = this.#spareGaussian
      this.#spareGaussian = null
      return spare
    }
    const u = Math.max(this.#random(), 1e-12)
    const v = this.#random()
    const radius = Math.sqrt(-2 * Math.log(u))
    this.#spareGaussian = radius * Math.sin(2 * Math.PI * v)
    return radius * Math.cos(2 * Math.PI * v)
  }
}

/** How the demo device prints its samples. */
export function formatLines(
  values: Float32Array,
  format: 'csv' | 'plotter',
  names: readonly string[] = DEMO_CHANNELS,
): string {
  const channels = names.length
  let text = ''
  for (let i = 0; i < values.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const v = (values[i + c] as number).toFixed(4)
      if (c > 0) text += ','
      text += format === 'plotter' ? `${names[c]}:${v}` : v
    }
    text += '\n'
  }
  return text
}
