import {
  DEMO_CHANNELS,
  type DriftMode,
  formatLines,
  MachineSimulator,
} from './machine-simulator.js'

export interface DemoTransmitterOptions {
  rateHz: number
  seed: number
  drift?: DriftMode
  format: 'csv' | 'plotter'
  /** CSV only: send a header line of channel names first. */
  header: boolean
  /** How far apart the bursts go out, ms. */
  burstMs: number
}

/**
 * The simulated machine sent as its board would send it: the samples fall due by the clock at the
 * machine's rate and go out as text lines in bursts, as a sample timer and a USB link deliver
 * them, so a busy host delays bursts but never changes the rate. The one pacing loop of the demo
 * device, in-process and on a pseudo-terminal (`tinyloop sim`).
 */
export class DemoTransmitter {
  readonly simulator: MachineSimulator
  readonly #opts: DemoTransmitterOptions
  #timer: NodeJS.Timeout | null = null

  constructor(opts: DemoTransmitterOptions) {
    this.#opts = opts
    this.simulator = new MachineSimulator({
      rateHz: opts.rateHz,
      seed: opts.seed,
      drift: opts.drift ?? 'none',
    })
  }

  /** Starts sending: `send` gets the header at once (with no samples), then each burst. */
  start(send: (text: string, samples: number) => void): void {
    const { format, header, burstMs } = this.#opts
    const startMs = performance.now()
    let sent = 0
    if (format === 'csv' && header) send(`${DEMO_CHANNELS.join(',')}\n`, 0)
    this.#timer = setInterval(() => {
      const due = Math.floor(((performance.now() - startMs) * this.simulator.rateHz) / 1000)
      const samples = due - sent
      if (samples <= 0) return
      sent = due
      send(formatLines(this.simulator.next(samples), format), samples)
    }, burstMs)
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
  }
}
