import type {
  AppInfo,
  ProjectInfo,
  RecentProject,
  RecordingSummary,
} from '../../../src-preload/contract/index'
import type { ApiClient } from '../../api/client'
import { messageOf } from '../../api/rpc-error'
import type { ConnectionState } from '../../api/websocket-bridge'
import { plural } from '../../../src-preload/format'
import { formatSize, isVerified } from '../deploy/format'
import { saveFile } from '../download'
import { percent } from '../training/format'
import { CaptureState } from './capture.svelte'
import { DatasetState } from './dataset.svelte'
import { DeployState } from './deploy.svelte'
import { LabelsState } from './labels.svelte'
import { PredictionLaneState } from './prediction-lane.svelte'
import { SuggestionsState } from './suggestions.svelte'
import { TimelineState } from './timeline.svelte'
import { TrainingState } from './training.svelte'
import type { ViewId } from './views'

export type SwitcherMode = 'recent' | 'open' | 'create'

export interface Notice {
  kind: 'error' | 'info'
  text: string
}

/** Application-wide state: the open project, its recordings, the current view and dialogs. */
export class AppState {
  readonly api: ApiClient
  readonly capture: CaptureState
  readonly timeline: TimelineState
  readonly labels: LabelsState
  /** A trained model's suggested labels for the recording on the Label timeline. */
  readonly suggestions: SuggestionsState
  /** A device's stored predictions for the recording on the Label timeline. */
  readonly predictionLane: PredictionLaneState
  readonly dataset: DatasetState
  readonly training: TrainingState
  readonly deploy: DeployState
  /** The recording open on the Label view's timeline. */
  labelRecordingId = $state<number | null>(null)
  view = $state<ViewId>('capture')
  connection = $state<ConnectionState>('connecting')
  appInfo = $state.raw<AppInfo | null>(null)
  project = $state.raw<ProjectInfo | null>(null)
  /** Why the project could not be opened, when it could not. */
  projectError = $state<string | null>(null)
  recordings = $state.raw<RecordingSummary[]>([])
  recent = $state.raw<RecentProject[]>([])
  notice = $state<Notice | null>(null)
  switcher = $state<SwitcherMode | null>(null)
  importOpen = $state(false)
  /** The class editor of the Label view is open. */
  editingClasses = $state(false)
  /** The recording whose export dialog is open. */
  exporting = $state.raw<RecordingSummary | null>(null)
  paletteOpen = $state(false)
  loaded = $state(false)
  /** The demo recordings are being made. */
  addingDemo = $state(false)

  readonly labelCount: number = $derived(this.recordings.reduce((sum, r) => sum + r.labels, 0))

  /** The short status each step of the loop shows in the rail. */
  get stepStatus(): Record<ViewId, string> {
    const dataset = this.dataset.versions[0]
    return {
      capture: this.recordings.length ? plural(this.recordings.length, 'recording') : 'no data yet',
      label: this.labelCount
        ? plural(this.labelCount, 'label')
        : this.recordings.length
          ? 'no labels yet'
          : 'waiting for data',
      dataset: dataset
        ? `${dataset.name} v${dataset.version}${dataset.changed ? ', changed' : ''}`
        : this.training.runs.length
          ? 'no saved version'
          : 'not built',
      train: this.#trainStatus(),
      deploy: this.#deployStatus(),
    }
  }

  constructor(connect: (onState: (state: ConnectionState) => void) => ApiClient) {
    this.api = connect((state) => {
      this.connection = state
    })
    this.capture = new CaptureState(this.api)
    this.timeline = new TimelineState(this.api)
    this.labels = new LabelsState(this.api)
    this.suggestions = new SuggestionsState(this.api, this.labels)
    this.predictionLane = new PredictionLaneState(this.api, this.labels)
    this.dataset = new DatasetState(this.api)
    this.training = new TrainingState(this.api, () => this.dataset.versions)
    this.deploy = new DeployState(this.api, {
      runs: () => this.training.runs,
      nativeDialogs: () => this.appInfo?.nativeDialogs ?? false,
      save: (fileName, bytes) => saveFile(fileName, bytes),
      capture: this.capture,
    })
  }

  /** The recording the top bar's device pill shows: the first one in progress. */
  get liveCapture() {
    return Object.values(this.capture.sessions).find((s) => s.state !== 'stopped') ?? null
  }

