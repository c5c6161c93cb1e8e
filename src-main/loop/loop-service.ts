import type {
  EventPayload,
  LoopProgress,
  LoopResult,
  LoopScore,
  LoopStage,
  LoopStageTime,
  ModelCard,
} from '../../src-preload/contract/index.js'
import type { DatasetService } from '../dataset/dataset-service.js'
import type { DeployService } from '../deploy/deploy-service.js'
import { hex32, LiveCancelledError, type DeviceService } from '../device/device-service.js'
import { crc32 } from '../device/protocol/crc32.js'
import { ServiceError } from '../rpc/errors.js'
import type { EventBus } from '../rpc/events.js'
import type { TrainingService } from '../training/training-service.js'

export interface LoopServiceOptions {
  datasets: DatasetService
  training: TrainingService
  deploy: DeployService
  device: DeviceService
  events: EventBus
  /** How long to stream for the new model's first live prediction. */
  confirmTimeoutMs?: number
}

/** Windows of the new file checked in LiteRT.js and Arm NN (as the card's check does). */
const VERIFY_WINDOWS = 200
/** The dataset name for a version made from a run trained on a config given whole. */
const RETRAIN_DATASET = 'retrained'

/** A pipeline in progress on a port, and how to stop it. */
interface Pipeline {
  abort: AbortController
  stage: LoopStage
  runId: number | null
  done: Promise<unknown>
}

class Cancelled extends Error {}

/**
 * Retrain and flash in one go (docs/loop.md): today's labels → a new dataset version with the
 * settings of the model on the device (or the newest run) → a run with the same model config →
 * its int8 file → checked in LiteRT.js and Arm NN → compared with the device's model on the
 * test split → flashed → the device's own live predictions of it. One pipeline per port;
 * cancelled or failed, the device keeps its previous model.
 */
export class LoopService {
  readonly #opts: LoopServiceOptions
  readonly #pipelines = new Map<string, Pipeline>()

  constructor(opts: LoopServiceOptions) {
    this.#opts = opts
  }

  retrainAndFlash(port: string, force: boolean): Promise<LoopResult> {
    return this.#pipeline(port, (p) => this.#retrain(p, force))
  }

