import { z } from 'zod'
import {
  DatasetConfig,
  Diagnosis,
  EpochPoint,
  MisclassifiedWindow,
  ModelEstimate,
  SplitMetrics,
  TrainConfig,
  type BoardId,
  type ModelSpec,
  type RunDetail,
  type RunSummary,
  type TrainingProgress,
} from '../../src-preload/contract/index.js'
import type { DatasetService } from '../dataset/dataset-service.js'
import type { BuiltDataset } from '../dataset/build.js'
import type { Logger } from '../rpc/dispatcher.js'
import { ServiceError } from '../rpc/errors.js'
import type { EventBus } from '../rpc/events.js'
import type { Project } from '../store/project.js'
import { toJsonObject } from '../store/json.js'
import type { Run } from '../store/runs.js'
import { diagnose } from './diagnosis.js'
import type { Backend } from './engine.js'
import { estimateModel } from './estimate.js'
import { argmax } from './evaluation.js'
import { layersOf } from './models.js'
import { splitIndices, type TrainJob, type TrainResult } from './train-loop.js'
import { TrainerHost, type TrainerLauncher } from './trainer-host.js'

export interface TrainingServiceOptions {
  project: () => Project
  datasets: DatasetService
  events: EventBus
  launcher: TrainerLauncher
  log: Logger
  backend?: Backend
}

/** What a run keeps in its `metrics` column, read back through this schema. */
const RunMetrics = z.object({
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
type RunMetrics = z.infer<typeof RunMetrics>
const RunCurves = z.object({ points: z.array(EpochPoint) })
const DatasetRef = z.object({
  versionId: z.number().int().nullable(),
  marks: z.array(
    z.object({ id: z.number().int(), labelSeq: z.number().int(), samples: z.number().int() }),
  ),
})
/** The model as trained, stored with the run: enough to rebuild, export or quantize it. */
export const StoredModel = z.object({
  layers: z.array(z.unknown()),
  inputShape: z.array(z.number().int()),
  classNames: z.array(z.string()),
  classIds: z.array(z.number().int()),
  featureKind: z.string(),
  featureNames: z.array(z.string()),
  normalization: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).nullable(),
  weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()) })),
})

/** Test windows listed as misclassified at most, most confident first. */
const MAX_MISCLASSIFIED = 200
/** Training windows kept with a run to calibrate its int8 quantization. */
const CALIBRATION_WINDOWS = 500
const HEARTBEAT_MS = 2000
/** A run whose process has not written for this long is not in progress any more. */
const STALE_RUN_MS = 10_000

interface Prepared {
  job: TrainJob
  config: TrainConfig
  built: BuiltDataset
  classIds: number[]
  estimate: ModelEstimate
  versionId: number | null
  recordingIds: number[]
  normalization: BuiltDataset['normalization']
  featureKind: DatasetConfig['features']['kind']
}

interface Active {
  runId: number
  host: TrainerHost
  points: EpochPoint[]
  started: number
  done: Promise<void>
}

/**
 * Training runs of the open project: sizing a model, starting one run at a time in the trainer
 * process, its progress as events, and what it leaves (curves, metrics, weights) in the project.
 */
export class TrainingService {
  readonly #opts: TrainingServiceOptions
  #active: Active | null = null

  constructor(opts: TrainingServiceOptions) {
    this.#opts = opts
  }

  /** A run is in progress in this process (the project cannot be switched meanwhile). */
  get running(): boolean {
    return this.#active !== null
  }

  /** The process id of the trainer of the run in progress, if any (for diagnostics). */
  get trainerPid(): number | undefined {
    return this.#active?.host.pid
  }

  estimate(request: { dataset: TrainConfig['dataset']; model: ModelSpec; board: BoardId }) {
    return this.#resolve(request.dataset, request.model).estimate
  }

