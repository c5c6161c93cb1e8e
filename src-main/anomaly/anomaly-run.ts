import { z } from 'zod'
import {
  AnomalyReport,
  type LayerSpec,
  type ThresholdSpec,
} from '../../src-preload/contract/index.js'
import { projectDefaultClass } from '../labels/class-service.js'
import { ServiceError } from '../rpc/errors.js'
import { toJsonObject } from '../store/json.js'
import type { Project } from '../store/project.js'
import type { Run } from '../store/runs.js'
import type { PreparedRun } from '../training/job.js'
import type { StoredModel } from '../training/run-record.js'
import type { TrainJob } from '../training/train-loop.js'
import { createInterpreter, exportTflite, readTflite } from '../tflite/index.js'
import { int8ReconstructionScore } from './autoencoder-score.js'
import { anomalySplits, evaluateAnomaly } from './evaluation.js'
import { fitGaussian, gaussianScore, type GaussianModel } from './gaussian.js'

/** Features a Gaussian takes at most: its inverse covariance has this many squared. */
export const MAX_GAUSSIAN_FEATURES = 256

/** What an anomaly run trains on: normalized windows, which are anomalous, their new splits. */
export interface AnomalyJob {
  method: 'gaussian' | 'autoencoder'
  width: number
  /** windows × width, normalized with the training split's statistics. */
  x: Float32Array
  anomalous: boolean[]
  /** 0 training (normal windows only), 1 validation, 2 test. */
  split: Uint8Array
  normalClasses: string[]
  threshold: ThresholdSpec
  shrinkage: number | undefined
  strideS: number
  /** Windows labeled normal by the dataset's policy that a fault label touches: left out. */
  ambiguousWindows: number
}

/**
 * The anomaly job of a prepared run: its normal classes (those named, else the project's default
 * class), each window normal or not, and the training split's anomalies moved to validation and
 * test. Refused in words where it cannot train: no normal class among the windows, no normal
 * training window, a Gaussian over too many features.
 */
export function anomalyJob(
  project: Project,
  prepared: PreparedRun,
  /** Each window's class by the `any` label policy (any overlap), by `recordingId:startUs`. */
  touching: ReadonlyMap<string, number> = new Map(),
): AnomalyJob {
  const spec = prepared.config.model
  const method = spec.method ?? 'gaussian'
  const { classNames, classIds, job } = prepared
  let normalClasses: string[]
  if (spec.normalClasses) {
    const missing = spec.normalClasses.filter((name) => !classNames.includes(name))
    if (missing.length > 0) {
      throw new ServiceError(
        'INVALID_ARGUMENT',
        `Cannot train: the dataset has no windows of ${missing.map((m) => `"${m}"`).join(', ')} (it has ${classNames.join(', ')}).`,
      )
    }
    normalClasses = spec.normalClasses
  } else {
    const id = projectDefaultClass(project)
    const index = id === null ? -1 : classIds.indexOf(id)
    if (index < 0) {
      throw new ServiceError(
        'INVALID_ARGUMENT',
        'Cannot train: say which classes are normal running (normalClasses), or give the project a default class whose windows are in the dataset.',
      )
    }
    normalClasses = [classNames[index] as string]
  }
  const normal = new Set(normalClasses.map((name) => classNames.indexOf(name)))
  const normalIds = new Set([...normal].map((k) => classIds[k]))
  // A window the dataset's policy calls normal but that a fault label touches is neither: it is
  // left out of training, calibration and evaluation.
  const keep: number[] = []
  prepared.built.windows.forEach((w, i) => {
    const any = touching.get(`${w.recordingId}:${w.startUs}`)
    const ambiguous = normal.has(job.y[i] as number) && any !== undefined && !normalIds.has(any)
    if (!ambiguous) keep.push(i)
  })
  const width = prepared.built.featureNames.length
  const x = new Float32Array(keep.length * width)
  keep.forEach((row, i) => x.set(job.x.subarray(row * width, (row + 1) * width), i * width))
  const anomalous = keep.map((row) => !normal.has(job.y[row] as number))
  const split = anomalySplits(
    Uint8Array.from(keep, (row) => job.split[row] as number),
    anomalous,
  )
  if (!split.some((s, i) => s === 0 && !anomalous[i])) {
    throw new ServiceError(
      'INVALID_ARGUMENT',
      `Cannot train: the training split has no windows of ${normalClasses.join(', ')}.`,
    )
  }
  if (method === 'gaussian' && width > MAX_GAUSSIAN_FEATURES) {
    throw new ServiceError(
      'INVALID_ARGUMENT',
      `Cannot train: the Gaussian model takes at most ${MAX_GAUSSIAN_FEATURES} features and the ${prepared.datasetConfig.features.kind} windows have ${width}. Use stats or spectral features.`,
    )
  }
  return {
    method,
    width,
    x,
    anomalous,
    ambiguousWindows: job.y.length - keep.length,
    split,
    normalClasses,
    threshold: spec.threshold ?? { kind: 'percentile', percentile: 99 },
    shrinkage: spec.shrinkage,
    strideS: prepared.datasetConfig.strideMs / 1000,
  }
}

