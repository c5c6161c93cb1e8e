/**
 * Closing the loop in one click (docs/loop.md): the labels as they are now become a new dataset
 * version with the last settings, a run trains on it with the same model, its int8 file is
 * checked in LiteRT.js and Arm NN, flashed, and the device's live predictions confirm it runs.
 */
import { z } from 'zod'
import { method } from './rpc.js'

export const LoopStage = z.enum([
  'dataset',
  'training',
  'quantizing',
  'verifying',
  'comparing',
  'flashing',
  'confirming',
])
export type LoopStage = z.infer<typeof LoopStage>
/** Every stage, in the order they run. */
export const LOOP_STAGES = LoopStage.options

const Crc32 = z.string().regex(/^[0-9a-f]{8}$/)
const Port = z.string().min(1).max(4096)

export const LoopStageTime = z.object({ stage: LoopStage, seconds: z.number() })
export type LoopStageTime = z.infer<typeof LoopStageTime>

/** A model's int8 accuracy on its run's test split (the card's `test.int8Accuracy`). */
export const LoopScore = z.object({
  runId: z.number().int(),
  testAccuracy: z.number().nullable(),
  testWindows: z.number().int(),
})
export type LoopScore = z.infer<typeof LoopScore>

export const LoopResult = z.object({
  /**
   * `flashed`: the device runs the new model and its live predictions came; `worse`: stopped
   * before flashing, the new model scores lower than the device's (flash it with
   * `loop.flashAnyway`); `cancelled`: stopped at `stoppedAt`, the device keeps its model.
   */
  outcome: z.enum(['flashed', 'worse', 'cancelled']),
  port: z.string(),
  /** The stage that was running when it was cancelled, or the stage it stopped before. */
  stoppedAt: LoopStage.nullable(),
  datasetVersionId: z.number().int().nullable(),
  /** The model on the device before, and the new run (null when cancelled before training). */
  old: LoopScore.nullable(),
  new: LoopScore.nullable(),
  /** The new run's model image. */
  imageCrc32: Crc32.nullable(),
  /** The device's active model when the pipeline ended. */
  activeCrc32: Crc32.nullable(),
  /** The live prediction that confirmed the new model: its window's end and latency. */
  live: z
    .object({
      windowEndUs: z.number(),
      latencyUs: z.number(),
      className: z.string(),
    })
    .nullable(),
  /** LiteRT.js and Arm NN on the new file, as `deploy.verify` reports them. */
  runtimes: z.array(z.object({ runtime: z.string(), status: z.string() })),
  stages: z.array(LoopStageTime),
  seconds: z.number(),
})
export type LoopResult = z.infer<typeof LoopResult>

export const LoopProgress = z.object({
  port: z.string(),
  stage: LoopStage,
  /** How far the stage is, 0 to 1. */
  fraction: z.number(),
  /** The stages finished so far, with their seconds. */
  done: z.array(LoopStageTime),
  /** The new run, once training started. */
  runId: z.number().int().nullable(),
  /** A few words on the stage ("epoch 3 of 30", "2,044 of 4,880 bytes"). */
  detail: z.string(),
})
export type LoopProgress = z.infer<typeof LoopProgress>

export const loopMethods = {
  /**
   * Retrains on today's labels with the settings of the model on the device on `port` (or the
   * newest run) and flashes the new model if it scores no worse on its test split (or `force`).
   * A failure rejects in words; the device keeps its previous model.
   */
  'loop.retrainAndFlash': method(
    z.object({ port: Port, force: z.boolean().default(false) }).strict(),
    LoopResult,
  ),
  /** After a `worse` stop: flashes that run anyway and confirms its live predictions. */
  'loop.flashAnyway': method(
    z.object({ port: Port, runId: z.number().int() }).strict(),
    LoopResult,
  ),
  /** Cancels the pipeline on `port` at whatever stage it is; resolves once it has stopped. */
  'loop.cancel': method(z.object({ port: Port }).strict(), z.object({ cancelled: z.boolean() })),
} as const

export const loopEvents = {
  /** The pipeline's stage and how far it is. */
  'loop.onProgress': LoopProgress,
} as const
