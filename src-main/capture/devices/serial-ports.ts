import { SerialPort } from 'serialport'
import { decoderFor } from '../decoders/decoder-for.js'
import { SerialSource } from '../sources/serial-source.js'
import type { Device, PortProvider } from './device-registry.js'

type PortInfo = Awaited<ReturnType<typeof SerialPort.list>>[number]

/** The serial ports the OS reports, with manufacturer, VID:PID and serial number. */
async function listedPorts(): Promise<PortInfo[]> {
  return SerialPort.list().catch(() => [])
}

/** Serial ports: the OS's list, and any other path (pseudo-terminals are not listed). */
export const serialPorts: PortProvider = {
  async list() {
    return (await listedPorts()).map((port) => serialDevice(port.path, port))
  },
  async find(path) {
    return serialDevice(
      path,
      (await listedPorts()).find((port) => port.path === path),
    )
  },
}

/** The port at `path`, described by what the OS says of it (nothing for an unlisted path). */
function serialDevice(path: string, port: PortInfo | undefined): Device {
  const manufacturer = port?.manufacturer ?? null
  const serialNumber = port?.serialNumber ?? null
  return {
    description: {
      id: path,
      kind: 'serial',
      path,
      label: manufacturer ? `${manufacturer} (${path})` : path,
      manufacturer,
      vendorId: port?.vendorId ?? null,
      productId: port?.productId ?? null,
      serialNumber,
    },
    settingsKey: serialNumber ?? path,
    recordedAs: manufacturer ? `${manufacturer} ${path}` : path,
    nameStem: path.split('/').pop() ?? path,
    serialPath: async () => path,
    connect: ({ baudRate, format }) => ({
      // The serial number finds the device again after a replug under another path.
      source: new SerialSource({ path, baudRate, serialNumber }),
      decoder: decoderFor(format),
    }),
  }
}
