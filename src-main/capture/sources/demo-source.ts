import { DemoTransmitter } from '../demo/demo-transmitter.js'
import type { DriftMode } from '../demo/machine-simulator.js'
import { ByteSource } from './byte-source.js'

/** Bursts 20 ms apart, as a USB link would deliver the lines. */
const BURST_MS = 20

/**
 * The demo device in-process: the simulated machine printed as CSV lines with a header, in real
 * time, for people without hardware.
 */
export class DemoSource extends ByteSource {
  readonly #transmitter: DemoTransmitter

  constructor(opts: { rateHz: number; seed: number; drift: DriftMode }) {
    super()
    this.#transmitter = new DemoTransmitter({
      ...opts,
      format: 'csv',
      header: true,
      burstMs: BURST_MS,
    })
  }

  async open(): Promise<void> {
    this.#transmitter.start((text) => this.emit('data', Buffer.from(text)))
  }

  async close(): Promise<void> {
    this.#transmitter.stop()
  }

  /** The simulated machine prints and reads nothing, as a CSV sketch does. */
  async write(): Promise<void> {}
}
