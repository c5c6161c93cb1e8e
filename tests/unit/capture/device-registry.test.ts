import { describe, expect, it } from 'vitest'
import {
  DeviceRegistry,
  type Device,
  type DeviceProvider,
  type PortProvider,
} from '../../../src-main/capture/devices/device-registry.js'

function device(id: string, kind: 'serial' | 'demo'): Device {
  return {
    description: {
      id,
      kind,
      path: kind === 'serial' ? id : null,
      label: id,
      manufacturer: null,
      vendorId: null,
      productId: null,
      serialNumber: null,
    },
    settingsKey: id,
    recordedAs: id,
    nameStem: id,
    connect: () => {
      throw new Error('Finding a device does not open it.')
    },
  }
}

/** Serial ports that list `listed` and, as real ports do, open any other path too. */
function ports(...listed: string[]): PortProvider {
  return {
    list: async () => listed.map((path) => device(path, 'serial')),
    find: async (path) => device(path, 'serial'),
  }
}

function named(...ids: string[]): DeviceProvider {
  const devices = ids.map((id) => device(id, 'demo'))
  return {
    list: async () => devices,
    find: async (id) => devices.find((d) => d.description.id === id) ?? null,
  }
}

const ids = (devices: Device[]) => devices.map((d) => d.description.id)

describe('DeviceRegistry', () => {
  it('lists the serial ports first, then the named devices in the order given', async () => {
    const registry = new DeviceRegistry({
      ports: ports('/dev/ttyACM0', '/dev/ttyUSB0'),
      named: [named('demo'), named('board-a', 'board-b')],
    })
    expect(ids(await registry.list())).toEqual([
      '/dev/ttyACM0',
      '/dev/ttyUSB0',
      'demo',
      'board-a',
      'board-b',
    ])
  })

  it('finds a named device by its id before treating the id as a path', async () => {
    const board = named('board-a')
    const registry = new DeviceRegistry({ ports: ports(), named: [named('demo'), board] })
    const found = await registry.find('board-a')
    expect(found).toBe((await board.list())[0])
    expect(found.description.kind).toBe('demo')
  })

  it('gives every id no named provider claims to the serial ports, listed or not', async () => {
    const registry = new DeviceRegistry({ ports: ports('/dev/ttyACM0'), named: [named('demo')] })
    for (const path of ['/dev/ttyACM0', '/tmp/ttyDEMO']) {
      const found = await registry.find(path)
      expect(found.description).toMatchObject({ id: path, kind: 'serial', path })
    }
  })
})
