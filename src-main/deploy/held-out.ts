import { DatasetConfig, TrainConfig } from '../../src-preload/contract/index.js'
import type { DatasetService } from '../dataset/dataset-service.js'
import type { Project } from '../store/project.js'
import { DatasetRef, type StoredModel } from '../training/run-record.js'

export interface WindowSet {
  /** Normalized with the run's own statistics, as the device will. */
  windows: Float32Array[]
  /** Class indices into the model's classes. */
  labels: Int32Array
}

export interface HeldOut {
  train: WindowSet
  val: WindowSet
  test: WindowSet
  /** The dataset config the run trained on (a saved version's, or its own). */
  datasetConfig: DatasetConfig
  /** The nominal rate of the fastest stream of its recordings: what the device samples at. */
  sampleRateHz: number
  /** Channels of that stream. */
  channels: string[]
  /** Samples × channels of one window of that stream: what the device holds to compute one. */
  windowFloats: number
  /** The labels or samples of the run's recordings changed since it trained. */
  datasetChanged: boolean
}

/**
 * The windows of a run's dataset as they are now, by split, normalized with the statistics the
 * run trained with (which ship with the model), for measuring the int8 file and checking it.
 * Windows of a class the model does not know are left out. `recordings` narrows the dataset to
 * those recordings (the drift check: the ones the run trained on, not those added since).
 */
export function heldOutWindows(
  project: Project,
  datasets: DatasetService,
  runId: number,
  model: StoredModel,
  opts: { recordings?: number[] } = {},
): HeldOut {
  const run = project.runs.get(runId)
  const config = runDatasetConfig(project, datasets, runId)
  const datasetConfig =
    opts.recordings && opts.recordings.length > 0
      ? { ...config, recordings: { ids: opts.recordings } }
      : config
  const { built, recordingIds } = datasets.build(datasetConfig, { features: true })
  const width = built.featureNames.length
  const index = new Map(model.classIds.map((id, i) => [id, i]))
  const mean = model.normalization?.mean
  const std = model.normalization?.std
  const sets = { train: empty(), val: empty(), test: empty() }
  const labels = { train: [] as number[], val: [] as number[], test: [] as number[] }
  built.windows.forEach((w, row) => {
    const label = index.get(w.classId)
    if (label === undefined || width !== model.featureNames.length) return
    const window = new Float32Array(width)
    for (let f = 0; f < width; f++) {
      window[f] = ((built.features[row * width + f] as number) - (mean?.[f] ?? 0)) / (std?.[f] ?? 1)
    }
    sets[w.split].windows.push(window)
    labels[w.split].push(label)
  })
  for (const split of ['train', 'val', 'test'] as const) {
    sets[split].labels = Int32Array.from(labels[split])
  }
  const { sampleRateHz, channels } = fastestStream(project, recordingIds)
  const ref = DatasetRef.safeParse(run?.datasetRef)
  const marks = ref.success ? ref.data.marks : []
  const now = project.datasets.marks(marks.map((m) => m.id))
  return {
    ...sets,
    datasetConfig,
    sampleRateHz,
    channels,
    windowFloats: Math.round((datasetConfig.windowMs / 1000) * sampleRateHz) * channels.length,
    datasetChanged: JSON.stringify(now) !== JSON.stringify(marks),
  }
}

/** The dataset config a run trained on: a saved version's, or the one given whole. */
/** The nominal rate and channels of the fastest stream of some recordings: what a device samples. */
export function fastestStream(
  project: Project,
  recordingIds: readonly number[],
): { sampleRateHz: number; channels: string[] } {
  const streams = recordingIds.flatMap((id) => project.streams.list(id))
  const fastest = streams.reduce<(typeof streams)[number] | null>(
    (best, s) => (!best || s.rateHz > best.rateHz ? s : best),
    null,
  )
  return {
    sampleRateHz: fastest?.rateHz ?? 0,
    channels: fastest?.channels.map((c) => c.name) ?? [],
  }
}

/** The recordings a run trained on, as it noted them when it started (none: not noted). */
export function runRecordings(project: Project, runId: number): number[] {
  const ref = DatasetRef.safeParse(project.runs.get(runId)?.datasetRef)
  return ref.success ? ref.data.marks.map((m) => m.id) : []
}

export function runDatasetConfig(
  project: Project,
  datasets: DatasetService,
  runId: number,
): DatasetConfig {
  const config = TrainConfig.parse(project.runs.get(runId)?.config ?? {})
  return 'version' in config.dataset
    ? datasets.get({ id: config.dataset.version }).config
    : DatasetConfig.parse(config.dataset)
}

function empty(): WindowSet {
  return { windows: [], labels: new Int32Array(0) }
}
