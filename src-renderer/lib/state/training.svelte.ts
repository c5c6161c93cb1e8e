import type {
  BoardId,
  DatasetVersionInfo,
  EpochPoint,
  LayerSpec,
  ModelEstimate,
  ModelPreset,
  ModelSpec,
  RunDetail,
  RunSummary,
  TrainConfigInput,
  TrainingProgress,
  TrainingSettings,
} from '../../../src-preload/contract/index'
import type { ApiClient } from '../../api/client'
import { messageOf } from '../../api/rpc-error'
import {
  PRESET_LAYERS,
  TRAINING_DEFAULTS,
  newLayer,
  presetFor,
  sameLayers,
  type LayerType,
} from '../training/model-spec'

/** The size estimate follows the model this long after the last change. */
const ESTIMATE_DEBOUNCE_MS = 250

/** The run in progress, as its events tell it. */
export interface LiveRun {
  runId: number
  progress: TrainingProgress | null
  /** Epochs reported by the events, oldest first. */
  points: EpochPoint[]
  cancelling: boolean
  /** The run ended; its stored evaluation is being fetched. */
  ended: boolean
}

const ENDED: ReadonlySet<RunSummary['status']> = new Set([
  'complete',
  'failed',
  'cancelled',
  'interrupted',
])

/**
 * The Train view: the dataset version and model to train (a preset, or its layers edited), the
 * settings, the size estimate for a board (recomputed by the services as the model changes,
 * answers to older models dropped), the run in progress from its events, and the runs kept in
 * the project, one of which is shown with its curves and evaluation.
 */
/** What the Train view trains: a classifier, or one of the two anomaly methods. */
export type ModelKind = 'classifier' | 'gaussian' | 'autoencoder'

export class TrainingState {
  readonly #api: ApiClient
  readonly #versions: () => DatasetVersionInfo[]
  /** The dataset version chosen (its id); null: the newest. */
  datasetId = $state<number | null>(null)
  /** The preset chosen; null: the one that suits the dataset's features. */
  presetChoice = $state<ModelPreset | null>(null)
  /** A classifier, or an anomaly model trained on normal windows only (docs/anomaly.md). */
  kind = $state<ModelKind>('classifier')
  /** The anomaly model's normal classes; null: the project's default class. */
  normalClasses = $state<string[] | null>(null)
  /** How its threshold is set: the 99th percentile of normal validation scores, or the best F1. */
  thresholdKind = $state<'percentile' | 'f1'>('percentile')
  board = $state<BoardId>('nano33ble')
  settings = $state<TrainingSettings>(structuredClone(TRAINING_DEFAULTS))
  estimate = $state.raw<ModelEstimate | null>(null)
  estimateError = $state<string | null>(null)
  estimating = $state(false)
  runs = $state.raw<RunSummary[]>([])
  /** The run shown: its curves and evaluation. */
  viewedId = $state<number | null>(null)
  detail = $state.raw<RunDetail | null>(null)
  live = $state.raw<LiveRun | null>(null)
  starting = $state(false)
  error = $state<string | null>(null)
  /** Layers edited from a preset (kept per preset, so switching back finds them again). */
  #edits = $state.raw<{ preset: ModelPreset; layers: LayerSpec[] } | null>(null)
  #estimateTimer: ReturnType<typeof setTimeout> | null = null
  #estimateToken = 0
  #openToken = 0
  #listToken = 0