  flashAnyway(port: string, runId: number): Promise<LoopResult> {
    return this.#pipeline(port, async (p) => {
      const base = await this.#base(port)
      const old = base === null ? null : scoreOf(this.#opts.deploy.card(base))
      return this.#flashAndConfirm(p, base, old, scoreOf(this.#opts.deploy.card(runId)), runId, {
        datasetVersionId: this.#opts.training.summary(runId).datasetVersionId,
        runtimes: [],
      })
    })
  }

  async cancel(port: string): Promise<{ cancelled: boolean }> {
    const pipeline = this.#pipelines.get(port)
    if (!pipeline) return { cancelled: false }
    pipeline.abort.abort()
    if (pipeline.stage === 'training' && pipeline.runId !== null)
      this.#opts.training.cancel(pipeline.runId)
    if (pipeline.stage === 'flashing') await this.#opts.device.cancelFlash(port)
    await pipeline.done.catch(() => {})
    return { cancelled: true }
  }

  /** Cancels every pipeline (the app closing). */
  async close(): Promise<void> {
    await Promise.all([...this.#pipelines.keys()].map((port) => this.cancel(port)))
  }

  async #pipeline(port: string, work: (p: Run) => Promise<LoopResult>): Promise<LoopResult> {
    if (this.#pipelines.has(port))
      throw new ServiceError('BUSY', `Retrain and flash is already running on ${port}.`)
    const pipeline: Pipeline = {
      abort: new AbortController(),
      stage: 'dataset',
      runId: null,
      done: Promise.resolve(),
    }
    this.#pipelines.set(port, pipeline)
    const run = new Run(port, pipeline, this.#opts.events)
    const done = (async () => {
      try {
        return await work(run)
      } catch (err) {
        if (!(err instanceof Cancelled)) throw err
        return run.result({
          outcome: 'cancelled',
          stoppedAt: pipeline.stage,
          activeCrc32: await this.#activeCrc(port),
        })
      }
    })()
    pipeline.done = done
    try {
      return await done
    } finally {
      this.#pipelines.delete(port)
    }
  }

  async #retrain(p: Run, force: boolean): Promise<LoopResult> {
    const { datasets, training, deploy } = this.#opts
    // dataset: the base run's settings on the labels as they are now.
    p.enter('dataset', 'the labels as they are now')
    const base = (await this.#base(p.port)) ?? newestRun(training)
    if (base === null)
      throw new ServiceError('NOT_FOUND', 'There is no trained run to retrain: train one first.')
    const config = training.get(base).config
    const source =
      'version' in config.dataset
        ? datasets.get({ id: config.dataset.version })
        : { name: RETRAIN_DATASET, config: config.dataset }
    const version = datasets.save(source.name, source.config)
    p.set({ datasetVersionId: version.id })
    p.finish('dataset')

    // training: the same model and settings, in the trainer process.
    p.enter('training', 'starting the trainer')
    const runId = training.start({ ...config, dataset: { version: version.id } }).id
    p.pipeline.runId = runId
    await this.#train(p, runId)

    p.enter('quantizing', 'full int8')
    const next = scoreOf(deploy.card(runId))
    const old = scoreOf(deploy.card(base))
    p.set({ new: next, old, imageCrc32: hex32(crc32(deploy.image(runId))) })
    p.finish('quantizing')

    p.enter('verifying', `${VERIFY_WINDOWS} windows in LiteRT.js and Arm NN`)
    const verified = await deploy.verify(runId, VERIFY_WINDOWS)
    const runtimes = (verified.verification?.runtimes ?? []).map((r) => ({
      runtime: r.runtime,
      status: r.status,
    }))
    p.set({ runtimes })
    p.finish('verifying')
    const wrong = verified.verification?.runtimes.find(
      (r) => r.status === 'different' || r.status === 'failed',
    )
    if (wrong) {
      throw new ServiceError(
        'DEVICE',
        `The new model's file gives other outputs in ${wrong.runtime} (${wrong.status}${wrong.detail ? `: ${wrong.detail}` : ''}); it was not flashed, and the device keeps its model.`,
      )
    }
    p.check()

    p.enter('comparing', 'test split, new against the device')
    p.finish('comparing')
    if (!force && isWorse(next, old)) {
      return p.result({
        outcome: 'worse',
        stoppedAt: 'flashing',
        activeCrc32: await this.#activeCrc(p.port),
      })
    }
    return this.#flashAndConfirm(p, base, old, next, runId, {
      datasetVersionId: version.id,
      runtimes,
    })
  }

  /** Follows the run's progress until it ends; a cancel stops it within a batch. */
  async #train(p: Run, runId: number): Promise<void> {
    const { training, events } = this.#opts
    const unsubscribe = events.subscribe((event, payload) => {
      if (event !== 'training.onProgress') return
      const progress = payload as EventPayload<'training.onProgress'>
      if (progress.runId !== runId || progress.stage !== 'training') return
      const epochs = Math.max(progress.epochs, 1)
      const within = progress.batches > 0 ? progress.batch / progress.batches : 0
      p.progress(
        Math.min(1, (Math.max(progress.epoch, 1) - 1 + within) / epochs),
        `epoch ${Math.max(progress.epoch, 1)} of ${progress.epochs}`,
      )
    })
    // A cancel that came while the run was starting.
    if (p.pipeline.abort.signal.aborted) training.cancel(runId)
    try {
      await training.settled()
    } finally {
      unsubscribe()
    }
    const summary = training.summary(runId)
    if (summary.status === 'cancelled') throw new Cancelled()
    if (summary.status !== 'complete') {
      throw new ServiceError(
        'INTERNAL',
        `Training run ${runId} did not complete (${summary.status}${summary.error ? `: ${summary.error}` : ''}); the device keeps its model.`,
      )
    }
    p.finish('training')
  }

  async #flashAndConfirm(
    p: Run,
    base: number | null,
    old: LoopScore | null,
    next: LoopScore,
    runId: number,
    known: Pick<LoopResult, 'datasetVersionId' | 'runtimes'>,
  ): Promise<LoopResult> {
    const { deploy, device, events } = this.#opts
    p.pipeline.runId = runId
    const imageCrc32 = hex32(crc32(deploy.image(runId)))
    p.set({ ...known, old, new: next, imageCrc32 })

    p.enter('flashing', 'connecting')
    const unsubscribe = events.subscribe((event, payload) => {
      if (event !== 'device.onFlashProgress') return
      const flash = payload as EventPayload<'device.onFlashProgress'>
      if (flash.port !== p.port || flash.runId !== runId) return
      p.progress(
        flash.totalBytes > 0 ? flash.sentBytes / flash.totalBytes : 0,
        `${flash.stage === 'checking' ? 'the device checks the model' : flash.stage}, ${flash.sentBytes.toLocaleString('en-US')} of ${flash.totalBytes.toLocaleString('en-US')} bytes`,
      )
    })
    let flashed
    try {
      flashed = await device.flash(runId, p.port)
    } catch (err) {
      if (p.pipeline.abort.signal.aborted) throw new Cancelled()
      if (err instanceof ServiceError) throw err
      // The link broke in a way the client did not name (a write on a closed port, say).
      throw new ServiceError(
        'DEVICE',
        `The flash failed (${err instanceof Error ? err.message : String(err)}). The device keeps its previous model; check the cable and try again.`,
      )
    } finally {
      unsubscribe()
    }
    p.finish('flashing')
    p.set({ activeCrc32: flashed.activeCrc32 })

    p.enter('confirming', 'streaming, waiting for a prediction of the new model')
    try {
      const live = await device.confirmLive(p.port, imageCrc32, {
        timeoutMs: this.#opts.confirmTimeoutMs ?? 15_000,
        signal: p.pipeline.abort.signal,
      })
      p.finish('confirming')
      const classes = deploy.card(runId).classes
      const best = live.outputs.indexOf(Math.max(...live.outputs))
      return p.result({
        outcome: 'flashed',
        stoppedAt: null,
        live: {
          windowEndUs: live.windowEndUs,
          latencyUs: live.latencyUs,
          className: classes[best] ?? String(best),
        },
      })
    } catch (err) {
      if (err instanceof LiveCancelledError) throw new Cancelled()
      // It does not run as it should: the previous model goes back.
      if (base === null || base === runId) throw err
      const message = err instanceof Error ? err.message : String(err)
      await device.flash(base, p.port)
      throw new ServiceError(
        'DEVICE',
        `${message} Run ${base}'s model was flashed back; the device runs it again.`,
      )
    }
  }

  /** The run whose image is the device's active model, if the project has it. */
  async #base(port: string): Promise<number | null> {
    const { device, deploy, training } = this.#opts
    const hello = await device.info(port)
    const active = hello.active
    if (!active || active.state !== 'valid') return null
    // The slot names the run it was flashed from; its image must be the very bytes (another
    // project's run 3 is not this one's).
    const run = training.list().find((r) => r.id === active.modelId && r.status === 'complete')
    if (!run) return null
    try {
      return hex32(crc32(deploy.image(run.id))) === active.crc32 ? run.id : null
    } catch {
      return null // a run that cannot be quantized is on no device
    }
  }

  async #activeCrc(port: string): Promise<string | null> {
    try {
      return (await this.#opts.device.info(port)).active?.crc32 ?? null
    } catch {
      return null
    }
  }
}

