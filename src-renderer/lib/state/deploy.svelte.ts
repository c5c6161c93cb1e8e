import type {
  ModelCard,
  ModelExportFormat,
  RunDetail,
  RunSummary,
} from '../../../src-preload/contract/index'
import { plural } from '../../../src-preload/format'
import type { ApiClient } from '../../api/client'
import { RpcError, messageOf } from '../../api/rpc-error'
import { formatSize } from '../deploy/format'
import type { CaptureState } from './capture.svelte'
import { DeviceFlashState } from './device-flash.svelte'
import { DriftState } from './drift.svelte'
import { LiveWatchState } from './live-watch.svelte'
import { RetrainFlashState } from './retrain-flash.svelte'

/** What became of the last export of a format for a run. */
export type ExportOutcome =
  | { state: 'busy' }
  | { state: 'done'; text: string }
  /** `replace`: the export was refused over files already there; exporting there again replaces them. */
  | { state: 'error'; text: string; replace: string | null }

export interface DeployOptions {
  /** The project's runs, newest first (the Train view's list). */
  runs: () => readonly RunSummary[]
  /** The desktop app's save dialogs are at hand; else exports download in the browser. */
  nativeDialogs: () => boolean
  /** Hands downloaded bytes to the browser. */
  save: (fileName: string, bytes: Uint8Array<ArrayBuffer>) => void
  /** The recordings in progress (the live panel records the Device card's port). */
  capture: CaptureState
}

/** The name an export is offered under: the run's. */
export const exportStem = (runId: number) => `tinyloop-run-${runId}`

/**
 * The Deploy view: the completed run chosen (the newest unless one was picked), its int8 model
 * card (answers for a run no longer chosen are dropped), the check in LiteRT.js and Arm NN while
 * it runs, what each export of the run gave, and the device to flash it to (`device`).
 */
export class DeployState {
  readonly #api: ApiClient
  readonly #opts: DeployOptions
  /** The run picked; null: the newest completed one. */
  runId = $state<number | null>(null)
  /** The newest card fetched, of whichever run. */
  #card = $state.raw<ModelCard | null>(null)
  #anomaly = $state.raw<RunDetail | null>(null)
  #cardError = $state.raw<{ runId: number; text: string } | null>(null)
  /** The run whose card is being fetched. */
  #loading = $state<number | null>(null)
  /** The run being checked in LiteRT.js and Arm NN (one check at a time). */
  verifying = $state<number | null>(null)
  #verifyError = $state.raw<{ runId: number; text: string } | null>(null)
  /** By `runId:format`. */
  #outcomes = $state.raw<Record<string, ExportOutcome>>({})
  /** The dialog that writes an export to a typed path is open. */
  pathDialogOpen = $state(false)
  /** The Device card: the port, its hello, flashing the chosen run. */
  readonly device: DeviceFlashState
  /** Retrain and flash in one click, on the Device card's port. */
  readonly retrain: RetrainFlashState
  /** Live predictions of the Device card's port. */
  readonly live: LiveWatchState
  /** Does a recording still look like the run's training data? */
  readonly drift: DriftState
  #cardToken = 0

  constructor(api: ApiClient, opts: DeployOptions) {
    this.#api = api
    this.#opts = opts
    this.device = new DeviceFlashState(api, { runId: () => this.run?.id ?? null })
    this.live = new LiveWatchState(opts.capture, {
      port: () => this.device.port,
      runId: () => this.run?.id ?? null,
    })
    this.drift = new DriftState(api)
    this.retrain = new RetrainFlashState(api, {
      port: () => this.device.portId,
      // The new run is the newest: the card and the Device card follow it.
      onEnded: (result) => {
        if (result?.outcome === 'flashed') {
          this.runId = null
          this.device.forget(result.port)
        }
        // The new run's card was fetched while it was being checked: fetch it with the check.
        void this.load()
        void this.device.ask()
      },
    })
    api.on('project.onChanged', () => {
      this.device.reset()
      this.live.reset()
      this.runId = null
      this.#card = null
      this.#cardError = null
      this.#verifyError = null
      this.#outcomes = {}
      this.pathDialogOpen = false
    })
  }

  /** The runs that can be deployed: those that completed, newest first. */
  get runs(): RunSummary[] {
    return this.#opts.runs().filter((r) => r.status === 'complete')
  }

