/**
 * Deploying a trained run (see docs/tflite.md and docs/deploy.md): its full-int8 TFLite model,
 * what that model is (size, arena, speed, accuracy measured on its own bytes), the check in
 * independent runtimes, and the exports for a device.
 */
import { z } from 'zod'
import { method } from './rpc.js'
import { BoardId } from './training.js'

/**
 * `tflite`: the model file. `c`: C header and source with the features. `arduino`: a library.
 * `image`: the model image TinyLoop firmware is flashed with (docs/protocol.md).
 */
export const ModelExportFormat = z.enum(['tflite', 'c', 'arduino', 'bundle', 'image'])
export type ModelExportFormat = z.infer<typeof ModelExportFormat>

export const QuantizationInfo = z.object({
  scale: z.number(),
  zeroPoint: z.number().int(),
  shape: z.array(z.number().int()),
})

/** The float model against the int8 file on the same windows. */
export const Int8Accuracy = z.object({
  windows: z.number().int(),
  floatAccuracy: z.number(),
  int8Accuracy: z.number(),
  /** The share of windows where both pick the same class (top-1 agreement). */
  agreement: z.number(),
})
export type Int8Accuracy = z.infer<typeof Int8Accuracy>

export const BoardFitPlan = z.object({
  id: BoardId,
  name: z.string(),
  /** What the board has for the application. */
  flashBytes: z.number().int(),
  ramBytes: z.number().int(),
  /** What the model needs there with the firmware around it (see docs/deploy.md). */
  neededFlashBytes: z.number().int(),
  neededRamBytes: z.number().int(),
  fits: z.boolean(),
  problem: z.string().nullable(),
  /** An estimate from the MACs and a stated cycles-per-MAC figure; not a measurement. */
  estimatedLatencyMs: z.number(),
})

export const RuntimeCheck = z.object({
  runtime: z.enum(['LiteRT.js', 'Arm NN']),
  /** identical: the same int8 output bytes as TinyLoop's interpreter on every window. */
  status: z.enum(['identical', 'different', 'unavailable', 'failed']),
  windows: z.number().int(),
  detail: z.string().nullable(),
})

/** A check of one file's bytes (by its SHA-256) in independent TFLite runtimes. */
export const Verification = z.object({
  sha256: z.string(),
  checkedAt: z.number(),
  windows: z.number().int(),
  runtimes: z.array(RuntimeCheck),
})
export type Verification = z.infer<typeof Verification>

/** A run's int8 model as it would go to a device. */
export const ModelCard = z.object({
  runId: z.number().int(),
  classes: z.array(z.string()),
  file: z.object({ bytes: z.number().int(), sha256: z.string() }),
  arena: z.object({
    /** Planned: activations placed by lifetime, plus the stated overhead. */
    bytes: z.number().int(),
    activationBytes: z.number().int(),
    lowerBoundBytes: z.number().int(),
    overheadBytes: z.number().int(),
  }),
  macs: z.number().int(),
  ops: z.array(z.string()),
  input: QuantizationInfo,
  output: QuantizationInfo,
  calibrationWindows: z.number().int(),
  /** Measured on the run's held-out windows, the int8 side by running the file's bytes. */
  val: Int8Accuracy.nullable(),
  test: Int8Accuracy.nullable(),
  boards: z.array(BoardFitPlan),
  /** The newest check of exactly this file; null until one was made. */
  verification: Verification.nullable(),
  /** The run's dataset changed since it trained: the held-out windows are today's. */
  datasetChanged: z.boolean(),
})
export type ModelCard = z.infer<typeof ModelCard>

