import type { PredictionModel, Project } from '../store/index.js'
import type { SampleDecoder, TalkMoment } from './decoders/sample-decoder.js'
import type { LiveFrame } from './live-decimator.js'
import { Recorder, type RecorderStatus } from './recorder.js'
import type { ByteSource } from './sources/byte-source.js'

export interface SessionOptions {
  project: Project
  source: ByteSource
  /** The decoder of the source's bytes. */
  decoder: SampleDecoder
  deviceId: string
  device: string
  name: string
  notes?: string
  tags?: string[]
  rateHz?: number
  /** Stop after this many seconds of recording. */
  durationS?: number
  /** Stop after this many seconds without data. */
  idleStopS?: number
  /** The model a device's predictions name by its image CRC-32, when the app knows it. */
  modelFor?: (crc32: number) => PredictionModel | null
}

export type Connection = 'connected' | 'waiting' | 'closed'

export interface SessionStatus extends RecorderStatus {
  deviceId: string
  device: string
  connection: Connection
  /** Wall-clock seconds since the session started. */
  elapsedS: number
  /** Why the device was lost, while it is. */
  problem: string | null
}

const TICK_MS = 100
const REPORT_MS = 250

/**
 * One device being recorded: wires a byte source to a recorder, keeps writing on a timer,
 * pauses on unplug and continues after a gap on replug, and stops on request, after a duration,
 * or after a silence. Reports status and live min/max frames a few times per second.
 */
export class CaptureSession {
  readonly recorder: Recorder
  readonly #opts: SessionOptions
  readonly #startedMs = performance.now()
  #connection: Connection = 'connected'
  #problem: string | null = null
  #lastDataMs = performance.now()
  #timer: NodeJS.Timeout | null = null
  #lastReportMs = 0
  #done: Promise<SessionStatus>
  #finish!: (status: SessionStatus) => void
  onReport: ((status: SessionStatus, live: LiveFrame | null) => void) | null = null

  constructor(opts: SessionOptions) {
    this.#opts = opts
    this.recorder = new Recorder({
      project: opts.project,
      name: opts.name,
      device: opts.device,
      notes: opts.notes,
      tags: opts.tags,
      decoder: opts.decoder,
      rateHz: opts.rateHz,
      modelFor: opts.modelFor,
    })
    this.#done = new Promise((resolve) => (this.#finish = resolve))
  }

  /** Opens the device and starts recording; if it cannot be opened, the recording is removed. */
  async start(): Promise<void> {
    const { source } = this.#opts
    source.on('data', (bytes) => {
      this.#lastDataMs = performance.now()
      this.recorder.push(bytes)
      void this.#talk('data')
    })
    source.on('disconnect', (reason) => {
      this.recorder.pause()
      this.#connection = 'waiting'
      this.#problem = reason
      this.#report(true)
    })
    source.on('reconnect', () => {
      this.#connection = 'connected'
      this.#problem = null
      this.#lastDataMs = performance.now()
      this.#report(true)
      void this.#talk('open')
    })
    try {
      await source.open()
    } catch (err) {
      this.#opts.project.recordings.delete(this.recorder.recordingId)
      throw err
    }
    await this.#talk('open')
    this.#timer = setInterval(() => this.#tick(), TICK_MS)
  }

  /** Resolves when the session has stopped, for whatever reason. */
  get done(): Promise<SessionStatus> {
    return this.#done
  }

  async stop(): Promise<SessionStatus> {
    if (this.#connection !== 'closed') {
      this.#connection = 'closed'
      if (this.#timer) clearInterval(this.#timer)
      await this.#talk('close')
      await this.#opts.source.close()
      this.recorder.stop()
      this.#report(true)
      this.#finish(this.status())
    }
    return this.#done
  }

  status(): SessionStatus {
    return {
      ...this.recorder.status(),
      deviceId: this.#opts.deviceId,
      device: this.#opts.device,
      connection: this.#connection,
      elapsedS: (performance.now() - this.#startedMs) / 1000,
      problem: this.#problem,
    }
  }

  /** Sends the device what its decoder asks for (a binary device streams only when asked). */
  async #talk(moment: TalkMoment): Promise<void> {
    const bytes = this.#opts.decoder.talk?.(moment)
    if (!bytes) return
    try {
      await this.#opts.source.write(bytes)
    } catch {
      // The device went away; it is greeted again when it comes back.
    }
  }

  #tick(): void {
    this.recorder.tick()
    const now = performance.now()
    const { durationS, idleStopS } = this.#opts
    if (durationS !== undefined && now - this.#startedMs >= durationS * 1000) void this.stop()
    else if (idleStopS !== undefined && now - this.#lastDataMs >= idleStopS * 1000) void this.stop()
    else this.#report(false)
  }

  #report(force: boolean): void {
    const now = performance.now()
    if (!force && now - this.#lastReportMs < REPORT_MS) return
    this.#lastReportMs = now
    this.onReport?.(this.status(), this.recorder.live.take())
  }
}