  readonly run: RunSummary | null = $derived(
    this.runs.find((r) => r.id === this.runId) ?? this.runs[0] ?? null,
  )
  /** The card of the chosen run, once fetched. */
  readonly card: ModelCard | null = $derived(
    this.#card && this.#card.runId === this.run?.id ? this.#card : null,
  )
  /** The chosen run's anomaly evaluation, when it is an anomaly model (it has no int8 card). */
  readonly anomaly: RunDetail | null = $derived(
    this.#anomaly && this.#anomaly.id === this.run?.id ? this.#anomaly : null,
  )
  readonly loading: boolean = $derived(this.run !== null && this.#loading === this.run.id)
  readonly cardError: string | null = $derived(this.#errorOf(this.#cardError))
  readonly verifyError: string | null = $derived(this.#errorOf(this.#verifyError))

  /** Picks the run to deploy and fetches its card. */
  choose(runId: number): Promise<void> {
    this.runId = runId
    return this.load()
  }

  /** Fetches the chosen run's card (quantizing the run the first time). */
  async load(): Promise<void> {
    const run = this.run
    if (!run) return
    const token = ++this.#cardToken
    this.#loading = run.id
    try {
      if (run.kind === 'anomaly') {
        const detail = await this.#api.call('runs.get', { id: run.id })
        if (token !== this.#cardToken) return
        this.#anomaly = detail
        this.#cardError = null
        return
      }
      const card = await this.#api.call('deploy.card', { runId: run.id })
      if (token !== this.#cardToken) return
      this.#card = card
      this.#cardError = null
    } catch (err) {
      if (token === this.#cardToken) this.#cardError = { runId: run.id, text: messageOf(err) }
    } finally {
      if (token === this.#cardToken) this.#loading = null
    }
  }

  /** Runs the chosen run's int8 file in LiteRT.js and Arm NN; the card then says what they gave. */
  async verify(): Promise<void> {
    const run = this.run
    if (!run || this.verifying !== null) return
    this.verifying = run.id
    this.#verifyError = null
    try {
      const card = await this.#api.call('deploy.verify', { runId: run.id })
      if (card.runId !== this.run?.id) return
      // Newer than any card asked for before it.
      this.#cardToken++
      this.#loading = null
      this.#card = card
      this.#cardError = null
    } catch (err) {
      this.#verifyError = { runId: run.id, text: messageOf(err) }
    } finally {
      this.verifying = null
    }
  }

  /** What the chosen run's last export in this format gave, if it was exported. */
  outcome(format: ModelExportFormat): ExportOutcome | null {
    return (this.run && this.#outcomes[`${this.run.id}:${format}`]) ?? null
  }

  /** Exports the chosen run: through the save dialog on the desktop, as a download in a browser. */
  async exportFormat(format: ModelExportFormat): Promise<void> {
    if (this.#opts.nativeDialogs()) await this.exportWithDialog(format)
    else await this.download(format)
  }

  async exportWithDialog(format: ModelExportFormat): Promise<void> {
    const run = this.run
    if (!run) return
    let path: string | null
    try {
      path = await this.#api.call('deploy.pickExportPath', {
        format,
        suggestedName: exportStem(run.id),
      })
    } catch (err) {
      this.#setOutcome(run.id, format, { state: 'error', text: messageOf(err), replace: null })
      return
    }
    if (path === null) return
    // The save dialog has asked before replacing a file; a folder's files only go when asked.
    await this.exportTo(format, path, format === 'tflite' || format === 'arduino', run.id)
  }

  /** Writes an export on the machine running the services. */
  async exportTo(
    format: ModelExportFormat,
    path: string,
    overwrite: boolean,
    runId = this.run?.id,
  ): Promise<void> {
    if (runId === undefined) return
    this.#setOutcome(runId, format, { state: 'busy' })
    try {
      const result = await this.#api.call('deploy.export', { runId, format, path, overwrite })
      const names = result.files.map((f) => f.split(/[\\/]/).pop())
      const text =
        format === 'tflite' || format === 'arduino'
          ? `Wrote ${result.path}.`
          : `Wrote ${plural(names.length, 'file')} into ${result.path}: ${names.join(', ')}.`
      this.#setOutcome(runId, format, { state: 'done', text })
    } catch (err) {
      const refused = err instanceof RpcError && err.code === 'ALREADY_EXISTS'
      this.#setOutcome(runId, format, {
        state: 'error',
        text: messageOf(err),
        replace: refused ? path : null,
      })
    }
  }

  /** Exports again where the last export of this format was refused, replacing what is there. */
  async replace(format: ModelExportFormat): Promise<void> {
    const outcome = this.outcome(format)
    if (outcome?.state === 'error' && outcome.replace) {
      await this.exportTo(format, outcome.replace, true)
    }
  }

  /** Fetches an export's bytes and hands them to the browser (folders come zipped). */
  async download(format: ModelExportFormat): Promise<void> {
    const run = this.run
    if (!run) return
    this.#setOutcome(run.id, format, { state: 'busy' })
    try {
      const file = await this.#api.call('deploy.download', { runId: run.id, format })
      this.#opts.save(
        file.fileName,
        Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0)),
      )
      this.#setOutcome(run.id, format, {
        state: 'done',
        text: `Downloaded ${file.fileName} (${formatSize(file.bytes)}).`,
      })
    } catch (err) {
      this.#setOutcome(run.id, format, { state: 'error', text: messageOf(err), replace: null })
    }
  }

  #setOutcome(runId: number, format: ModelExportFormat, outcome: ExportOutcome): void {
    this.#outcomes = { ...this.#outcomes, [`${runId}:${format}`]: outcome }
  }

  #errorOf(error: { runId: number; text: string } | null): string | null {
    return error && error.runId === this.run?.id ? error.text : null
  }
}
