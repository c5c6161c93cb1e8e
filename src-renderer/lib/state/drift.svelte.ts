import type { DriftReport } from '../../../src-preload/contract/index'
import type { ApiClient } from '../../api/client'
import { messageOf } from '../../api/rpc-error'

/**
 * The Deploy view's drift check: a recording (the live one just made, else the one picked)
 * against the chosen run's training split. Answers for a recording or run no longer chosen are
 * dropped.
 */
export class DriftState {
  readonly #api: ApiClient
  /** The recording picked; null: none yet. */
  recordingId = $state<number | null>(null)
  report = $state.raw<DriftReport | null>(null)
  /** `recordingId:runId` being checked. */
  checking = $state<string | null>(null)
  error = $state<string | null>(null)
  #token = 0

  constructor(api: ApiClient) {
    this.#api = api
    api.on('project.onChanged', () => this.reset())
  }

  reset(): void {
    this.#token++
    this.recordingId = null
    this.report = null
    this.checking = null
    this.error = null
  }

  choose(recordingId: number | null): void {
    if (recordingId === this.recordingId) return
    this.recordingId = recordingId
    this.report = null
    this.error = null
  }

  /** The report shown: the one of this recording and run, if it was checked. */
  reportFor(runId: number): DriftReport | null {
    const r = this.report
    return r && r.runId === runId && r.recordingId === this.recordingId ? r : null
  }

  async check(runId: number, recordingId = this.recordingId): Promise<void> {
    if (recordingId === null) return
    this.choose(recordingId)
    const token = ++this.#token
    this.checking = `${recordingId}:${runId}`
    this.error = null
    try {
      const report = await this.#api.call('drift.check', { recordingId, runId })
      if (token === this.#token) this.report = report
    } catch (err) {
      if (token === this.#token) this.error = messageOf(err)
    } finally {
      if (token === this.#token) this.checking = null
    }
  }
}