/** One pipeline's stages and what it has learnt so far, with its progress events. */
class Run {
  readonly #events: EventBus
  readonly #started = performance.now()
  #stageStarted = performance.now()
  readonly #done: LoopStageTime[] = []
  #partial: Partial<LoopResult> = {}

  constructor(
    readonly port: string,
    readonly pipeline: Pipeline,
    events: EventBus,
  ) {
    this.#events = events
  }

  /** Throws once cancelled: checked between stages. */
  check(): void {
    if (this.pipeline.abort.signal.aborted) throw new Cancelled()
  }

  enter(stage: LoopStage, detail: string): void {
    this.check()
    this.pipeline.stage = stage
    this.#stageStarted = performance.now()
    this.progress(0, detail)
  }

  progress(fraction: number, detail: string): void {
    const event: LoopProgress = {
      port: this.port,
      stage: this.pipeline.stage,
      fraction,
      done: [...this.#done],
      runId: this.pipeline.runId,
      detail,
    }
    this.#events.emit('loop.onProgress', event)
  }

  finish(stage: LoopStage): void {
    if (!this.#done.some((d) => d.stage === stage)) {
      this.#done.push({ stage, seconds: (performance.now() - this.#stageStarted) / 1000 })
    }
    this.progress(1, 'done')
  }

  set(values: Partial<LoopResult>): void {
    this.#partial = { ...this.#partial, ...values }
  }

  result(values: Pick<LoopResult, 'outcome' | 'stoppedAt'> & Partial<LoopResult>): LoopResult {
    const p = { ...this.#partial, ...values }
    return {
      outcome: p.outcome ?? values.outcome,
      port: this.port,
      stoppedAt: p.stoppedAt ?? null,
      datasetVersionId: p.datasetVersionId ?? null,
      old: p.old ?? null,
      new: p.new ?? null,
      imageCrc32: p.imageCrc32 ?? null,
      activeCrc32: p.activeCrc32 ?? null,
      live: p.live ?? null,
      runtimes: p.runtimes ?? [],
      stages: [...this.#done],
      seconds: (performance.now() - this.#started) / 1000,
    }
  }
}

function scoreOf(card: ModelCard): LoopScore {
  return {
    runId: card.runId,
    testAccuracy: card.test?.int8Accuracy ?? null,
    testWindows: card.test?.windows ?? 0,
  }
}

function isWorse(next: LoopScore, old: LoopScore | null): boolean {
  if (!old || old.testAccuracy === null) return false
  return next.testAccuracy === null || next.testAccuracy < old.testAccuracy
}

function newestRun(training: TrainingService): number | null {
  const complete = training.list().filter((r) => r.status === 'complete')
  return complete.reduce<number | null>(
    (best, r) => (best === null || r.id > best ? r.id : best),
    null,
  )
}
