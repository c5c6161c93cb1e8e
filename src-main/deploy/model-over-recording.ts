import { DatasetConfig } from '../../src-preload/contract/index.js'
import { buildDataset, type DatasetWindowRow } from '../dataset/build.js'
import type { DatasetService } from '../dataset/dataset-service.js'
import { loadRecordings } from '../dataset/source.js'
import type { ClassService } from '../labels/class-service.js'
import { anomalyScorer, readStoredAnomaly, type StoredAnomaly } from '../anomaly/anomaly-run.js'
import { ServiceError } from '../rpc/errors.js'
import type { Project } from '../store/project.js'
import { createInterpreter, predict, readTflite } from '../tflite/index.js'
import type { StoredModel } from '../training/run-record.js'
import type { DeployService } from './deploy-service.js'
import { runDatasetConfig } from './held-out.js'

export interface ModelOverRecording {
  /** The dataset config the run trained on: its window, stride and features. */
  config: DatasetConfig
  model: StoredModel
  /** Every window of the recording, whatever its labels say. */
  windows: DatasetWindowRow[]
  featureNames: string[]
  /** windows × features, before normalization. */
  features: Float32Array
  /** Per window: the class the int8 model picks (an index into `model.classIds`)… */
  classIndex: Int32Array
  /** …and its probability, dequantized. */
  probability: Float64Array
  /**
   * An anomaly run: its normal classes, and per window its score; `classIndex` is then 1 for a
   * window over the threshold, else 0 (`probability` NaN), and `model` carries the run's classes,
   * features and normalization only.
   */
  anomaly: { normalClasses: string[]; threshold: number; scores: Float64Array } | null
}

/**
 * A run's int8 model (the bytes a device gets, through TinyLoop's interpreter) over every window
 * of a recording, cut and featurized with the run's dataset settings: what model-assisted
 * labeling suggests from and what the drift check compares with the training split.
 */
export function modelOverRecording(
  deps: { classes: ClassService; deploy: DeployService; datasets: DatasetService },
  recordingId: number,
  runId: number,
): ModelOverRecording {
  const { classes, deploy, datasets } = deps
  const project = classes.project()
  if (!project.recordings.get(recordingId)) {
    throw new ServiceError('NOT_FOUND', `There is no recording ${recordingId} in this project.`)
  }
  const stored = readStoredAnomaly(project, runId)
  const { bytes, model } = stored
    ? { bytes: null, model: anomalyModelFacts(project, stored) }
    : deploy.int8Model(runId)
  const config = runDatasetConfig(project, datasets, runId)
  const [data] = loadRecordings(project, classes, [recordingId])
  // Every window of the recording: no labels and any default class keep them all, one split
  // keeps them all, the run's statistics normalize below.
  const built = buildDataset(
    [{ ...data!, labels: [], defaultClassId: 0 }],
    DatasetConfig.parse({
      ...config,
      recordings: { ids: [recordingId] },
      split: { method: 'random', ratios: [1, 0, 0], seed: 1 },
      normalization: { kind: 'none' },
    }),
    [],
    { features: true },
  )
  const width = model.featureNames.length
  if (
    built.windows.length > 0 &&
    built.featureNames.join('\u0000') !== model.featureNames.join('\u0000')
  ) {
    throw new ServiceError(
      'INVALID_ARGUMENT',
      `Run ${runId}'s model takes the features ${model.featureNames.slice(0, 3).join(', ')}…, ` +
        `but recording ${recordingId} gives ${built.featureNames.slice(0, 3).join(', ') || 'none'}…: ` +
        'it has other channels than the recordings the run trained on. Pick a run trained on ' +
        'recordings like this one.',
    )
  }
  const mean = model.normalization?.mean
  const std = model.normalization?.std
  const classIndex = new Int32Array(built.windows.length)
  const probability = new Float64Array(built.windows.length)
  const input = new Float32Array(width)
  const normalize = (row: number) => {
    for (let f = 0; f < width; f++) {
      input[f] = ((built.features[row * width + f] as number) - (mean?.[f] ?? 0)) / (std?.[f] ?? 1)
    }
    return input
  }
  if (stored) {
    const scoreOf = anomalyScorer(project, runId, stored)
    const scores = new Float64Array(built.windows.length)
    for (let row = 0; row < built.windows.length; row++) {
      scores[row] = scoreOf(normalize(row))
      classIndex[row] = (scores[row] as number) > stored.threshold ? 1 : 0
      probability[row] = NaN
    }
    return {
      config,
      model,
      windows: built.windows,
      featureNames: built.featureNames,
      features: built.features,
      classIndex,
      probability,
      anomaly: { normalClasses: stored.normalClasses, threshold: stored.threshold, scores },
    }
  }
  const interpreter = createInterpreter(readTflite(bytes as Uint8Array))
  const { scale, zeroPoint } = interpreter.output
  for (let row = 0; row < built.windows.length; row++) {
    const { output, classIndex: best } = predict(interpreter, normalize(row))
    classIndex[row] = best
    probability[row] = ((output[best] as number) - zeroPoint) * scale
  }
  return {
    config,
    model,
    windows: built.windows,
    featureNames: built.featureNames,
    features: built.features,
    classIndex,
    probability,
    anomaly: null,
  }
}

/**
 * What the drift check needs of an anomaly run's model: its classes (by the project's ids), its
 * features and normalization; it has no layers or weights of a classifier.
 */
function anomalyModelFacts(project: Project, stored: StoredAnomaly): StoredModel {
  const ids = new Map(project.classes.list().map((c) => [c.name, c.id]))
  return {
    layers: [],
    inputShape: [stored.featureNames.length],
    classNames: stored.classNames,
    classIds: stored.classNames.map((name) => ids.get(name) ?? -1),
    featureKind: stored.featureKind,
    featureNames: stored.featureNames,
    normalization: stored.normalization,
    weights: [],
    objective: 'classify',
  }
}
