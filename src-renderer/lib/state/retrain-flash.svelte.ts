import type {
  LoopProgress,
  LoopResult,
  LoopStage,
  LoopStageTime,
} from '../../../src-preload/contract/index'
import type { ApiClient } from '../../api/client'
import { messageOf } from '../../api/rpc-error'

/** The pipeline's stages in order, with the words the Deploy view gives them. */
export const RETRAIN_STAGES = [
  ['dataset', 'New dataset version'],
  ['training', 'Training'],
  ['quantizing', 'int8 model'],
  ['verifying', 'LiteRT.js and Arm NN'],
  ['comparing', 'Test split, new against the device'],
  ['flashing', 'Flashing'],
  ['confirming', 'Live predictions of the new model'],
] as const satisfies readonly (readonly [LoopStage, string])[]

export interface StageRow {
  stage: LoopStage
  label: string
  /** `stopped`: the stage it was cancelled or failed in. */
  state: 'done' | 'running' | 'pending' | 'stopped'
  /** Finished: its seconds; running: the seconds so far. */
  seconds: number | null
  /** Running: how far, 0 to 1, and a few words. */
  fraction: number
  detail: string
}

/** Where the pipeline is: not started, running, stopped to ask, or ended. */
export type RetrainPhase = 'idle' | 'running' | 'worse' | 'flashed' | 'cancelled' | 'error'

/**
 * The Deploy view's Retrain and flash: one click from today's labels to the device running a new
 * model (loop.retrainAndFlash), its stages as one progress bar with a time per stage, cancel,
 * the result (the run, the test scores old → new, the device's active CRC-32 against the
 * image's), and the question before a model that scores worse goes to the device.
 */
export class RetrainFlashState {
  readonly #api: ApiClient
  readonly #port: () => string | null
  readonly #now: () => number
  readonly #onEnded: (result: LoopResult | null) => void
  phase = $state<RetrainPhase>('idle')
  /** The port the pipeline runs on. */
  runningPort = $state<string | null>(null)
  /** The latest progress of that port. */
  #progress = $state.raw<LoopProgress | null>(null)
  #stageStartedAt = 0
  /** The clock while a stage runs (ms), for its seconds so far. */
  #tick = $state(0)
  result = $state.raw<LoopResult | null>(null)
  error = $state<string | null>(null)
  /** Stages finished before a "Flash anyway", kept to show the whole pipeline. */
  #before: LoopStageTime[] = []

  /** `port`: the Device card's chosen port; `onEnded`: after each end (refresh runs and hello). */
  constructor(
    api: ApiClient,
    opts: {
      port: () => string | null
      now?: () => number
      onEnded?: (result: LoopResult | null) => void
    },
  ) {
    this.#api = api
    this.#port = opts.port
    this.#now = opts.now ?? (() => performance.now())
    this.#onEnded = opts.onEnded ?? (() => {})
    api.on('loop.onProgress', (p) => {
      if (this.phase !== 'running' || p.port !== this.runningPort) return
      if (this.#progress?.stage !== p.stage) this.#stageStartedAt = this.#now()
      this.#progress = { ...p, done: [...this.#before, ...p.done] }
      this.#tick = this.#now()
    })
  }

  get running(): boolean {
    return this.phase === 'running'
  }
  get canStart(): boolean {
    return this.#port() !== null && !this.running
  }
  /** The stage running (or the one it stopped at). */
  get stage(): LoopStage | null {
    return this.running ? (this.#progress?.stage ?? 'dataset') : (this.result?.stoppedAt ?? null)
  }

  /** The whole pipeline as one share, 0 to 1: finished stages and the running one's part. */
  get fraction(): number {
    if (this.phase === 'flashed') return 1
    const done = this.rows.filter((r) => r.state === 'done').length
    const running = this.rows.find((r) => r.state === 'running')
    return Math.min(1, (done + (running?.fraction ?? 0)) / RETRAIN_STAGES.length)
  }

  get rows(): StageRow[] {
    const times = this.result?.stages ?? this.#progress?.done ?? []
    const finished = (stage: LoopStage) => times.find((t) => t.stage === stage)?.seconds
    const current = this.running ? (this.#progress?.stage ?? 'dataset') : null
    const stopped =
      this.phase === 'error'
        ? (this.#progress?.stage ?? 'dataset')
        : this.phase === 'cancelled'
          ? (this.result?.stoppedAt ?? null)
          : null
    return RETRAIN_STAGES.map(([stage, label]) => {
      const seconds = finished(stage)
      if (seconds !== undefined)
        return { stage, label, state: 'done', seconds, fraction: 1, detail: '' }
      if (stage === current) {
        const p = this.#progress?.stage === stage ? this.#progress : null
        return {
          stage,
          label,
          state: 'running',
          seconds: p ? Math.max(0, (this.#tick - this.#stageStartedAt) / 1000) : null,
          fraction: p?.fraction ?? 0,
          detail: p?.detail ?? '',
        }
      }
      const state = stage === stopped ? 'stopped' : 'pending'
      return { stage, label, state, seconds: null, fraction: 0, detail: '' }
    })
  }

  /** Seconds of the finished stages, together. */
  get seconds(): number {
    return (this.result?.stages ?? this.#progress?.done ?? []).reduce((s, t) => s + t.seconds, 0)
  }

  /** Retrains on today's labels and flashes the new model if it scores no worse. */
  async start(): Promise<void> {
    const port = this.#port()
    if (!port || this.running) return
    this.#begin(port, [])
    await this.#settle(() => this.#api.call('loop.retrainAndFlash', { port, force: false }))
  }

  /** After the question: flashes the new run although it scored worse. */
  async flashAnyway(): Promise<void> {
    const result = this.result
    if (this.phase !== 'worse' || !result?.new) return
    this.#begin(result.port, result.stages)
    await this.#settle(() =>
      this.#api.call('loop.flashAnyway', { port: result.port, runId: result.new!.runId }),
    )
  }

  /** Keeps the device's model: the worse run stays in the project, not on the device. */
  keep(): void {
    if (this.phase === 'worse') this.phase = 'cancelled'
  }

  async cancel(): Promise<void> {
    const port = this.runningPort
    if (!port || !this.running) return
    await this.#api.call('loop.cancel', { port }).catch(() => {})
  }

  /** Advances the clock of the running stage (the view calls it every few hundred ms). */
  tick(): void {
    if (this.running) this.#tick = this.#now()
  }

  #begin(port: string, before: LoopStageTime[]): void {
    this.#before = before
    this.runningPort = port
    this.phase = 'running'
    this.error = null
    this.#progress = null
    this.#stageStartedAt = this.#now()
    this.#tick = this.#stageStartedAt
    if (before.length === 0) this.result = null
  }

  async #settle(call: () => Promise<LoopResult>): Promise<void> {
    try {
      const result = await call()
      this.result = { ...result, stages: mergeStages(this.#before, result.stages) }
      this.phase = result.outcome
      this.#onEnded(result)
    } catch (err) {
      this.error = messageOf(err)
      this.phase = 'error'
      this.#onEnded(null)
    }
  }
}

function mergeStages(before: LoopStageTime[], after: LoopStageTime[]): LoopStageTime[] {
  const seen = new Set(after.map((s) => s.stage))
  return [...before.filter((s) => !seen.has(s.stage)), ...after]
}
