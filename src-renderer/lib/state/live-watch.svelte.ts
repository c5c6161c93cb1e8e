import type { CaptureStatus, DeviceInfo } from '../../../src-preload/contract/index'
import { messageOf } from '../../api/rpc-error'
import type { CaptureState } from './capture.svelte'

/**
 * The Deploy view's live panel: a recording of the Device card's port in binary frames, so the
 * device's predictions arrive beside its samples (and are stored with the recording, for the
 * Label timeline and the drift check). The recording is an ordinary one: the Capture view shows
 * it too, and stopping it keeps it.
 */
export class LiveWatchState {
  readonly #capture: CaptureState
  readonly #port: () => DeviceInfo | null
  readonly #runId: () => number | null
  /** The recording this panel started last (in progress or stopped). */
  recordingId = $state<number | null>(null)
  starting = $state(false)
  error = $state<string | null>(null)

  constructor(
    capture: CaptureState,
    opts: { port: () => DeviceInfo | null; runId: () => number | null },
  ) {
    this.#capture = capture
    this.#port = opts.port
    this.#runId = opts.runId
  }

  /** The port's recording in progress, whoever started it. */
  get active(): CaptureStatus | null {
    return this.#capture.activeOn(this.#port()?.id ?? null)
  }

  /** What the panel shows: the recording in progress, else the one it started last. */
  get shown(): CaptureStatus | null {
    return (
      this.active ??
      (this.recordingId === null ? null : (this.#capture.sessions[this.recordingId] ?? null))
    )
  }

  toggle(): Promise<void> {
    return this.active ? this.stop() : this.start()
  }

  async start(): Promise<void> {
    const port = this.#port()
    if (!port || this.starting || this.active) return
    this.starting = true
    this.error = null
    const runId = this.#runId()
    try {
      const status = await this.#capture.startOn({
        deviceId: port.id,
        format: 'binary',
        name: `Live${runId ? ` · run ${runId}` : ''} · ${port.kind === 'virtual' ? port.label : port.id}`,
        tags: ['live'],
      })
      this.recordingId = status.recordingId
    } catch (err) {
      this.error = messageOf(err)
    } finally {
      this.starting = false
    }
  }

  async stop(): Promise<void> {
    const active = this.active
    if (!active) return
    await this.#capture.stop(active.recordingId)
    this.recordingId = active.recordingId
  }

  reset(): void {
    this.recordingId = null
    this.error = null
  }
}
