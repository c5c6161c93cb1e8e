/**
 * What a device's model said during a recording (docs/loop.md, "Live on the device"): the
 * prediction tracks of a recording (one per model, by its image's CRC-32), their predictions over
 * a time range, and the live predictions of a recording in progress.
 */
import { z } from 'zod'
import { method } from './rpc.js'

/** A CRC-32 as 8 lowercase hex digits, as the device card shows it. */
const Crc32 = z.string().regex(/^[0-9a-f]{8}$/)

export const PredictionTrack = z.object({
  id: z.number().int(),
  recordingId: z.number().int(),
  modelCrc32: Crc32,
  /** The run whose image has that CRC, when the app knew it; null otherwise. */
  runId: z.number().int().nullable(),
  /** The classes in output order; empty when the model was unknown (raw outputs only). */
  classes: z.array(z.string()),
  /** The window the model classifies, µs; null when unknown. */
  windowUs: z.number().nullable(),
  count: z.number().int(),
  firstEndUs: z.number().nullable(),
  lastEndUs: z.number().nullable(),
})
export type PredictionTrack = z.infer<typeof PredictionTrack>

export const Prediction = z.object({
  /** End of the classified window on the recording's time axis, µs. */
  endUs: z.number(),
  /** The int8 output tensor as the device sent it. */
  outputs: z.array(z.number().int()),
  /** The class with the largest output, and its probability (dequantized); null if unknown. */
  classIndex: z.number().int().nullable(),
  probability: z.number().nullable(),
  score: z.number().nullable(),
  latencyUs: z.number().int(),
  instructions: z.number().int(),
})
export type Prediction = z.infer<typeof Prediction>

/** A model a live recording's predictions come from. */
export const PredictionModelInfo = z.object({
  modelCrc32: Crc32,
  runId: z.number().int().nullable(),
  classes: z.array(z.string()),
  windowUs: z.number().nullable(),
  /** The output tensor's quantization, to read every class's probability; null if unknown. */
  outputScale: z.number().nullable(),
  outputZeroPoint: z.number().int().nullable(),
  /** An anomaly model's threshold (its predictions carry scores); null for a classifier. */
  threshold: z.number().nullable().default(null),
})
export type PredictionModelInfo = z.infer<typeof PredictionModelInfo>

export const LivePredictions = z.object({
  recordingId: z.number().int(),
  /** The models seen so far in this recording. */
  models: z.array(PredictionModelInfo),
  /** New predictions since the last event, oldest first, each with its model's CRC. */
  predictions: z.array(Prediction.extend({ modelCrc32: Crc32 })),
  /** Predictions in the recording so far. */
  total: z.number().int(),
})
export type LivePredictions = z.infer<typeof LivePredictions>

/** At most this many predictions per range request (a day at 2 per second is 172,800). */
export const MAX_PREDICTIONS_PER_RANGE = 200_000

export const predictionsMethods = {
  'predictions.tracks': method(
    z.object({ recordingId: z.number().int() }).strict(),
    z.array(PredictionTrack),
  ),
  /** The predictions of a track whose windows end between two times (the timeline's range). */
  'predictions.range': method(
    z
      .object({ trackId: z.number().int(), fromUs: z.number().finite(), toUs: z.number().finite() })
      .strict()
      .refine((v) => v.toUs >= v.fromUs, {
        message: 'toUs must not be before fromUs',
        path: ['toUs'],
      }),
    z.object({ track: PredictionTrack, predictions: z.array(Prediction), truncated: z.boolean() }),
  ),
} as const

export const predictionsEvents = {
  /** New predictions of a recording in progress, with capture.onStatus (four times a second). */
  'predictions.onLive': LivePredictions,
} as const
