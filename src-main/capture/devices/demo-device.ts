import { decoderFor } from '../decoders/decoder-for.js'
import { DemoSource } from '../sources/demo-source.js'
import type { Device, DeviceProvider } from './device-registry.js'

export const DEMO_DEVICE_ID = 'demo'
const DEFAULT_RATE_HZ = 400

const demoDevice: Device = {
  description: {
    id: DEMO_DEVICE_ID,
    kind: 'demo',
    path: null,
    label: 'Demo device (simulated machine)',
    manufacturer: 'TinyLoop',
    vendorId: null,
    productId: null,
    serialNumber: null,
  },
  settingsKey: DEMO_DEVICE_ID,
  recordedAs: 'Demo device',
  nameStem: 'Demo',
  connect: ({ format, rateHz, seed, drift }) => ({
    // A new machine each time unless a seed is asked for.
    source: new DemoSource({
      rateHz: rateHz ?? DEFAULT_RATE_HZ,
      seed: seed ?? Date.now() % 100000,
      drift: drift ?? 'none',
    }),
    decoder: decoderFor(format),
  }),
}

/** The demo device (a simulated machine), always there, for people without hardware. */
export const demoDevices: DeviceProvider = {
  async list() {
    return [demoDevice]
  },
  async find(id) {
    return id === DEMO_DEVICE_ID ? demoDevice : null
  },
}