  constructor(api: ApiClient, versions: () => DatasetVersionInfo[]) {
    this.#api = api
    this.#versions = versions
    api.on('training.onProgress', (progress) => this.#onProgress(progress))
    api.on('runs.onChanged', ({ runId, status }) => this.#onRunChanged(runId, status))
    api.on('project.onChanged', () => {
      this.viewedId = null
      this.detail = null
      this.live = null
      this.datasetId = null
      void this.loadRuns()
    })
  }

  /** The dataset version to train on. */
  get dataset(): DatasetVersionInfo | null {
    const versions = this.#versions()
    return versions.find((v) => v.id === this.datasetId) ?? versions[0] ?? null
  }

  readonly preset: ModelPreset = $derived(
    this.presetChoice ?? presetFor(this.dataset?.config.features.kind),
  )
  readonly layers: readonly LayerSpec[] = $derived(
    this.#edits?.preset === this.preset ? this.#edits.layers : PRESET_LAYERS[this.preset],
  )
  /** The layers differ from the preset's. */
  readonly edited: boolean = $derived(!sameLayers(this.layers, PRESET_LAYERS[this.preset]))
  readonly model: ModelSpec = $derived(
    this.kind === 'classifier'
      ? this.edited
        ? { layers: [...this.layers] }
        : { preset: this.preset }
      : {
          kind: 'anomaly',
          method: this.kind,
          ...(this.normalClasses?.length ? { normalClasses: [...this.normalClasses] } : {}),
          threshold:
            this.thresholdKind === 'f1' ? { kind: 'f1' } : { kind: 'percentile', percentile: 99 },
        },
  )
  /** What Train sends: only the dataset is needed, everything else has its default. */
  readonly config: TrainConfigInput | null = $derived(
    this.dataset && {
      dataset: { version: this.dataset.id },
      model: this.model,
      training: $state.snapshot(this.settings),
      board: this.board,
    },
  )
  readonly running: boolean = $derived(this.live !== null && !this.live.ended)
  /** The run shown, as the list knows it (its status while it runs). */
  readonly viewed: RunSummary | null = $derived(
    this.runs.find((r) => r.id === this.viewedId) ??
      (this.detail?.id === this.viewedId ? this.detail : null),
  )
  /** The curves of the run shown: those stored, then those its events brought since. */
  readonly curves: EpochPoint[] = $derived.by(() => {
    const stored = this.detail?.id === this.viewedId ? this.detail.curves : []
    const live = this.live?.runId === this.viewedId ? this.live.points : []
    const last = stored.at(-1)?.epoch ?? 0
    return [...stored, ...live.filter((p) => p.epoch > last)]
  })

  /** Epochs the run in progress has finished: those stored before it was followed, then its events'. */
  readonly liveEpochs: number = $derived.by(() => {
    const live = this.live
    if (!live) return 0
    const stored = this.detail?.id === live.runId ? (this.detail.curves.at(-1)?.epoch ?? 0) : 0
    return Math.max(stored, live.points.at(-1)?.epoch ?? 0)
  })

  usePreset(preset: ModelPreset): void {
    this.presetChoice = preset
  }

  setLayer(index: number, change: Partial<LayerSpec>): void {
    this.#editLayers((layers) =>
      layers.map((l, i) => (i === index ? ({ ...l, ...change } as LayerSpec) : l)),
    )
  }

  addLayer(type: LayerType): void {
    this.#editLayers((layers) => [...layers, newLayer(type)])
  }

  removeLayer(index: number): void {
    this.#editLayers((layers) => layers.filter((_, i) => i !== index))
  }

  /** Moves a layer up (-1) or down (+1). */
  moveLayer(index: number, by: -1 | 1): void {
    const to = index + by
    if (to < 0 || to >= this.layers.length) return
    this.#editLayers((layers) => {
      const next = [...layers]
      ;[next[index], next[to]] = [next[to] as LayerSpec, next[index] as LayerSpec]
      return next
    })
  }

  resetLayers(): void {
    this.#edits = null
  }

  resetSettings(): void {
    this.settings = structuredClone(TRAINING_DEFAULTS)
  }

  /** Asks for a new size estimate soon (call on every change of the dataset or the model). */
  scheduleEstimate(): void {
    if (this.#estimateTimer) clearTimeout(this.#estimateTimer)
    if (!this.dataset) return
    this.estimating = true
    this.#estimateTimer = setTimeout(() => void this.refreshEstimate(), ESTIMATE_DEBOUNCE_MS)
  }

  async refreshEstimate(): Promise<void> {
    const dataset = this.dataset
    if (!dataset) return
    const token = ++this.#estimateToken
    this.estimating = true
    try {
      const estimate = await this.#api.call('training.estimate', {
        dataset: { version: dataset.id },
        model: this.model,
        board: this.board,
      })
      if (token !== this.#estimateToken) return
      this.estimate = estimate
      this.estimateError = null
    } catch (err) {
      if (token === this.#estimateToken) this.estimateError = messageOf(err)
    } finally {
      if (token === this.#estimateToken) this.estimating = false
    }
  }

  async loadRuns(): Promise<void> {
    const token = ++this.#listToken
    try {
      const runs = await this.#api.call('runs.list', {})
      if (token !== this.#listToken) return
      this.runs = runs
      // A run in progress (started elsewhere, or before a reload) is followed; else, with
      // nothing shown yet, the newest run is.
      const running = runs.find((r) => r.status === 'running')
      if (running && this.live?.runId !== running.id) this.#follow(running.id)
      else if (this.viewedId === null && runs[0]) void this.open(runs[0].id)
    } catch (err) {
      if (token === this.#listToken) this.error = messageOf(err)
    }
  }

  /** Shows a run: its curves and evaluation (or its error). */
  async open(id: number): Promise<void> {
    this.viewedId = id
    const token = ++this.#openToken
    try {
      const detail = await this.#api.call('runs.get', { id })
      if (token !== this.#openToken) return
      this.detail = detail
      if (this.live?.runId === id && ENDED.has(detail.status)) this.live = null
    } catch (err) {
      if (token === this.#openToken) this.error = messageOf(err)
    }
  }

  async start(): Promise<void> {
    const config = this.config
    if (!config || this.running || this.starting) return
    this.error = null
    this.starting = true
    try {
      const run = await this.#api.call('training.start', config)
      if (this.live?.runId !== run.id) this.#follow(run.id)
      await this.loadRuns()
    } catch (err) {
      this.error = messageOf(err)
    } finally {
      this.starting = false
    }
  }

  async cancel(): Promise<void> {
    const live = this.live
    if (!live || live.ended) return
    this.live = { ...live, cancelling: true }
    try {
      await this.#api.call('training.cancel', { runId: live.runId })
    } catch (err) {
      this.error = messageOf(err)
    }
  }

  #editLayers(edit: (layers: LayerSpec[]) => LayerSpec[]): void {
    this.#edits = { preset: this.preset, layers: edit([...this.layers]) }
  }

  /** Shows the run in progress and follows its events. */
  #follow(runId: number): void {
    this.live = { runId, progress: null, points: [], cancelling: false, ended: false }
    this.error = null
    void this.open(runId)
  }

  #onProgress(progress: TrainingProgress): void {
    if (this.live?.runId !== progress.runId) {
      // A late event of a run that has ended is not a new run to follow.
      const known = this.runs.find((r) => r.id === progress.runId)
      if (known && ENDED.has(known.status)) return
      this.#follow(progress.runId)
    }
    const live = this.live as LiveRun
    const last = live.points.at(-1)?.epoch ?? 0
    this.live = {
      ...live,
      progress,
      points: [...live.points, ...progress.points.filter((p) => p.epoch > last)],
    }
  }

  #onRunChanged(runId: number, status: RunSummary['status']): void {
    void this.loadRuns()
    if (status === 'running' && this.live?.runId !== runId) this.#follow(runId)
    if (ENDED.has(status) && this.live?.runId === runId) {
      this.live = { ...this.live, ended: true }
      if (this.viewedId === runId) void this.open(runId)
      else this.live = null
    }
  }
}