/** What TinyLoop's reader sees in a .tflite (the weights' bytes left out). */
export const InspectedModel = z.object({
  version: z.number().int(),
  description: z.string(),
  sizeBytes: z.number().int(),
  subgraphs: z.number().int(),
  operatorCodes: z.array(
    z.object({
      builtinCode: z.number().int(),
      name: z.string(),
      deprecatedBuiltinCode: z.number().int(),
      version: z.number().int(),
      customCode: z.string().nullable(),
    }),
  ),
  inputs: z.array(z.number().int()),
  outputs: z.array(z.number().int()),
  tensors: z.array(
    z.object({
      name: z.string(),
      shape: z.array(z.number().int()),
      shapeSignature: z.array(z.number().int()).nullable(),
      type: z.string(),
      buffer: z.number().int(),
      quantization: z
        .object({
          scale: z.array(z.number()),
          zeroPoint: z.array(z.number()),
          quantizedDimension: z.number().int(),
        })
        .nullable(),
    }),
  ),
  operators: z.array(
    z.object({
      name: z.string(),
      opcodeIndex: z.number().int(),
      inputs: z.array(z.number().int()),
      outputs: z.array(z.number().int()),
      /** The options the interpreter reads (strides, padding, fused activation, ...). */
      options: z.record(z.string(), z.unknown()),
    }),
  ),
  bufferBytes: z.array(z.number().int()),
})
export type InspectedModel = z.infer<typeof InspectedModel>

const RunRef = z.number().int({ error: 'runId must be a run id.' })
const FilePath = z.string().min(1).max(4096)

export const deployMethods = {
  /** The run's int8 model card (quantizing the run the first time). */
  'deploy.card': method(z.object({ runId: RunRef }).strict(), ModelCard),
  /**
   * Runs the exported bytes in LiteRT.js and Arm NN (those installed here) on held-out windows
   * and compares their int8 outputs with TinyLoop's own; the card then carries the result.
   */
  'deploy.verify': method(
    z.object({ runId: RunRef, windows: z.number().int().min(1).max(5000).default(200) }).strict(),
    ModelCard,
  ),
  /** Writes an export: `tflite` and `arduino` (.zip) to a file, `c` and `bundle` into a folder. */
  'deploy.export': method(
    z
      .object({
        runId: RunRef,
        format: ModelExportFormat,
        path: FilePath,
        overwrite: z.boolean().default(false),
      })
      .strict(),
    z.object({ format: ModelExportFormat, path: z.string(), files: z.array(z.string()) }),
  ),
  /** An export as bytes, for a browser to download (folders come zipped). */
  'deploy.download': method(
    z.object({ runId: RunRef, format: ModelExportFormat }).strict(),
    z.object({ fileName: z.string(), base64: z.string(), bytes: z.number().int() }),
  ),
  /** A native save dialog (desktop) for an export; null when cancelled. */
  'deploy.pickExportPath': method(
    z.object({ format: ModelExportFormat, suggestedName: z.string().max(200) }).strict(),
    z.string().nullable(),
  ),
  /**
   * The int8 model of a run on the windows of a `tinyloop windows --out` CSV (its features, in
   * the run's order): per window the output bytes and the class.
   */
  /**
   * A run on the windows of a `tinyloop windows --out` CSV: a classifier's int8 outputs and class;
   * an anomaly model's score and flag (`anomalous`: the score is over `threshold`).
   */
  'deploy.predict': method(
    z.object({ runId: RunRef, path: FilePath }).strict(),
    z.object({
      kind: z.enum(['classifier', 'anomaly']),
      classes: z.array(z.string()),
      threshold: z.number().nullable(),
      windows: z.array(
        z.object({
          line: z.number().int(),
          /** The int8 output tensor; empty for an anomaly model. */
          output: z.array(z.number().int()),
          classIndex: z.number().int(),
          /** The class; an anomaly model's `anomaly`, or its normal classes joined. */
          className: z.string(),
          score: z.number().nullable(),
          anomalous: z.boolean().nullable(),
        }),
      ),
    }),
  ),
  /** What TinyLoop's reader sees in any .tflite file: operators, tensors, quantization, sizes. */
  'tflite.inspect': method(z.object({ path: FilePath }).strict(), InspectedModel),
} as const

export const deployEvents = {} as const
