import { SerialPort } from 'serialport'
import type { CaptureStart, CaptureStatus, DeviceInfo } from '../../src-preload/contract/index.js'
import type { ProjectService } from '../project/project-service.js'
import { ServiceError } from '../rpc/errors.js'
import type { EventBus } from '../rpc/events.js'
import type { Settings } from '../settings.js'
import { CaptureSession, type SessionStatus } from './capture-session.js'
import { decoderFor } from './decoders/decoder-for.js'
import { DemoSource } from './sources/demo-source.js'
import { SerialSource } from './sources/serial-source.js'

export const DEMO_DEVICE_ID = 'demo'
const DEFAULT_BAUD = 115200

/**
 * Devices and recordings in progress, shared by the app, web mode and `tinyloop record`: lists
 * serial ports and the demo device, remembers each device's settings by serial number, and runs
 * one capture session per device.
 */
export class CaptureService {
  readonly #projects: ProjectService
  readonly #events: EventBus
  readonly #settings: Settings
  readonly #sessions = new Map<number, { session: CaptureSession; deviceId: string }>()

  constructor(projects: ProjectService, events: EventBus, settings: Settings) {
    this.#projects = projects
    this.#events = events
    this.#settings = settings
  }

  get recording(): boolean {
    return this.#sessions.size > 0
  }

  async devices(): Promise<DeviceInfo[]> {
    const ports = await SerialPort.list().catch(() => [])
    const remembered = this.#settings.data.devices
    const serial: DeviceInfo[] = ports.map((p) => ({
      id: p.path,
      kind: 'serial',
      path: p.path,
      label: p.manufacturer ? `${p.manufacturer} (${p.path})` : p.path,
      manufacturer: p.manufacturer ?? null,
      vendorId: p.vendorId ?? null,
      productId: p.productId ?? null,
      serialNumber: p.serialNumber ?? null,
      settings: remembered[p.serialNumber ?? p.path] ?? null,
      busy: this.#busy(p.path),
    }))
    const demo: DeviceInfo = {
      id: DEMO_DEVICE_ID,
      kind: 'demo',
      path: null,
      label: 'Demo device (simulated machine)',
      manufacturer: 'TinyLoop',
      vendorId: null,
      productId: null,
      serialNumber: null,
      settings: remembered[DEMO_DEVICE_ID] ?? null,
      busy: this.#busy(DEMO_DEVICE_ID),
    }
    return [...serial, demo]
  }

  async start(request: CaptureStart): Promise<CaptureStatus> {
    const { deviceId } = request
    if (this.#busy(deviceId)) {
      throw new ServiceError(
        'BUSY',
        `${deviceId} is already being recorded. Stop that recording first.`,
      )
    }
    const project = this.#projects.project()
    const isDemo = deviceId === DEMO_DEVICE_ID
    const port = isDemo
      ? undefined
      : (await SerialPort.list().catch(() => [])).find((p) => p.path === deviceId)
    const key = isDemo ? DEMO_DEVICE_ID : (port?.serialNumber ?? deviceId)
    const remembered = this.#settings.data.devices[key]
    const baudRate = request.baudRate ?? remembered?.baudRate ?? DEFAULT_BAUD
    const format = request.format ?? remembered?.format ?? 'auto'
    const rateHz = request.rateHz ?? undefined
    const source = isDemo
      ? new DemoSource({ rateHz: rateHz ?? 400, seed: request.seed ?? Date.now() % 100000 })
      : new SerialSource({ path: deviceId, baudRate, serialNumber: port?.serialNumber ?? null })
    const device = isDemo
      ? 'Demo device'
      : port?.manufacturer
        ? `${port.manufacturer} ${deviceId}`
        : deviceId
    const session = new CaptureSession({
      project,
      source,
      decoder: decoderFor(format),
      deviceId,
      device,
      name: request.name?.trim() || defaultName(isDemo ? 'Demo' : deviceId),
      notes: request.notes,
      tags: request.tags,
      rateHz,
      durationS: request.durationS,
      idleStopS: request.idleStopS,
    })
    await session.start()
    const id = session.recorder.recordingId
    this.#sessions.set(id, { session, deviceId })
    this.#settings.update((d) => {
      d.devices[key] = { baudRate, format, rateHz: request.rateHz ?? null }
    })
    session.onReport = (status, live) => {
      this.#events.emit('capture.onStatus', status)
      if (live) this.#events.emit('capture.onLive', { recordingId: id, frame: live })
    }
    void session.done.then(() => {
      this.#sessions.delete(id)
      this.#events.emit('recordings.onChanged', { reason: 'capture' })
    })
    this.#events.emit('recordings.onChanged', { reason: 'capture' })
    return session.status()
  }

  async stop(recordingId: number): Promise<CaptureStatus> {
    const entry = this.#sessions.get(recordingId)
    if (!entry)
      throw new ServiceError('NOT_FOUND', `Recording ${recordingId} is not being recorded.`)
    return entry.session.stop()
  }

  sessions(): SessionStatus[] {
    return [...this.#sessions.values()].map(({ session }) => session.status())
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#sessions.values()].map(({ session }) => session.stop()))
  }

  #busy(deviceId: string): boolean {
    return [...this.#sessions.values()].some((s) => s.deviceId === deviceId)
  }
}

function defaultName(device: string): string {
  const now = new Date()
  const pad = (n: number) => String(n).padStart(2, '0')
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}`
  return `${device.split('/').pop()} ${stamp}`
}