/**
 * The autoencoder's layers before its linear output (as wide as the input): a preset-like
 * bottleneck unless the model spec gives its own.
 */
export const AUTOENCODER_LAYERS: LayerSpec[] = [
  { type: 'dense', units: 16, activation: 'relu', l2: 0 },
  { type: 'dense', units: 8, activation: 'relu', l2: 0 },
  { type: 'dense', units: 16, activation: 'relu', l2: 0 },
]

/** The trainer's job for an autoencoder: reconstruct the normal training windows. */
export function autoencoderJob(prepared: PreparedRun, job: AnomalyJob): TrainJob {
  return {
    layers: prepared.config.model.layers ?? AUTOENCODER_LAYERS,
    inputShape: prepared.inputShape,
    classNames: [],
    x: job.x,
    y: Int32Array.from(job.anomalous, (a) => (a ? 1 : 0)),
    split: job.split,
    settings: prepared.config.training,
    objective: 'reconstruct',
  }
}

/**
 * The autoencoder's evaluation: its int8 model (quantized here, as it goes to a device) scores
 * every window, the threshold is calibrated on those scores, and the float model's test AUC (the
 * trainer's reconstruction errors) is kept beside them. The int8 file is returned to be kept.
 */
export function autoencoderReport(
  job: AnomalyJob,
  stored: { model: StoredModel; weights: Float32Array; calibration: Float32Array },
  floatScores: Float32Array,
): { report: AnomalyReport; int8: Uint8Array } {
  const exported = exportTflite(stored)
  const interpreter = createInterpreter(readTflite(exported.bytes))
  const scores = new Float64Array(job.split.length)
  for (let i = 0; i < scores.length; i++) {
    scores[i] = int8ReconstructionScore(
      interpreter,
      job.x.subarray(i * job.width, (i + 1) * job.width),
    )
  }
  const evaluate = (values: ArrayLike<number>) =>
    evaluateAnomaly({
      scores: values,
      anomalous: job.anomalous,
      split: job.split,
      choice: job.threshold,
      strideS: job.strideS,
    })
  const evaluation = evaluate(scores)
  return {
    report: {
      method: 'autoencoder',
      normalClasses: job.normalClasses,
      trainWindows: job.split.filter((s) => s === 0).length,
      ambiguousWindows: job.ambiguousWindows,
      ...evaluation,
      shrinkage: null,
      floatTestAuc: floatScores.length === scores.length ? evaluate(floatScores).test.auc : null,
    },
    int8: exported.bytes,
  }
}

/** The Gaussian fitted to the normal training windows, every window's score, the evaluation. */
export function trainGaussian(job: AnomalyJob): {
  model: GaussianModel
  scores: Float64Array
  report: AnomalyReport
} {
  const { width, x, split, anomalous } = job
  const trainRows: number[] = []
  for (let i = 0; i < split.length; i++) if (split[i] === 0) trainRows.push(i)
  const rows = new Float64Array(trainRows.length * width)
  trainRows.forEach((row, i) => {
    for (let f = 0; f < width; f++) rows[i * width + f] = x[row * width + f] as number
  })
  const model = fitGaussian(rows, width, { shrinkage: job.shrinkage })
  const scores = new Float64Array(split.length)
  for (let i = 0; i < split.length; i++) scores[i] = gaussianScore(model, x, i * width)
  const evaluation = evaluateAnomaly({
    scores,
    anomalous,
    split,
    choice: job.threshold,
    strideS: job.strideS,
  })
  return {
    model,
    scores,
    report: {
      method: 'gaussian',
      normalClasses: job.normalClasses,
      trainWindows: trainRows.length,
      ambiguousWindows: job.ambiguousWindows,
      ...evaluation,
      shrinkage: model.shrinkage,
      floatTestAuc: null,
    },
  }
}

