import { formatLines, MachineSimulator } from '../demo/machine-simulator.js'
import { ByteSource } from './byte-source.js'

const TICK_MS = 20

/**
 * The demo device in-process: the simulated machine printed as CSV lines in real time, for people
 * without hardware. Lines come in 20 ms batches, as a USB link would deliver them.
 */
export class DemoSource extends ByteSource {
  readonly label = 'Demo device'
  readonly simulator: MachineSimulator
  readonly #format: 'csv' | 'plotter'
  #timer: NodeJS.Timeout | null = null
  #startMs = 0
  #sent = 0

  constructor(opts: { rateHz?: number; seed?: number; format?: 'csv' | 'plotter' } = {}) {
    super()
    this.simulator = new MachineSimulator({ rateHz: opts.rateHz ?? 400, seed: opts.seed ?? 1 })
    this.#format = opts.format ?? 'csv'
  }

  async open(): Promise<void> {
    this.#startMs = performance.now()
    this.#sent = 0
    if (this.#format === 'csv') this.emit('data', Buffer.from('ax,ay,az\n'))
    this.#timer = setInterval(() => this.#tick(), TICK_MS)
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
  }

  #tick(): void {
    const due = Math.floor(((performance.now() - this.#startMs) * this.simulator.rateHz) / 1000)
    const n = due - this.#sent
    if (n <= 0) return
    this.#sent = due
    this.emit('data', Buffer.from(formatLines(this.simulator.next(n), this.#format)))
  }
}
