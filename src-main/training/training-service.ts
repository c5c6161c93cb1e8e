import {
  TrainConfig,
  type BoardId,
  type EpochPoint,
  type ModelSpec,
  type RunDetail,
  type RunSummary,
  type TrainingProgress,
} from '../../src-preload/contract/index.js'
import type { DatasetService } from '../dataset/dataset-service.js'
import type { Logger } from '../rpc/dispatcher.js'
import { ServiceError } from '../rpc/errors.js'
import type { EventBus } from '../rpc/events.js'
import { toJsonObject } from '../store/json.js'
import type { Project } from '../store/project.js'
import type { Run } from '../store/runs.js'
import { diagnose } from './diagnosis.js'
import type { Backend } from './engine.js'
import { prepareRun, resolveRun, type PreparedRun } from './job.js'
import type { TrainResult } from './train-loop.js'
import { DatasetRef, metricsOf, pointsOf, readStoredModel, storeRunResult } from './run-record.js'
import {
  anomalyJob,
  anomalyReportOf,
  autoencoderJob,
  autoencoderReport,
  storeAnomalyRun,
  trainGaussian,
  type AnomalyJob,
} from '../anomaly/anomaly-run.js'
import { TrainerHost, type TrainerLauncher } from './trainer-host.js'

export interface TrainingServiceOptions {
  project: () => Project
  datasets: DatasetService
  events: EventBus
  launcher: TrainerLauncher
  log: Logger
  backend?: Backend
}

