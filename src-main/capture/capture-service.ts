import type {
  CaptureStart,
  CaptureStatus,
  DeviceInfo,
  LivePredictions,
} from '../../src-preload/contract/index.js'
import type { ProjectService } from '../project/project-service.js'
import { ServiceError } from '../rpc/errors.js'
import type { EventBus } from '../rpc/events.js'
import type { Settings } from '../settings.js'
import type { PredictionModel, Project } from '../store/index.js'
import { CaptureSession, type SessionStatus } from './capture-session.js'
import { demoDevices } from './devices/demo-device.js'
import { DeviceRegistry, type Device } from './devices/device-registry.js'
import { serialPorts } from './devices/serial-ports.js'

const DEFAULT_BAUD = 115200

/**
 * Devices and recordings in progress, shared by the app, web mode and `tinyloop record`: lists
 * the devices of every kind (serial ports, the demo device), remembers each device's settings
 * (by serial number where it has one), and runs one capture session per device.
 */
export class CaptureService {
  readonly #projects: ProjectService
  readonly #events: EventBus
  readonly #settings: Settings
  readonly #devices: DeviceRegistry
  readonly #sessions = new Map<number, { session: CaptureSession; deviceId: string }>()

  /** `devices`: the kinds of device TinyLoop knows; tests give their own. */
  constructor(
    projects: ProjectService,
    events: EventBus,
    settings: Settings,
    devices = new DeviceRegistry({ ports: serialPorts, named: [demoDevices] }),
  ) {
    this.#projects = projects
    this.#events = events
    this.#settings = settings
    this.#devices = devices
  }

  get recording(): boolean {
    return this.#sessions.size > 0
  }

  async devices(): Promise<DeviceInfo[]> {
    const remembered = this.#settings.data.devices
    return (await this.#devices.list()).map(({ description, settingsKey }) => ({
      ...description,
      settings: remembered[settingsKey] ?? null,
      busy: this.#busy(description.id),
    }))
  }

  /**
   * Asked before a recording starts: a reason to refuse the device (a flash in progress on it),
   * or null.
   */
  startGuard: ((deviceId: string) => Promise<string | null>) | null = null

  /**
   * Finds the model a device's predictions name by its image CRC-32 (a run of the project), so
   * they are stored with their classes and probabilities; set by the services.
   */
  modelFor: ((project: Project, crc32: number) => PredictionModel | null) | null = null

  /** Whether a recording is in progress on the device `deviceId` names. */
  recordingOn(deviceId: string): boolean {
    return this.#busy(deviceId)
  }

  /** The device `deviceId` names, of whatever kind (a path is a serial port). */
  device(deviceId: string): Promise<Device> {
    return this.#devices.find(deviceId)
  }

  async start(request: CaptureStart): Promise<CaptureStatus> {
    const { deviceId } = request
    const guard = await this.startGuard?.(deviceId)
    if (guard) throw new ServiceError('BUSY', guard)
    if (this.#busy(deviceId)) {
      throw new ServiceError(
        'BUSY',
        `${deviceId} is already being recorded. Stop that recording first.`,
      )
    }
    const project = this.#projects.project()
    const device = await this.#devices.find(deviceId)
    const key = device.settingsKey
    const remembered = this.#settings.data.devices[key]
    const baudRate = request.baudRate ?? remembered?.baudRate ?? DEFAULT_BAUD
    const format = request.format ?? remembered?.format ?? 'auto'
    const rateHz = request.rateHz ?? undefined
    const { source, decoder } = device.connect({
      baudRate,
      format,
      rateHz,
      seed: request.seed,
      drift: request.drift,
    })
    const session = new CaptureSession({
      project,
      source,
      decoder,
      deviceId,
      device: device.recordedAs,
      name: request.name?.trim() || defaultName(device.nameStem),
      notes: request.notes,
      tags: request.tags,
      rateHz,
      durationS: request.durationS,
      idleStopS: request.idleStopS,
      modelFor: (crc) => this.modelFor?.(project, crc) ?? null,
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
      const predictions = session.recorder.takePredictions()
      if (predictions.length > 0) {
        this.#events.emit('predictions.onLive', livePredictions(session, predictions))
      }
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

/** The predictions of a report, with the models they came from (CRCs as hex, as the card's). */
function livePredictions(
  session: CaptureSession,
  predictions: ReturnType<CaptureSession['recorder']['takePredictions']>,
): LivePredictions {
  const { recorder } = session
  return {
    recordingId: recorder.recordingId,
    models: [...recorder.models].map(([crc, model]) => ({
      modelCrc32: hex32(crc),
      runId: model?.runId ?? null,
      classes: model?.classes ?? [],
      windowUs: model?.windowUs ?? null,
      outputScale: model?.outputScale ?? null,
      outputZeroPoint: model?.outputZeroPoint ?? null,
      threshold: model?.threshold ?? null,
    })),
    predictions: predictions.map((p) => ({ ...p, modelCrc32: hex32(p.modelCrc32) })),
    total: recorder.predictionCount,
  }
}

const hex32 = (n: number) => (n >>> 0).toString(16).padStart(8, '0')

/** `stem` and the time, to the minute: 'ttyACM0 2026-11-27 14:05'. */
function defaultName(stem: string): string {
  const now = new Date()
  const pad = (n: number) => String(n).padStart(2, '0')
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}`
  return `${stem} ${stamp}`
}
