import type {
  DatasetConfigInput,
  DatasetPreview,
  DatasetVersionInfo,
} from '../../../src-preload/contract/index'
import type { ApiClient } from '../../api/client'
import { messageOf } from '../../api/rpc-error'

export type PolicyChoice = 'majority' | 'any' | 'center' | 'minOverlap'
export type FeatureKind = 'raw' | 'snapshot' | 'stats' | 'spectral'
export type SplitMethod = 'auto' | 'recordings' | 'blocks' | 'random' | 'tag'

/** The preview follows the settings this long after the last change. */
const DEBOUNCE_MS = 200

/**
 * The Dataset view: the settings of a dataset, its preview recomputed by the services as the
 * settings change (debounced; answers to older settings are dropped), and the saved versions.
 */
export class DatasetState {
  readonly #api: ApiClient
  /** How recordings are chosen: a list (null = all), every recording with a tag, or from a device. */
  selectBy = $state<'list' | 'tag' | 'device'>('list')
  recordingIds = $state.raw<number[] | null>(null)
  tag = $state('')
  device = $state('')
  windowMs = $state(1000)
  strideMs = $state(500)
  policy = $state<PolicyChoice>('majority')
  minOverlap = $state(0.25)
  featureKind = $state<FeatureKind>('stats')
  bands = $state(8)
  normalize = $state(true)
  splitMethod = $state<SplitMethod>('auto')
  ratios = $state<[number, number, number]>([60, 20, 20])
  seed = $state(1)
  /** Feature shown as a histogram per class; with `scatterY`, a scatter of the two. */
  featureX = $state<string | null>(null)
  featureY = $state<string | null>(null)
  preview = $state.raw<DatasetPreview | null>(null)
  versions = $state.raw<DatasetVersionInfo[]>([])
  loading = $state(false)
  error = $state<string | null>(null)
  #timer: ReturnType<typeof setTimeout> | null = null
  #token = 0

  constructor(api: ApiClient) {
    this.#api = api
  }

  readonly config: DatasetConfigInput = $derived({
    recordings:
      this.selectBy === 'tag' && this.tag
        ? { tag: this.tag }
        : this.selectBy === 'device' && this.device
          ? { device: this.device }
          : this.recordingIds
            ? { ids: this.recordingIds }
            : { all: true as const },
    windowMs: this.windowMs,
    strideMs: this.strideMs,
    labelPolicy: this.policy === 'minOverlap' ? { minOverlap: this.minOverlap } : this.policy,
    features: { kind: this.featureKind, bands: this.bands },
    normalization: { kind: this.normalize ? 'standard' : 'none' },
    split: {
      method: this.splitMethod,
      ratios: [this.ratios[0] / 100, this.ratios[1] / 100, this.ratios[2] / 100],
      seed: this.seed,
    },
  })

  /** Asks for a new preview soon (call on every settings change). */
  schedule(): void {
    this.loading = true
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = setTimeout(() => void this.refresh(), DEBOUNCE_MS)
  }

  async refresh(): Promise<void> {
    const token = ++this.#token
    this.loading = true
    const feature =
      this.featureX && this.featureY
        ? { x: this.featureX, y: this.featureY }
        : this.featureX
          ? { histogram: this.featureX, bins: 24 }
          : undefined
    try {
      const preview = await this.#api.call('dataset.preview', { config: this.config, feature })
      if (token !== this.#token) return
      this.preview = preview
      this.error = null
      // Show the first feature until the user picks one.
      if (!this.featureX || !preview.featureNames.includes(this.featureX)) {
        this.featureX = preview.featureNames[0] ?? null
        this.featureY = null
        if (this.featureX) this.schedule()
      }
    } catch (err) {
      if (token === this.#token) this.error = messageOf(err)
    } finally {
      if (token === this.#token) this.loading = false
    }
  }

  async loadVersions(): Promise<void> {
    try {
      this.versions = await this.#api.call('dataset.list', {})
    } catch (err) {
      this.error = messageOf(err)
    }
  }

  async save(name: string): Promise<DatasetVersionInfo | null> {
    try {
      const saved = await this.#api.call('dataset.save', { name, config: this.config })
      await this.loadVersions()
      return saved
    } catch (err) {
      this.error = messageOf(err)
      return null
    }
  }
}