const HEARTBEAT_MS = 2000
/** A run whose process has not written for this long is not in progress any more. */
const STALE_RUN_MS = 10_000

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
    return resolveRun(this.#opts.project(), this.#opts.datasets, request.dataset, request.model)
      .estimate
  }

  start(input: TrainConfig): RunSummary {
    const project = this.#opts.project()
    this.#refuseIfBusy(project)
    const prepared = prepareRun(project, this.#opts.datasets, input)
    // An anomaly model is refused before its run exists, as a classifier's problems are.
    const anomaly =
      prepared.config.model.kind === 'anomaly'
        ? anomalyJob(project, prepared, this.#touching(prepared))
        : null
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
    active.done =
      anomaly?.method === 'gaussian'
        ? this.#trainGaussian(project, active, prepared, anomaly)
        : anomaly
          ? this.#trainAutoencoder(project, active, prepared, anomaly)
          : this.#train(project, active, prepared)
    this.#opts.events.emit('runs.onChanged', { runId, status: 'running' })
    return this.summary(runId)
  }

  /**
   * An autoencoder trains in the trainer process like a classifier; it keeps a classifier's
   * artifacts (its layers, weights, calibration windows: all normal), then the anomaly model's
   * threshold and evaluation over its reconstruction errors.
   */
  #trainAutoencoder(
    project: Project,
    active: Active,
    prepared: PreparedRun,
    anomaly: AnomalyJob,
  ): Promise<void> {
    const job = autoencoderJob(prepared, anomaly)
    const own = { ...prepared, job }
    return this.#train(project, active, own, job, (result) => {
      storeRunResult(project, active.runId, own, result)
      const stored = readStoredModel(project, active.runId)
      if (result.cancelled || !stored) return
      const { report, int8 } = autoencoderReport(
        anomaly,
        stored,
        result.scores ?? new Float32Array(0),
      )
      project.runs.putArtifact(active.runId, 'model-int8.tflite', int8)
      storeAnomalyRun(project, active.runId, prepared, { report })
    })
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
    const metrics = metricsOf(run)
    return {
      ...this.#summaryOf(run),
      config: TrainConfig.parse(run.config),
      classes: metrics?.classes ?? [],
      classWeights: metrics?.classWeights ?? null,
      estimate: metrics?.estimate ?? null,
      curves: pointsOf(run),
      diagnosis: metrics?.diagnosis ?? (anomalyReportOf(run) ? null : diagnose(pointsOf(run))),
      metrics: { val: metrics?.val ?? null, test: metrics?.test ?? null },
      misclassified: metrics?.misclassified ?? [],
      anomalyReport: anomalyReportOf(run),
    }
  }

  /** Each window's class when any overlap with a label counts (the `any` label policy). */
  #touching(prepared: PreparedRun): Map<string, number> {
    const { built } = this.#opts.datasets.build({ ...prepared.datasetConfig, labelPolicy: 'any' })
    return new Map(built.windows.map((w) => [`${w.recordingId}:${w.startUs}`, w.classId]))
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

  async #train(
    project: Project,
    active: Active,
    prepared: PreparedRun,
    job = prepared.job,
    store = (result: TrainResult) => storeRunResult(project, active.runId, prepared, result),
  ): Promise<void> {
    const { runId, host } = active
    const { events, log } = this.#opts
    const reconstruct = job.objective === 'reconstruct'
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
      const result = await host.run(job, this.#opts.backend ?? 'wasm', {
        onProgress: (message) => {
          active.points.push(...message.points)
          if (message.points.length)
            project.runs.update(runId, { curves: { points: active.points } })
          // From the epochs that ended (the first includes the trainer's start): none yet, no ETA.
          const done = active.points.length + message.batch / Math.max(message.batches, 1)
          const perEpoch =
            active.points.reduce((sum, p) => sum + p.seconds, 0) / Math.max(active.points.length, 1)
          emit({
            stage: 'training',
            epoch: message.epoch,
            epochs: message.epochs,
            batch: message.batch,
            batches: message.batches,
            etaS: active.points.length > 0 ? Math.max(0, (message.epochs - done) * perEpoch) : null,
            points: message.points,
            diagnosis: reconstruct ? null : diagnose(active.points),
          })
        },
      })
      store(result)
      emit({
        stage: 'done',
        epoch: result.curves.length,
        epochs: prepared.config.training.epochs,
        batch: 0,
        batches: 0,
        etaS: 0,
        points: [],
        diagnosis: reconstruct ? null : diagnose(result.curves),
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

  /**
   * An anomaly run: the Gaussian is fitted here (a mean and a covariance: milliseconds for
   * summary features), scored and calibrated, then stored; its progress is its end.
   */
  async #trainGaussian(
    project: Project,
    active: Active,
    prepared: PreparedRun,
    job: AnomalyJob,
  ): Promise<void> {
    const { runId } = active
    const { events, log } = this.#opts
    try {
      await new Promise((resolve) => setImmediate(resolve))
      const trained = trainGaussian(job)
      storeAnomalyRun(project, runId, prepared, { report: trained.report, gaussian: trained.model })
      events.emit('training.onProgress', {
        runId,
        elapsedS: (Date.now() - active.started) / 1000,
        stage: 'done',
        epoch: 0,
        epochs: 0,
        batch: 0,
        batches: 0,
        etaS: 0,
        points: [],
        diagnosis: null,
      })
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      log.error(`run ${runId} failed`, error)
      project.runs.update(runId, { status: 'failed', endedAt: Date.now(), error: message })
    } finally {
      this.#active = null
      events.emit('runs.onChanged', { runId, status: project.runs.get(runId)?.status ?? 'failed' })
    }
  }

  #run(id: number): Run {
    const run = this.#opts.project().runs.get(id)
    if (!run) throw new ServiceError('NOT_FOUND', `There is no run ${id} in this project.`)
    return run
  }

  #summaryOf(run: Run): RunSummary {
    const project = this.#opts.project()
    const config = TrainConfig.safeParse(run.config)
    const metrics = metricsOf(run)
    const report = anomalyReportOf(run)
    const ref = DatasetRef.safeParse(run.datasetRef)
    const version = run.datasetId === null ? null : project.datasets.get(run.datasetId)
    const marks = ref.success ? ref.data.marks : []
    const now = project.datasets.marks(marks.map((m) => m.id))
    return {
      id: run.id,
      createdAt: run.createdAt,
      status: run.status,
      preset: !config.success
        ? 'unknown'
        : config.data.model.kind === 'anomaly'
          ? (config.data.model.method ?? 'gaussian')
          : (config.data.model.preset ?? (config.data.model.layers ? 'custom' : 'default')),
      datasetVersionId: run.datasetId,
      datasetName: version ? `${version.name} v${version.version}` : null,
      epochs: pointsOf(run).length,
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
      kind: config.success && config.data.model.kind === 'anomaly' ? 'anomaly' : 'classifier',
      anomaly: report
        ? {
            method: report.method,
            testAuc: report.test.auc,
            testF1: report.test.f1,
            falseAlarmsPerHour: report.test.falseAlarmsPerHour,
          }
        : null,
    }
  }
}
