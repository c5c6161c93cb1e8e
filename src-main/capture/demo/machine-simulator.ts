import { DriftMode } from '../../../src-preload/contract/capture.js'
import { seededRandom } from '../../seeded-random.js'

/** A labeled stretch of simulated trouble, in seconds from the start. */
export interface AnomalyInterval {
  kind: 'imbalance' | 'bearing'
  startS: number
  endS: number
}

/**
 * How the simulated machine drifts away from the data a model trained on (docs/drift.md):
 * `none`, as the demo project's recordings; `wear`, a bearing that wears from the first sample
 * on (outer-race impulses and a noise floor that grow over WEAR_RAMP_S, on top of the usual
 * episodes); `mount`, the sensor mounted turned by MOUNT_ANGLE_DEG about its x axis, so gravity
 * and the vibration split between y and z.
 */
export const DRIFT_MODES = DriftMode.options
export type { DriftMode }
/** Seconds for a wearing bearing to reach WEAR_LEVEL (then it stays there). */
export const WEAR_RAMP_S = 300
/** How bad the worn bearing gets: a share of a bearing-fault episode's impulses. */
export const WEAR_LEVEL = 0.6
/** How far a remounted sensor is turned about its x axis. */
export const MOUNT_ANGLE_DEG = 30

export interface MachineSimulatorOptions {
  rateHz?: number
  seed?: number
  drift?: DriftMode
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
  readonly drift: DriftMode
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
    this.drift = opts.drift ?? 'none'
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
    const angle = (MOUNT_ANGLE_DEG * Math.PI) / 180
    const cosA = Math.cos(angle)
    const sinA = Math.sin(angle)
    for (let i = 0; i < n; i++) {
      const t = this.#index * dt
      this.#speedWalk += (this.#random() - 0.5) * 0.0004
      this.#speedWalk *= 0.9995
      const shaftHz = 24.5 * (1 + 0.03 * Math.sin((2 * Math.PI * t) / 90) + this.#speedWalk)
      this.#phase += 2 * Math.PI * shaftHz * dt
      const imbalance = this.#intensity('imbalance', t)
      const wear = this.drift === 'wear' ? WEAR_LEVEL * Math.min(1, t / WEAR_RAMP_S) : 0
      const bearing = Math.max(this.#intensity('bearing', t), wear)
      const noise = 0.01 * (1 + 2 * wear)
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
        noise * this.#gaussian()
      const y =
        oneX * Math.cos(p) + 0.03 * Math.sin(2 * p + 1.1) + 0.5 * ring + noise * this.#gaussian()
      const z = 1 + 0.03 * Math.sin(2 * p) + 0.3 * ring + noise * this.#gaussian()
      if (this.drift === 'mount') {
        out[i * 3 + 1] = y * cosA - z * sinA
        out[i * 3 + 2] = y * sinA + z * cosA
      } else {
        out[i * 3 + 1] = y
        out[i * 3 + 2] = z
      }
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
