import type {
  CaptureStatus,
  DeviceInfo,
  LiveFrame,
  LivePredictions,
} from '../../../src-preload/contract/index'
import type {
  CaptureStart,
  DriftMode,
  FormatChoice,
  SampleFormat,
} from '../../../src-preload/contract/capture'
import type { ApiClient } from '../../api/client'
import { LiveBuffer } from '../chart/live-buffer'
import { PredictionBuffer } from '../chart/prediction-buffer'
import { messageOf } from '../../api/rpc-error'

export type { FormatChoice }

/** How each format is named where it was detected. */
export const FORMAT_LABELS: Record<SampleFormat, string> = {
  csv: 'CSV lines',
  plotter: 'Serial Plotter lines',
  binary: 'TinyLoop binary frames',
}

export const BAUD_RATES = [
  9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1000000, 2000000,
]
const DEVICE_POLL_MS = 2000
export const LIVE_WINDOW_S = 10

/**
 * The Capture view's state: the devices (polled while the view is open), the settings of the
 * next recording, the recordings in progress with their live buffers.
 */
export class CaptureState {
  readonly #api: ApiClient
  devices = $state.raw<DeviceInfo[]>([])
  selectedId = $state<string | null>(null)
  baudRate = $state(115200)
  format = $state<FormatChoice>('auto')
  /** Empty = measure it. */
  rate = $state('')
  name = $state('')
  notes = $state('')
  tags = $state('')
  /** The demo device's machine: as the demo project's, or drifting (docs/drift.md). */
  drift = $state<DriftMode>('none')
  starting = $state(false)
  error = $state<string | null>(null)
  /** Recordings in progress, by recording id. */
  sessions = $state.raw<Record<number, CaptureStatus>>({})
  /** Bumped when a live buffer changes, so the plot redraws. */
  liveVersion = $state(0)
  // Deliberately not reactive: hundreds of updates a second; `liveVersion` tells the plot to redraw.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #live = new Map<number, LiveBuffer>()
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #predictions = new Map<number, PredictionBuffer>()
  /** Recordings whose device sends predictions (its model's), by id: shows their live panel. */
  predicting = $state.raw<Record<number, true>>({})
  #poll: ReturnType<typeof setInterval> | null = null

  readonly selected: DeviceInfo | null = $derived(
    this.devices.find((d) => d.id === this.selectedId) ?? null,
  )
  /** The recording of the selected device, if it is being recorded. */
  readonly active: CaptureStatus | null = $derived(
    Object.values(this.sessions).find(
      (s) => s.state !== 'stopped' && s.deviceId === this.selectedId,
    ) ?? null,
  )
  /** The most recent recording of the selected device, in progress or just stopped. */
  readonly shown: CaptureStatus | null = $derived(
    this.active ??
      Object.values(this.sessions)
        .filter((s) => s.deviceId === this.selectedId)
        .at(-1) ??
      null,
  )