const StoredCommon = {
  featureKind: z.string(),
  featureNames: z.array(z.string()),
  normalization: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).nullable(),
  classNames: z.array(z.string()),
  normalClasses: z.array(z.string()),
  threshold: z.number(),
}

/**
 * An anomaly model as a run keeps it (`anomaly.json`): the Gaussian whole (enough to score
 * windows anywhere); the autoencoder's threshold and facts, its layers and weights being in
 * `model.json` and `weights.f32` as a classifier's are.
 */
export const StoredAnomaly = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('gaussian'),
    ...StoredCommon,
    mean: z.array(z.number()),
    /** Row-major, features × features. */
    precision: z.array(z.number()),
    shrinkage: z.number(),
  }),
  z.object({ method: z.literal('autoencoder'), ...StoredCommon }),
])
export type StoredAnomaly = z.infer<typeof StoredAnomaly>

const AnomalyMetrics = z.object({
  kind: z.literal('anomaly'),
  classes: z.array(z.string()),
  report: AnomalyReport,
})

export const ANOMALY_ARTIFACT = 'anomaly.json'

/**
 * Stores an anomaly run's model and evaluation, and marks it complete: the Gaussian whole; for
 * the autoencoder, `anomaly.json` beside the classifier-like artifacts stored first.
 */
export function storeAnomalyRun(
  project: Project,
  runId: number,
  prepared: PreparedRun,
  trained: { report: AnomalyReport; gaussian?: GaussianModel },
): void {
  const common = {
    featureKind: prepared.datasetConfig.features.kind,
    featureNames: prepared.built.featureNames,
    normalization: prepared.built.normalization,
    classNames: prepared.classNames,
    normalClasses: trained.report.normalClasses,
    threshold: trained.report.threshold,
  }
  const { gaussian } = trained
  const stored: StoredAnomaly = gaussian
    ? {
        method: 'gaussian',
        ...common,
        mean: Array.from(gaussian.mean),
        precision: Array.from(gaussian.precision),
        shrinkage: gaussian.shrinkage,
      }
    : { method: 'autoencoder', ...common }
  project.transaction(() => {
    project.runs.putArtifact(
      runId,
      ANOMALY_ARTIFACT,
      new TextEncoder().encode(JSON.stringify(stored)),
    )
    project.runs.update(runId, {
      status: 'complete',
      endedAt: Date.now(),
      metrics: toJsonObject({
        kind: 'anomaly',
        classes: prepared.classNames,
        report: trained.report,
      }),
    })
  })
}

/** An anomaly run's evaluation; null for a classifier (or a run not ended). */
export function anomalyReportOf(run: Run): AnomalyReport | null {
  const parsed = AnomalyMetrics.safeParse(run.metrics)
  return parsed.success ? parsed.data.report : null
}

/** The Gaussian a run keeps, ready to score. */
export function gaussianOf(stored: Extract<StoredAnomaly, { method: 'gaussian' }>): GaussianModel {
  return {
    width: stored.featureNames.length,
    mean: Float64Array.from(stored.mean),
    precision: Float64Array.from(stored.precision),
    shrinkage: stored.shrinkage,
  }
}

/** An anomaly run's stored model; null for a classifier. */
export function readStoredAnomaly(project: Project, runId: number): StoredAnomaly | null {
  const bytes = project.runs.getArtifact(runId, ANOMALY_ARTIFACT)
  if (!bytes) return null
  return StoredAnomaly.parse(JSON.parse(new TextDecoder().decode(bytes)))
}

/** An anomaly run's score of a normalized window: the Gaussian's, or its int8 autoencoder's. */
export function anomalyScorer(
  project: Project,
  runId: number,
  stored: StoredAnomaly,
): (window: Float32Array) => number {
  if (stored.method === 'gaussian') {
    const model = gaussianOf(stored)
    return (window) => gaussianScore(model, window)
  }
  const bytes = project.runs.getArtifact(runId, 'model-int8.tflite')
  if (!bytes) throw new ServiceError('NOT_FOUND', `Run ${runId} kept no int8 model.`)
  const interpreter = createInterpreter(readTflite(bytes))
  return (window) => int8ReconstructionScore(interpreter, window)
}
