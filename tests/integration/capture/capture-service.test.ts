import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CaptureService } from '../../../src-main/capture/capture-service.js'
import { decoderFor } from '../../../src-main/capture/decoders/decoder-for.js'
import { MachineSimulator } from '../../../src-main/capture/demo/machine-simulator.js'
import {
  DeviceRegistry,
  type ConnectOptions,
  type Device,
} from '../../../src-main/capture/devices/device-registry.js'
import { ByteSource } from '../../../src-main/capture/sources/byte-source.js'
import { ProjectService } from '../../../src-main/project/project-service.js'
import { ServiceError } from '../../../src-main/rpc/errors.js'
import { EventBus } from '../../../src-main/rpc/events.js'
import { Settings } from '../../../src-main/settings.js'

// The capture service over a real project file, with a kind of device it has never heard of and
// with the demo device.
let dir: string
let settings: Settings
let projects: ProjectService
let capture: CaptureService | null

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-capture-'))
  settings = new Settings(join(dir, 'settings.json'))
  projects = new ProjectService({
    initialPath: join(dir, 'p.tinyloop'),
    settings,
    events: new EventBus(),
  })
  capture = null
})
afterEach(async () => {
  await capture?.stopAll()
  projects.close()
  rmSync(dir, { recursive: true, force: true })
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Bytes a test sends when it likes; what the session sends the device is kept. */
class TestSource extends ByteSource {
  readonly written: Buffer[] = []
  async open(): Promise<void> {}
  async close(): Promise<void> {}
  async write(bytes: Uint8Array): Promise<void> {
    this.written.push(Buffer.from(bytes))
  }
}

/** A board of a kind the capture service does not know, offered by its own provider. */
function benchBoard(source: ByteSource, connected: ConnectOptions[]): Device {
  return {
    description: {
      id: 'bench-1',
      kind: 'serial',
      path: null,
      label: 'Bench board',
      manufacturer: 'Lab',
      vendorId: null,
      productId: null,
      serialNumber: 'SN-7',
    },
    settingsKey: 'SN-7',
    recordedAs: 'Lab bench board',
    nameStem: 'Bench',
    connect(options) {
      connected.push(options)
      return { source, decoder: decoderFor(options.format) }
    },
  }
}

const noPorts = {
  list: async () => [],
  find: async (path: string): Promise<Device> => {
    throw new ServiceError('DEVICE', `No device at ${path}.`)
  },
}

describe('CaptureService', () => {
  it('lists, opens and records a new kind of device as it does every other', async () => {
    const source = new TestSource()
    const connected: ConnectOptions[] = []
    const board = benchBoard(source, connected)
    const boards = {
      list: async () => [board],
      find: async (id: string) => (id === board.description.id ? board : null),
    }
    capture = new CaptureService(
      projects,
      new EventBus(),
      settings,
      new DeviceRegistry({ ports: noPorts, named: [boards] }),
    )
    expect(await capture.devices()).toEqual([{ ...board.description, settings: null, busy: false }])

    const started = await capture.start({ deviceId: 'bench-1', rateHz: 100, format: 'csv' })
    expect(connected).toEqual([{ baudRate: 115200, format: 'csv', rateHz: 100 }])
    expect((await capture.devices())[0]).toMatchObject({
      busy: true,
      settings: { baudRate: 115200, format: 'csv', rateHz: 100 },
    })
    let text = 'x,y\n'
    for (let i = 0; i < 50; i++) text += `${i},${-i}\n`
    source.emit('data', Buffer.from(text))
    const stopped = await capture.stop(started.recordingId)

    expect(stopped).toMatchObject({ deviceId: 'bench-1', samples: 50, channels: ['x', 'y'] })
    const recording = projects.project().recordings.get(started.recordingId)!
    expect(recording.device).toBe('Lab bench board')
    expect(recording.name).toMatch(/^Bench \d{4}-\d\d-\d\d \d\d:\d\d$/)
    expect((await capture.devices())[0]).toMatchObject({ busy: false })
    await expect(capture.start({ deviceId: '/dev/ttyNONE' })).rejects.toThrow(
      'No device at /dev/ttyNONE.',
    )
  })

  it('records the demo device as the simulated machine of its seed', async () => {
    capture = new CaptureService(projects, new EventBus(), settings)
    expect((await capture.devices()).at(-1)).toMatchObject({ id: 'demo', kind: 'demo' })
    const started = await capture.start({ deviceId: 'demo', seed: 5, rateHz: 400 })
    await sleep(600)
    const stopped = await capture.stop(started.recordingId)

    expect(stopped).toMatchObject({ channels: ['ax', 'ay', 'az'], rejected: 0 })
    expect(stopped.samples).toBeGreaterThan(100)
    const project = projects.project()
    const stream = project.streams.list(started.recordingId)[0]!
    const { data } = project.samples.read(stream.id, 0, Number.MAX_SAFE_INTEGER)
    // Printed with 4 decimals, stored as float32.
    const sent = new MachineSimulator({ rateHz: 400, seed: 5 }).next(stopped.samples)
    const expected = Array.from(sent, (v) => Math.fround(Number(v.toFixed(4))))
    expect(Array.from(data)).toEqual(expected)
  })

  it('records the demo device drifting when asked: the sensor turned, as the simulator turns it', async () => {
    capture = new CaptureService(projects, new EventBus(), settings)
    const started = await capture.start({ deviceId: 'demo', seed: 5, rateHz: 400, drift: 'mount' })
    await sleep(600)
    const stopped = await capture.stop(started.recordingId)
    const project = projects.project()
    const stream = project.streams.list(started.recordingId)[0]!
    const { data } = project.samples.read(stream.id, 0, Number.MAX_SAFE_INTEGER)
    const sent = new MachineSimulator({ rateHz: 400, seed: 5, drift: 'mount' }).next(
      stopped.samples,
    )
    expect(Array.from(data)).toEqual(Array.from(sent, (v) => Math.fround(Number(v.toFixed(4)))))
    // Gravity now falls partly on y: its mean is −sin 30° g, z's cos 30° g.
    const mean = (c: number) => {
      let sum = 0
      for (let i = c; i < data.length; i += 3) sum += data[i] as number
      return sum / (data.length / 3)
    }
    expect(mean(1)).toBeCloseTo(-0.5, 1)
    expect(mean(2)).toBeCloseTo(Math.cos(Math.PI / 6), 1)
  })
})
