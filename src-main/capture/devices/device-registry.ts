import type { DeviceInfo } from '../../../src-preload/contract/index.js'
import type { SampleDecoder } from '../decoders/sample-decoder.js'
import type { FormatChoice } from '../decoders/decoder-for.js'
import type { DriftMode } from '../demo/machine-simulator.js'
import type { ByteSource } from '../sources/byte-source.js'

/** A device as `devices.list` shows it, less what the capture service adds. */
export type DeviceDescription = Omit<DeviceInfo, 'settings' | 'busy'>

/** What a recording asks of the device it opens; each kind of device uses what applies to it. */
export interface ConnectOptions {
  baudRate: number
  format: FormatChoice
  /** The rate declared for the recording, if any. */
  rateHz?: number
  /** The simulated machine's seed (the demo device). */
  seed?: number
  /** How the simulated machine drifts from its usual running (the demo device; docs/drift.md). */
  drift?: DriftMode
}

/** How a device's bytes arrive and are read. */
export interface DeviceConnection {
  /** Not open yet: the capture session opens it, and closes it when the recording ends. */
  source: ByteSource
  decoder: SampleDecoder
}

/** One device a provider can open. */
export interface Device {
  description: DeviceDescription
  /** Where the settings used with it are remembered: its serial number, else its id. */
  settingsKey: string
  /** How its recordings name it ('Demo device', 'Arduino LLC /dev/ttyACM0'). */
  recordedAs: string
  /** How the default name of its recordings starts ('Demo', 'ttyACM0'). */
  nameStem: string
  connect(options: ConnectOptions): DeviceConnection
  /**
   * The serial port to speak the device protocol on (flashing), started first where the device
   * is a program (a virtual board); absent where there is none (the demo device).
   */
  serialPath?(): Promise<string>
}

/**
 * A kind of device: serial ports, the demo device, and the firmware built here (the host port on
 * a pseudo-terminal and the QEMU virtual board, `virtual-boards.ts`). It knows which of its devices are there and how to
 * open one; the capture service treats every kind alike.
 */
export interface DeviceProvider {
  /** Its devices there are now; never rejects (a provider that cannot look lists none). */
  list(): Promise<Device[]>
  /** The device `id` names if it is one of this provider's, else null. */
  find(id: string): Promise<Device | null>
}

/**
 * The serial ports: it lists those the OS reports, and also opens a path the OS does not list (a
 * pseudo-terminal), so every id that no other provider claims is one of its devices.
 */
export interface PortProvider extends DeviceProvider {
  find(path: string): Promise<Device>
}

/**
 * Every device there is, whatever its kind, listed and found the same way. `named` providers own
 * fixed ids (`demo`, `virtual:host`), so they are asked first; any other id is a path
 * for `ports`. The list shows the serial ports first.
 */
export class DeviceRegistry {
  readonly #ports: PortProvider
  readonly #named: readonly DeviceProvider[]

  constructor(providers: { ports: PortProvider; named: DeviceProvider[] }) {
    this.#ports = providers.ports
    this.#named = providers.named
  }

  async list(): Promise<Device[]> {
    const lists = await Promise.all([this.#ports, ...this.#named].map((p) => p.list()))
    return lists.flat()
  }

  async find(id: string): Promise<Device> {
    for (const provider of this.#named) {
      const device = await provider.find(id)
      if (device) return device
    }
    return this.#ports.find(id)
  }
}