  start(input: TrainConfig): RunSummary {
    const project = this.#opts.project()
    this.#refuseIfBusy(project)
    const prepared = this.#prepare(input)
    const runId = project.runs.create({
      status: 'running',
      config: toJsonObject(prepared.config),
      datasetId: prepared.versionId,
      datasetRef: toJsonObject({
        versionId: prepared.versionId,
        marks: project.datasets.marks(prepared.recordingIds),
      }),
    })
    project.runs.update(runId, { startedAt: Date.now() })
    const host = new TrainerHost(this.#opts.launcher)
    const active: Active = { runId, host, points: [], started: Date.now(), done: Promise.resolve() }
    this.#active = active
    active.done = this.#train(project, active, prepared)
    this.#opts.events.emit('runs.onChanged', { runId, status: 'running' })
    return this.summary(runId)
  }

  cancel(runId: number): RunSummary {
    if (this.#active?.runId === runId) this.#active.host.cancel()
    return this.summary(runId)
  }

  /** Resolves once the run in progress (if any) has ended and been stored. */
  async settled(): Promise<void> {
    await this.#active?.done
  }

  list(): RunSummary[] {
    return this.#opts
      .project()
      .runs.list()
      .map((run) => this.#summaryOf(run))
  }

  summary(id: number): RunSummary {
    return this.#summaryOf(this.#run(id))
  }

  get(id: number): RunDetail {
    const run = this.#run(id)
    const metrics = this.#metricsOf(run)
    return {
      ...this.#summaryOf(run),
      config: TrainConfig.parse(run.config),
      classes: metrics?.classes ?? [],
      classWeights: metrics?.classWeights ?? null,
      estimate: metrics?.estimate ?? null,
      curves: this.#pointsOf(run),
      diagnosis: metrics?.diagnosis ?? diagnose(this.#pointsOf(run)),
      metrics: { val: metrics?.val ?? null, test: metrics?.test ?? null },
      misclassified: metrics?.misclassified ?? [],
    }
  }

  /** Stops a run in progress (the app quits): cancelled, then killed if it does not stop. */
  async close(): Promise<void> {
    const active = this.#active
    if (!active) return
    active.host.cancel()
    const stopped = await Promise.race([
      active.done.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000).unref()),
    ])
    if (!stopped) active.host.kill()
    await active.done
  }

  /** One run at a time per project, also across processes (the app and the CLI, say). */
  #refuseIfBusy(project: Project): void {
    const abandoned = new Set(project.runs.abandonedIds(Date.now() - STALE_RUN_MS))
    const running =
      this.#active?.runId ??
      project.runs.list().find((run) => run.status === 'running' && !abandoned.has(run.id))?.id
    if (running !== undefined) {
      throw new ServiceError(
        'BUSY',
        `Run ${running} is in progress. Wait for it to end, or cancel it, before starting another.`,
      )
    }
  }

  /** The dataset and model of a config, checked: every problem is one clear error, up front. */
  #resolve(dataset: TrainConfig['dataset'], model: ModelSpec) {
    const { datasets } = this.#opts
    const versionId = 'version' in dataset ? dataset.version : null
    const datasetConfig: DatasetConfig =
      versionId !== null ? datasets.get({ id: versionId }).config : DatasetConfig.parse(dataset)
    const {
      config: parsed,
      built,
      names,
      recordingIds,
    } = datasets.build(datasetConfig, {
      features: true,
    })
    const kind = parsed.features.kind
    const present = new Set(built.windows.map((w) => w.classId))
    const classIds = this.#opts
      .project()
      .classes.list()
      .map((c) => c.id)
      .filter((id) => present.has(id))
    const classNames = classIds.map((id) => names.get(id) ?? String(id))
    const width = built.featureNames.length
    const channels =
      kind === 'raw' ? built.featureNames.filter((name) => name.endsWith('_t0')).length : 1
    const inputShape = kind === 'raw' ? [width / channels, channels] : [width]
    const layers = layersOf(model, kind)
    const windowFloats = kind === 'raw' ? width : Math.round(parsed.windowMs)
    const estimate = estimateModel({ layers, inputShape, classNames, windowFloats })
    return {
      versionId,
      datasetConfig: parsed,
      built,
      classIds,
      classNames,
      inputShape,
      layers,
      estimate,
      recordingIds,
    }
  }

