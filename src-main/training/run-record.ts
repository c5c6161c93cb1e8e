import { z } from 'zod'
import {
  Diagnosis,
  EpochPoint,
  LayerSpec,
  MisclassifiedWindow,
  ModelEstimate,
  SplitMetrics,
} from '../../src-preload/contract/index.js'
import { toJsonObject } from '../store/json.js'
import type { Project } from '../store/project.js'
import type { Run } from '../store/runs.js'
import { diagnose } from './diagnosis.js'
import { argmax } from './evaluation.js'
import type { PreparedRun } from './job.js'
import { splitIndices, type TrainResult } from './train-loop.js'

/**
 * What a run leaves in the project, and how it is read back: its metrics and curves (JSON columns
 * read through these schemas) and its artifacts, the model (`model.json`), its weights
 * (`weights.f32`) and a calibration sample (`calibration.f32`) for the int8 quantization.
 */

export const RunMetrics = z.object({
  classes: z.array(z.string()),
  classWeights: z.array(z.number()).nullable(),
  estimate: ModelEstimate.nullable(),
  params: z.number().int(),
  bestEpoch: z.number().int().nullable(),
  val: SplitMetrics.nullable(),
  test: SplitMetrics.nullable(),
  misclassified: z.array(MisclassifiedWindow),
  diagnosis: Diagnosis.nullable(),
})
export type RunMetrics = z.infer<typeof RunMetrics>

export const RunCurves = z.object({ points: z.array(EpochPoint) })

export const DatasetRef = z.object({
  versionId: z.number().int().nullable(),
  marks: z.array(
    z.object({ id: z.number().int(), labelSeq: z.number().int(), samples: z.number().int() }),
  ),
})

/** The model as trained, stored with the run: enough to rebuild, export or quantize it. */
export const StoredModel = z.object({
  layers: z.array(LayerSpec),
  /** `[features]`, or `[time, channels]` for raw windows. */
  inputShape: z.array(z.number().int()),
  classNames: z.array(z.string()),
  classIds: z.array(z.number().int()),
  featureKind: z.string(),
  featureNames: z.array(z.string()),
  /** The training split's per-feature statistics; inputs are `(x - mean) / std`. */
  normalization: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).nullable(),
  /** The TF.js weights in order; `weights.f32` holds their values, float32 little-endian. */
  weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()) })),
  /** `reconstruct`: an autoencoder, its output layer linear and as wide as its input. */
  objective: z.enum(['classify', 'reconstruct']).default('classify'),
})
export type StoredModel = z.infer<typeof StoredModel>

/** Test windows listed as misclassified at most, most confident first. */
const MAX_MISCLASSIFIED = 200
/** Training windows kept with a run to calibrate its int8 quantization. */
export const CALIBRATION_WINDOWS = 500

/** Stores a run's result: its artifacts, metrics and curves, and how it ended. */
export function storeRunResult(
  project: Project,
  runId: number,
  prepared: PreparedRun,
  result: TrainResult,
): void {
  const { built, job, classIds } = prepared
  const [trainRows, , testRows] = splitIndices(job.split)
  const k = job.classNames.length
  // An autoencoder has no classes to get wrong.
  const misclassified = (k === 0 ? [] : testRows)
    .flatMap((row, i) => {
      const predicted = argmax(result.testProbabilities, i * k, k)
      const actual = job.y[row] as number
      const window = built.windows[row]
      if (predicted === actual || !window) return []
      return [
        {
          recordingId: window.recordingId,
          startUs: window.startUs,
          endUs: window.endUs,
          trueClass: job.classNames[actual] ?? '',
          predictedClass: job.classNames[predicted] ?? '',
          confidence: result.testProbabilities[i * k + predicted] as number,
        },
      ]
    })
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, MAX_MISCLASSIFIED)
  const metrics: RunMetrics = {
    classes: job.classNames,
    classWeights: result.classWeights,
    estimate: prepared.estimate,
    params: prepared.estimate.params,
    bestEpoch: result.bestEpoch || null,
    val: result.val,
    test: result.test,
    misclassified,
    // The diagnosis reads accuracy, which an autoencoder has not.
    diagnosis: job.objective === 'reconstruct' ? null : diagnose(result.curves),
  }
  const width = job.x.length / Math.max(job.y.length, 1)
  const calibration = new Float32Array(Math.min(CALIBRATION_WINDOWS, trainRows.length) * width)
  trainRows.slice(0, CALIBRATION_WINDOWS).forEach((row, i) => {
    calibration.set(job.x.subarray(row * width, (row + 1) * width), i * width)
  })
  const model: StoredModel = {
    layers: job.layers,
    inputShape: job.inputShape,
    classNames: job.classNames,
    classIds,
    featureKind: prepared.datasetConfig.features.kind,
    featureNames: built.featureNames,
    normalization: built.normalization,
    weights: result.weights.map((w) => ({ name: w.name, shape: w.shape })),
    objective: job.objective ?? 'classify',
  }
  const weights = new Float32Array(result.weights.reduce((n, w) => n + w.values.length, 0))
  let at = 0
  for (const w of result.weights) {
    weights.set(w.values, at)
    at += w.values.length
  }
  project.transaction(() => {
    const runs = project.runs
    runs.putArtifact(runId, 'model.json', new TextEncoder().encode(JSON.stringify(model)))
    runs.putArtifact(runId, 'weights.f32', new Uint8Array(weights.buffer))
    runs.putArtifact(runId, 'calibration.f32', new Uint8Array(calibration.buffer))
    runs.update(runId, {
      status: result.cancelled ? 'cancelled' : 'complete',
      endedAt: Date.now(),
      curves: toJsonObject({ points: result.curves }),
      metrics: toJsonObject(metrics),
    })
  })
}

/** The trained model of a run, its weights and its calibration windows; null before it ends. */
export function readStoredModel(
  project: Project,
  runId: number,
): { model: StoredModel; weights: Float32Array; calibration: Float32Array } | null {
  const runs = project.runs
  const json = runs.getArtifact(runId, 'model.json')
  const weights = runs.getArtifact(runId, 'weights.f32')
  const calibration = runs.getArtifact(runId, 'calibration.f32')
  if (!json || !weights || !calibration) return null
  const floats = (bytes: Uint8Array) =>
    new Float32Array(bytes.slice().buffer, 0, Math.floor(bytes.byteLength / 4))
  return {
    model: StoredModel.parse(JSON.parse(new TextDecoder().decode(json))),
    weights: floats(weights),
    calibration: floats(calibration),
  }
}

export function metricsOf(run: Run): RunMetrics | null {
  const parsed = RunMetrics.safeParse(run.metrics)
  return parsed.success ? parsed.data : null
}

export function pointsOf(run: Run): EpochPoint[] {
  const parsed = RunCurves.safeParse(run.curves)
  return parsed.success ? parsed.data.points : []
}
