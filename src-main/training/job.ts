import {
  DatasetConfig,
  TrainConfig,
  type ModelEstimate,
  type ModelSpec,
} from '../../src-preload/contract/index.js'
import type { BuiltDataset } from '../dataset/build.js'
import type { DatasetService } from '../dataset/dataset-service.js'
import { ServiceError } from '../rpc/errors.js'
import type { Project } from '../store/project.js'
import { estimateModel } from './estimate.js'
import { layersOf, presetFor } from './models.js'
import { splitIndices, type TrainJob } from './train-loop.js'

/** A config's dataset built and its model sized: what a run trains on, or what is wrong. */
export interface ResolvedRun {
  versionId: number | null
  datasetConfig: DatasetConfig
  built: BuiltDataset
  recordingIds: number[]
  /** The classes the windows have, in the project's order, and their names. */
  classIds: number[]
  classNames: string[]
  inputShape: number[]
  layers: TrainJob['layers']
  estimate: ModelEstimate
}

/** A run ready for the trainer: the job, and what the service keeps about it. */
export interface PreparedRun extends ResolvedRun {
  job: TrainJob
  config: TrainConfig
}

/**
 * The dataset of a config (a saved version's config, or one given whole) built with features,
 * and the model sized on it: windows reach the model as `[features]`, or `[time, channels]` for
 * raw windows.
 */
export function resolveRun(
  project: Project,
  datasets: DatasetService,
  dataset: TrainConfig['dataset'],
  model: ModelSpec,
): ResolvedRun {
  const versionId = 'version' in dataset ? dataset.version : null
  const datasetConfig: DatasetConfig =
    versionId !== null ? datasets.get({ id: versionId }).config : DatasetConfig.parse(dataset)
  const { config, built, names, recordingIds } = datasets.build(datasetConfig, { features: true })
  const kind = config.features.kind
  const present = new Set(built.windows.map((w) => w.classId))
  const classIds = project.classes
    .list()
    .map((c) => c.id)
    .filter((id) => present.has(id))
  const classNames = classIds.map((id) => names.get(id) ?? String(id))
  const width = built.featureNames.length
  const channels = kind === 'raw' ? built.featureNames.filter((n) => n.endsWith('_t0')).length : 1
  const inputShape = kind === 'raw' ? [width / channels, channels] : [width]
  const layers = layersOf(model, kind)
  const windowFloats = kind === 'raw' ? width : Math.round(config.windowMs)
  return {
    versionId,
    datasetConfig: config,
    built,
    recordingIds,
    classIds,
    classNames,
    inputShape,
    layers,
    estimate: estimateModel({ layers, inputShape, classNames, windowFloats }),
  }
}

/**
 * The trainer's job for a config: the windows normalized with the training split's statistics,
 * their class indices and splits. Every problem (the model on this data, no windows, an empty
 * split, one class) is refused in one clear error before anything trains.
 */
export function prepareRun(
  project: Project,
  datasets: DatasetService,
  input: TrainConfig,
): PreparedRun {
  const parsed = TrainConfig.parse(input)
  const resolved = resolveRun(project, datasets, parsed.dataset, parsed.model)
  // The run says which preset it used, also when the features chose it (an anomaly model has
  // none: its method says what it is).
  const anomaly = parsed.model.kind === 'anomaly'
  const config: TrainConfig =
    anomaly || parsed.model.preset || parsed.model.layers
      ? parsed
      : {
          ...parsed,
          model: { ...parsed.model, preset: presetFor(resolved.datasetConfig.features.kind) },
        }
  const { built, classIds, classNames, inputShape, layers, estimate } = resolved
  // The layers' problems are a classifier's (an anomaly model needs no second class).
  const problems = anomaly ? [] : [...estimate.problems]
  const split = Uint8Array.from(built.windows, (w) =>
    w.split === 'train' ? 0 : w.split === 'val' ? 1 : 2,
  )
  if (built.windows.length === 0) {
    problems.push('The dataset has no windows: record and label data first.')
  } else {
    splitIndices(split).forEach((rows, s) => {
      if (rows.length > 0) return
      const name = ['training', 'validation', 'test'][s]
      problems.push(`The ${name} split has no windows. Record or label more, or change the split.`)
    })
  }
  if (problems.length > 0) {
    throw new ServiceError('INVALID_ARGUMENT', `Cannot train: ${problems.join(' ')}`)
  }
  const width = built.featureNames.length
  const { normalization } = built
  const x = Float32Array.from(built.features, (value, i) => {
    const f = i % width
    return (value - (normalization?.mean[f] ?? 0)) / (normalization?.std[f] ?? 1)
  })
  const index = new Map(classIds.map((id, i) => [id, i]))
  const y = Int32Array.from(built.windows, (w) => index.get(w.classId) ?? 0)
  return {
    ...resolved,
    job: { layers, inputShape, classNames, x, y, split, settings: config.training },
    config,
  }
}