  #prepare(input: TrainConfig): Prepared {
    const config = TrainConfig.parse(input)
    const resolved = this.#resolve(config.dataset, config.model)
    const { built, classIds, classNames, inputShape, layers, estimate } = resolved
    const problems = [...estimate.problems]
    const splitNames = ['training', 'validation', 'test']
    const index = new Map(classIds.map((id, i) => [id, i]))
    const split = Uint8Array.from(built.windows, (w) =>
      w.split === 'train' ? 0 : w.split === 'val' ? 1 : 2,
    )
    splitIndices(split).forEach((rows, s) => {
      if (built.windows.length > 0 && rows.length === 0) {
        problems.push(
          `The ${splitNames[s]} split has no windows. Record or label more, or change the split.`,
        )
      }
    })
    if (built.windows.length === 0) {
      problems.push('The dataset has no windows: record and label data first.')
    }
    if (problems.length > 0) {
      throw new ServiceError('INVALID_ARGUMENT', `Cannot train: ${problems.join(' ')}`)
    }
    const width = built.featureNames.length
    const x = new Float32Array(built.features.length)
    const { normalization } = built
    for (let i = 0; i < built.features.length; i++) {
      const f = i % width
      const mean = normalization?.mean[f] ?? 0
      const std = normalization?.std[f] ?? 1
      x[i] = ((built.features[i] as number) - mean) / std
    }
    const y = Int32Array.from(built.windows, (w) => index.get(w.classId) ?? 0)
    return {
      job: { layers, inputShape, classNames, x, y, split, settings: config.training },
      config,
      built,
      classIds,
      estimate,
      versionId: resolved.versionId,
      recordingIds: resolved.recordingIds,
      normalization,
      featureKind: resolved.datasetConfig.features.kind,
    }
  }

  async #train(project: Project, active: Active, prepared: Prepared): Promise<void> {
    const { runId, host } = active
    const { events, log } = this.#opts
    const heartbeat = setInterval(() => project.runs.heartbeat(runId), HEARTBEAT_MS)
    heartbeat.unref()
    const emit = (progress: Omit<TrainingProgress, 'runId' | 'elapsedS'>) =>
      events.emit('training.onProgress', {
        runId,
        elapsedS: (Date.now() - active.started) / 1000,
        ...progress,
      })
    emit({
      stage: 'training',
      epoch: 0,
      epochs: prepared.config.training.epochs,
      batch: 0,
      batches: 0,
      etaS: null,
      points: [],
      diagnosis: null,
    })
    try {
      const result = await host.run(prepared.job, this.#opts.backend ?? 'wasm', {
        onProgress: (message) => {
          active.points.push(...message.points)
          if (message.points.length)
            project.runs.update(runId, { curves: { points: active.points } })
          const done = active.points.length + message.batch / Math.max(message.batches, 1)
          const perEpoch = (Date.now() - active.started) / 1000 / Math.max(done, 1e-9)
          emit({
            stage: 'training',
            epoch: message.epoch,
            epochs: message.epochs,
            batch: message.batch,
            batches: message.batches,
            etaS: done > 0 ? Math.max(0, (message.epochs - done) * perEpoch) : null,
            points: message.points,
            diagnosis: diagnose(active.points),
          })
        },
      })
      this.#store(project, runId, prepared, result)
      emit({
        stage: 'done',
        epoch: result.curves.length,
        epochs: prepared.config.training.epochs,
        batch: 0,
        batches: 0,
        etaS: 0,
        points: [],
        diagnosis: diagnose(result.curves),
      })
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if (error instanceof Error && error.name !== 'TrainerError')
        log.error(`run ${runId} failed`, error)
      project.runs.update(runId, { status: 'failed', endedAt: Date.now(), error: message })
    } finally {
      clearInterval(heartbeat)
      project.runs.heartbeat(runId, false)
      this.#active = null
      events.emit('runs.onChanged', { runId, status: project.runs.get(runId)?.status ?? 'failed' })
    }
  }

  #store(project: Project, runId: number, prepared: Prepared, result: TrainResult): void {
    const { built, job, classIds, normalization } = prepared
    const [trainRows, , testRows] = splitIndices(job.split)
    const k = job.classNames.length
    const misclassified = testRows
      .map((row, i) => {
        const predicted = argmax(result.testProbabilities, i * k, k)
        const actual = job.y[row] as number
        const window = built.windows[row]
        return predicted === actual || !window
          ? null
          : {
              recordingId: window.recordingId,
              startUs: window.startUs,
              endUs: window.endUs,
              trueClass: job.classNames[actual] ?? '',
              predictedClass: job.classNames[predicted] ?? '',
              confidence: result.testProbabilities[i * k + predicted] as number,
            }
      })
      .filter((w): w is NonNullable<typeof w> => w !== null)
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
      diagnosis: diagnose(result.curves),
    }
    const width = job.x.length / Math.max(job.y.length, 1)
    const calibration = new Float32Array(Math.min(CALIBRATION_WINDOWS, trainRows.length) * width)
    trainRows.slice(0, CALIBRATION_WINDOWS).forEach((row, i) => {
      calibration.set(job.x.subarray(row * width, (row + 1) * width), i * width)
    })
    const model = StoredModel.parse({
      layers: job.layers,
      inputShape: job.inputShape,
      classNames: job.classNames,
      classIds,
      featureKind: prepared.featureKind,
      featureNames: built.featureNames,
      normalization,
      weights: result.weights.map((w) => ({ name: w.name, shape: w.shape })),
    })
    const weights = new Float32Array(result.weights.reduce((n, w) => n + w.values.length, 0))
    let at = 0
    for (const w of result.weights) {
      weights.set(w.values, at)
      at += w.values.length
    }
    project.transaction(() => {
      project.runs.putArtifact(runId, 'model.json', new TextEncoder().encode(JSON.stringify(model)))
      project.runs.putArtifact(runId, 'weights.f32', new Uint8Array(weights.buffer))
      project.runs.putArtifact(runId, 'calibration.f32', new Uint8Array(calibration.buffer))
      project.runs.update(runId, {
        status: result.cancelled ? 'cancelled' : 'complete',
        endedAt: Date.now(),
        curves: toJsonObject({ points: result.curves }),
        metrics: toJsonObject(metrics),
      })
    })
  }

  #run(id: number): Run {
    const run = this.#opts.project().runs.get(id)
    if (!run) throw new ServiceError('NOT_FOUND', `There is no run ${id} in this project.`)
    return run
  }

  #metricsOf(run: Run): RunMetrics | null {
    const parsed = RunMetrics.safeParse(run.metrics)
    return parsed.success ? parsed.data : null
  }

  #pointsOf(run: Run): EpochPoint[] {
    const parsed = RunCurves.safeParse(run.curves)
    return parsed.success ? parsed.data.points : []
  }

  #summaryOf(run: Run): RunSummary {
    const project = this.#opts.project()
    const config = TrainConfig.safeParse(run.config)
    const metrics = this.#metricsOf(run)
    const ref = DatasetRef.safeParse(run.datasetRef)
    const version = run.datasetId === null ? null : project.datasets.get(run.datasetId)
    const marks = ref.success ? ref.data.marks : []
    const now = project.datasets.marks(marks.map((m) => m.id))
    return {
      id: run.id,
      createdAt: run.createdAt,
      status: run.status,
      preset: config.success
        ? (config.data.model.preset ?? (config.data.model.layers ? 'custom' : 'default'))
        : 'unknown',
      datasetVersionId: run.datasetId,
      datasetName: version ? `${version.name} v${version.version}` : null,
      epochs: this.#pointsOf(run).length,
      bestEpoch: metrics?.bestEpoch ?? null,
      params: metrics?.params ?? 0,
      valAccuracy: metrics?.val?.accuracy ?? null,
      testAccuracy: metrics?.test?.accuracy ?? null,
      seconds:
        run.startedAt !== null && run.endedAt !== null
          ? (run.endedAt - run.startedAt) / 1000
          : null,
      error: run.error,
      datasetChanged: JSON.stringify(now) !== JSON.stringify(marks),
    }
  }
}