  async start(): Promise<void> {
    this.api.on('project.onChanged', (info) => {
      this.project = info
      this.projectError = null
      void this.refreshRecent()
      void this.dataset.loadVersions()
    })
    this.api.on('recordings.onChanged', () => void this.refreshRecordings())
    // Retrain and flash saves a dataset version in its first stage: the rail names it.
    let loopStage: string | null = null
    this.api.on('loop.onProgress', (p) => {
      if (loopStage === 'dataset' && p.stage !== 'dataset') void this.dataset.loadVersions()
      loopStage = p.stage
    })
    // The list shows recordings in progress growing, refreshed every couple of seconds.
    let lastRefresh = 0
    this.api.on('capture.onStatus', () => {
      if (performance.now() - lastRefresh < 2000) return
      lastRefresh = performance.now()
      void this.refreshRecordings()
    })
    this.api.on('app.onCommand', ({ command }) => {
      if (command === 'project.new') void this.chooseProject('create')
      else if (command === 'project.open') void this.chooseProject('open')
      else this.paletteOpen = true
    })
    this.appInfo = await this.api.call('app.info', {})
    await Promise.all([this.refreshProject(), this.refreshRecent()])
    this.loaded = true
  }

  async refreshProject(): Promise<void> {
    try {
      this.project = await this.api.call('project.current', {})
      this.projectError = null
      await Promise.all([
        this.refreshRecordings(),
        this.dataset.loadVersions(),
        this.training.loadRuns(),
      ])
    } catch (err) {
      this.project = null
      this.recordings = []
      this.projectError = messageOf(err)
    }
  }

  async refreshRecordings(): Promise<void> {
    if (!this.project) return
    try {
      this.recordings = await this.api.call('recordings.list', {})
    } catch (err) {
      this.notify('error', messageOf(err))
    }
  }

  async refreshRecent(): Promise<void> {
    this.recent = await this.api.call('project.recent', {})
  }

  /** Opens an existing project (true on success); failures become a notice, never a crash. */
  async openProject(path: string): Promise<boolean> {
    return this.#switchProject(() => this.api.call('project.open', { path }))
  }

  async createProject(path: string): Promise<boolean> {
    return this.#switchProject(() => this.api.call('project.create', { path }))
  }

  async forgetRecent(path: string): Promise<void> {
    this.recent = await this.api.call('project.forgetRecent', { path })
  }

  /** Desktop: the native dialog. Web mode: the switcher, where a server-side path is typed. */
  async chooseProject(purpose: 'open' | 'create'): Promise<void> {
    if (!this.appInfo?.nativeDialogs) {
      this.switcher = purpose
      return
    }
    const path = await this.api.call('project.pickFile', { purpose })
    if (path === null) return
    if (purpose === 'open') await this.openProject(path)
    else await this.createProject(path)
  }

  /** Adds the labeled recordings of the demo machine, so the whole loop can be tried at once. */
  async addDemo(): Promise<void> {
    this.addingDemo = true
    try {
      const demo = await this.api.call('data.demo', {})
      await Promise.all([this.refreshRecordings(), this.labels.refreshClasses()])
      const classes = Object.keys(demo.seconds).filter((c) => c !== 'normal')
      this.notify(
        'info',
        `Added ${plural(demo.recordingIds.length, 'demo recording')} with ` +
          `${plural(demo.labels, 'labeled fault')} (${classes.join(', ')}). ` +
          'Next: save a dataset in Dataset, then train.',
      )
    } catch (err) {
      this.notify('error', messageOf(err))
    } finally {
      this.addingDemo = false
    }
  }

  /** Opens the Label view on a recording, zoomed to a span of it (a window a model got wrong). */
  showOnTimeline(recordingId: number, startUs: number, endUs: number): void {
    this.timeline.focus(recordingId, startUs, endUs)
    this.labelRecordingId = recordingId
    this.view = 'label'
  }

  notify(kind: Notice['kind'], text: string): void {
    this.notice = { kind, text }
  }

  #trainStatus(): string {
    const { live, runs } = this.training
    const progress = live?.progress
    if (live && !live.ended) {
      return progress ? `training: epoch ${progress.epoch}/${progress.epochs}` : 'training…'
    }
    const last = runs[0]
    if (!last) return 'no runs'
    if (last.status !== 'complete' || last.testAccuracy === null)
      return `run ${last.id} ${last.status}`
    return `run ${last.id}: ${percent(last.testAccuracy)}${last.datasetChanged ? ', data changed' : ''}`
  }

  #deployStatus(): string {
    const { run, card, verifying } = this.deploy
    if (!run) return 'no model'
    if (verifying === run.id) return `run ${run.id}: checking…`
    if (!card) return `run ${run.id} ready`
    if (isVerified(card.verification)) return `run ${run.id}, verified`
    return `run ${run.id}: ${formatSize(card.file.bytes)} int8`
  }

  async #switchProject(open: () => Promise<ProjectInfo>): Promise<boolean> {
    try {
      this.project = await open()
      this.projectError = null
      this.switcher = null
      await Promise.all([this.refreshRecordings(), this.refreshRecent()])
      this.notify('info', `Opened ${this.project.name}.`)
      return true
    } catch (err) {
      this.notify('error', messageOf(err))
      return false
    }
  }
}