  constructor(api: ApiClient) {
    this.#api = api
    api.on('capture.onStatus', (status) => this.#onStatus(status))
    api.on('capture.onLive', ({ recordingId, frame }) => this.#onLive(recordingId, frame))
    api.on('predictions.onLive', (event) => this.#onPredictions(event))
  }

  /** Starts polling the device list (while the Capture view is open); returns the stop. */
  watchDevices(): () => void {
    void this.refreshDevices()
    void this.#api.call('capture.sessions', {}).then((list) => {
      for (const status of list) this.#onStatus(status)
    })
    this.#poll = setInterval(() => void this.refreshDevices(), DEVICE_POLL_MS)
    return () => {
      if (this.#poll) clearInterval(this.#poll)
      this.#poll = null
    }
  }

  async refreshDevices(): Promise<void> {
    try {
      this.devices = await this.#api.call('devices.list', {})
    } catch (err) {
      this.error = messageOf(err)
      return
    }
    if (!this.devices.some((d) => d.id === this.selectedId)) {
      // Prefer a real board over the demo device.
      this.select((this.devices.find((d) => d.kind === 'serial') ?? this.devices[0])?.id ?? null)
    }
  }

  select(id: string | null): void {
    this.selectedId = id
    const remembered = this.devices.find((d) => d.id === id)?.settings
    if (remembered) {
      this.baudRate = remembered.baudRate
      this.format = remembered.format
      this.rate = remembered.rateHz ? String(remembered.rateHz) : ''
    }
  }

  async start(): Promise<void> {
    if (!this.selectedId || this.starting) return
    this.starting = true
    this.error = null
    const rateHz = Number(this.rate)
    try {
      const status = await this.#api.call('capture.start', {
        deviceId: this.selectedId,
        baudRate: this.baudRate,
        format: this.format,
        rateHz: this.rate.trim() && rateHz > 0 ? rateHz : undefined,
        name: this.name.trim() || undefined,
        notes: this.notes.trim() || undefined,
        tags: this.tags
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
        ...(this.selected?.kind === 'demo' && this.drift !== 'none' ? { drift: this.drift } : {}),
      })
      this.#live.set(status.recordingId, new LiveBuffer())
      this.#onStatus(status)
      this.name = ''
      this.notes = ''
    } catch (err) {
      this.error = messageOf(err)
    } finally {
      this.starting = false
    }
  }

  /**
   * Starts recording a device with the given settings (the Deploy view's live panel), outside the
   * Capture view's form; the answer's status, or throws the service's error.
   */
  async startOn(request: CaptureStart): Promise<CaptureStatus> {
    const status = await this.#api.call('capture.start', request)
    this.#live.set(status.recordingId, new LiveBuffer())
    this.#onStatus(status)
    return status
  }

  /** The recording in progress of a device, if any. */
  activeOn(deviceId: string | null): CaptureStatus | null {
    return (
      Object.values(this.sessions).find((s) => s.state !== 'stopped' && s.deviceId === deviceId) ??
      null
    )
  }

  /** The Record button: stops the selected device's recording, or starts one. */
  toggle(): Promise<void> {
    return this.active ? this.stop(this.active.recordingId) : this.start()
  }

  async stop(recordingId: number): Promise<void> {
    try {
      this.#onStatus(await this.#api.call('capture.stop', { recordingId }))
    } catch (err) {
      this.error = messageOf(err)
    }
  }

  /** The live plot's columns for a recording (read `liveVersion` to redraw on new data). */
  liveColumns(recordingId: number): number[][] {
    return this.#live.get(recordingId)?.columns() ?? [[]]
  }

  /** The live predictions of a recording (read `liveVersion` to redraw); null: none came yet. */
  predictionsOf(recordingId: number): PredictionBuffer | null {
    return this.#predictions.get(recordingId) ?? null
  }

  /** The newest live sample time of a recording, s (the live plot's right edge). */
  liveEndS(recordingId: number): number {
    return this.#live.get(recordingId)?.lastX ?? 0
  }

  #onPredictions(event: LivePredictions): void {
    let buffer = this.#predictions.get(event.recordingId)
    if (!buffer) {
      buffer = new PredictionBuffer()
      this.#predictions.set(event.recordingId, buffer)
      this.predicting = { ...this.predicting, [event.recordingId]: true }
    }
    buffer.add(event)
    this.liveVersion++
  }

  #onStatus(status: CaptureStatus): void {
    this.sessions = { ...this.sessions, [status.recordingId]: status }
  }

  #onLive(recordingId: number, frame: LiveFrame): void {
    const status = this.sessions[recordingId]
    const rate = status?.rateHz ?? status?.measuredHz
    if (!rate) return
    let buffer = this.#live.get(recordingId)
    if (!buffer) {
      buffer = new LiveBuffer()
      this.#live.set(recordingId, buffer)
    }
    buffer.add(frame, rate)
    this.liveVersion++
  }
}
