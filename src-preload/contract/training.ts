/**
 * Training (see docs/training.md): models sized for microcontrollers, runs in a background
 * process with live progress, their curves, evaluation and stored weights.
 */
import { z } from 'zod'
import { DatasetConfig } from './dataset.js'
import { method, NoArgs } from './rpc.js'

const Activation = z.enum(['relu', 'relu6', 'tanh', 'linear'])
const L2 = z.number().min(0).max(1)

/** One layer of a model; the output layer (one unit per class, softmax) is added after them. */
export const LayerSpec = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('dense'),
      units: z.number().int().min(1).max(1024),
      activation: Activation.default('relu'),
      l2: L2.default(0),
    })
    .strict(),
  z
    .object({
      type: z.literal('conv1d'),
      filters: z.number().int().min(1).max(256),
      kernelSize: z.number().int().min(1).max(64),
      activation: Activation.default('relu'),
      l2: L2.default(0),
    })
    .strict(),
  z.object({ type: z.literal('maxPool1d'), poolSize: z.number().int().min(2).max(64) }).strict(),
  z.object({ type: z.literal('avgPool1d'), poolSize: z.number().int().min(2).max(64) }).strict(),
  z.object({ type: z.literal('globalAvgPool1d') }).strict(),
  z.object({ type: z.literal('flatten') }).strict(),
  z.object({ type: z.literal('dropout'), rate: z.number().min(0).max(0.9) }).strict(),
])
export type LayerSpec = z.output<typeof LayerSpec>
export type LayerSpecInput = z.input<typeof LayerSpec>

export const ModelPreset = z.enum(['dense', 'conv1d'])
export type ModelPreset = z.infer<typeof ModelPreset>

/**
 * How an anomaly model's threshold is set (docs/anomaly.md): a percentile of the normal
 * validation windows' scores (the 99th: about 1% false alarms), or where anomalies are labeled
 * the score that maximizes F1 on validation.
 */
export const ThresholdSpec = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('percentile'),
      percentile: z.number().min(50).max(100).default(99),
    })
    .strict(),
  z.object({ kind: z.literal('f1') }).strict(),
])
export type ThresholdSpec = z.output<typeof ThresholdSpec>

/** An anomaly model's method: a dense autoencoder's reconstruction error, or a Gaussian's distance. */
export const AnomalyMethod = z.enum(['autoencoder', 'gaussian'])
export type AnomalyMethod = z.infer<typeof AnomalyMethod>

/**
 * A classifier: a preset, or a preset whose layers were edited (`layers` replaces the preset's).
 * An anomaly model (`kind: 'anomaly'`): trained on the windows of the normal classes only (by
 * default the project's default class), scored, and thresholded (docs/anomaly.md).
 */
export const ModelSpec = z
  .object({
    kind: z.enum(['classifier', 'anomaly']).optional(),
    preset: ModelPreset.optional(),
    layers: z.array(LayerSpec).min(0).max(32).optional(),
    /** Anomaly models: the method (the Gaussian by default). */
    method: AnomalyMethod.optional(),
    /** Anomaly models: the classes of normal running, by name. */
    normalClasses: z.array(z.string().min(1).max(64)).min(1).max(64).optional(),
    threshold: ThresholdSpec.optional(),
    /** The Gaussian's covariance shrinkage (0 to 1); Ledoit-Wolf's estimate when absent. */
    shrinkage: z.number().min(0).max(1).optional(),
  })
  .strict()
export type ModelSpec = z.output<typeof ModelSpec>

export const BoardId = z.enum(['nano33ble', 'esp32', 'pico', 'samd21'])
export type BoardId = z.infer<typeof BoardId>

export const TrainingSettings = z
  .object({
    epochs: z.number().int().min(1).max(1000).default(60),
    batchSize: z.number().int().min(1).max(4096).default(32),
    learningRate: z.number().gt(0).max(1).default(0.002),
    seed: z.number().int().default(1),
    earlyStopping: z
      .object({
        enabled: z.boolean().default(true),
        /** Epochs without a better validation loss before stopping. */
        patience: z.number().int().min(1).max(200).default(10),
      })
      .strict()
      .default({ enabled: true, patience: 10 }),
    /** 'auto': weights inverse to class frequency when the largest class is 1.5× the smallest. */
    classWeights: z.enum(['auto', 'none']).default('auto'),
    /** On the training split only; amounts are in normalized units (standard deviations). */
    augmentation: z
      .object({
        noise: z.number().min(0).max(2).default(0),
        /** Amplitude scaled by a factor in [1 - scale, 1 + scale] per window. */
        scale: z.number().min(0).max(0.9).default(0),
        /** Raw windows: shifted in time by up to this share of the window, wrapping around. */
        shift: z.number().min(0).max(0.5).default(0),
      })
      .strict()
      .default({ noise: 0, scale: 0, shift: 0 }),
  })
  .strict()
export type TrainingSettings = z.output<typeof TrainingSettings>

/** What to train: a saved dataset version (or a dataset config given whole), a model, settings. */
export const TrainConfig = z
  .object({
    dataset: z.union([z.object({ version: z.number().int() }).strict(), DatasetConfig]),
    model: ModelSpec.default({}),
    training: TrainingSettings.default(TrainingSettings.parse({})),
    board: BoardId.default('nano33ble'),
  })
  .strict()
export type TrainConfig = z.output<typeof TrainConfig>
export type TrainConfigInput = z.input<typeof TrainConfig>

export const BoardFit = z.object({
  id: BoardId,
  name: z.string(),
  flashBytes: z.number().int(),
  ramBytes: z.number().int(),
  fits: z.boolean(),
  /** Why not, in words, when it does not fit. */
  problem: z.string().nullable(),
})

/** Size of a model before training: exact parameters, flash and RAM estimated (int8). */
export const ModelEstimate = z.object({
  inputShape: z.array(z.number().int()),
  classes: z.array(z.string()),
  layers: z.array(
    z.object({
      type: z.string(),
      outputShape: z.array(z.number().int()),
      params: z.number().int(),
    }),
  ),
  params: z.number().int(),
  /** Estimated: int8 weights, int32 biases, the model file's structure, the firmware. */
  flashBytes: z.number().int(),
  /** Estimated: the two largest neighbouring activations in int8, the window, the stack. */
  ramBytes: z.number().int(),
  boards: z.array(BoardFit),
  /** A model that cannot be built for this data (a kernel longer than the window, say). */
  problems: z.array(z.string()),
  /** It trains, but something later will not work: a tanh layer cannot go to int8, say. */
  warnings: z.array(z.string()).default([]), // runs stored before it have none
})
export type ModelEstimate = z.infer<typeof ModelEstimate>

export const RunStatus = z.enum([
  'queued',
  'running',
  'complete',
  'failed',
  'cancelled',
  'interrupted',
])

export const EpochPoint = z.object({
  epoch: z.number().int(),
  loss: z.number(),
  accuracy: z.number(),
  valLoss: z.number().nullable(),
  valAccuracy: z.number().nullable(),
  seconds: z.number(),
})
export type EpochPoint = z.infer<typeof EpochPoint>

/** In words: how the curves look, and what to try. */
export const Diagnosis = z.object({
  kind: z.enum(['learning', 'converged', 'overfitting', 'underfitting']),
  message: z.string(),
})
export type Diagnosis = z.infer<typeof Diagnosis>

export const ClassMetrics = z.object({
  className: z.string(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  support: z.number().int(),
})

export const SplitMetrics = z.object({
  accuracy: z.number(),
  loss: z.number(),
  windows: z.number().int(),
  perClass: z.array(ClassMetrics),
  /** Rows are the true class, columns the predicted one, in `classes` order. */
  confusion: z.object({ classes: z.array(z.string()), matrix: z.array(z.array(z.number().int())) }),
})
export type SplitMetrics = z.infer<typeof SplitMetrics>

export const MisclassifiedWindow = z.object({
  recordingId: z.number().int(),
  startUs: z.number(),
  endUs: z.number(),
  trueClass: z.string(),
  predictedClass: z.string(),
  confidence: z.number(),
})

const AnomalySplitMetrics = z.object({
  normalWindows: z.number().int(),
  anomalousWindows: z.number().int(),
  /** Null without both kinds of window. */
  auc: z.number().nullable(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  falseAlarmsPerHour: z.number(),
  falseAlarmRate: z.number(),
})

/** An anomaly run's evaluation: its threshold and how it was set, validation and test, curves. */
export const AnomalyReport = z.object({
  method: AnomalyMethod,
  normalClasses: z.array(z.string()),
  /** Windows the model trained on: the training split's normal ones. */
  trainWindows: z.number().int(),
  /** Windows the dataset's label policy calls normal but a fault label touches: left out. */
  ambiguousWindows: z.number().int().default(0),
  threshold: z.number(),
  thresholdKind: z.enum(['percentile', 'f1']),
  /** Why the threshold was set otherwise than asked (no anomalies to tune F1 on, say). */
  thresholdNote: z.string().nullable(),
  val: AnomalySplitMetrics,
  test: AnomalySplitMetrics,
  /** The test split's ROC curve; null without labeled anomalies in test. */
  roc: z.object({ fpr: z.array(z.number()), tpr: z.array(z.number()) }).nullable(),
  /** Validation and test scores, normal against anomalous, in equal (or log-spaced) bins. */
  histogram: z.object({
    edges: z.array(z.number()),
    scale: z.enum(['linear', 'log']).default('linear'),
    normal: z.array(z.number().int()),
    anomalous: z.array(z.number().int()),
  }),
  /** The Gaussian's covariance shrinkage; null for the autoencoder. */
  shrinkage: z.number().nullable(),
  /**
   * The autoencoder: its evaluation is of its int8 model's scores (the device's), and this is
   * the float model's test AUC beside them; null for the Gaussian (no int8 model).
   */
  floatTestAuc: z.number().nullable().default(null),
})
export type AnomalyReport = z.infer<typeof AnomalyReport>

export const RunSummary = z.object({
  id: z.number().int(),
  createdAt: z.number(),
  status: RunStatus,
  preset: z.string(),
  datasetVersionId: z.number().int().nullable(),
  datasetName: z.string().nullable(),
  epochs: z.number().int(),
  bestEpoch: z.number().int().nullable(),
  params: z.number().int(),
  valAccuracy: z.number().nullable(),
  testAccuracy: z.number().nullable(),
  seconds: z.number().nullable(),
  error: z.string().nullable(),
  /** The dataset's labels or samples changed since the run trained on it. */
  datasetChanged: z.boolean(),
  /** A classifier, or an anomaly model (whose scores are AUC and F1, not accuracy). */
  kind: z.enum(['classifier', 'anomaly']).default('classifier'),
  /** Anomaly runs: the test split's AUC (null without anomalies there), F1 and false alarms. */
  anomaly: z
    .object({
      method: AnomalyMethod,
      testAuc: z.number().nullable(),
      testF1: z.number(),
      falseAlarmsPerHour: z.number(),
    })
    .nullable()
    .default(null),
})
export type RunSummary = z.infer<typeof RunSummary>

export const RunDetail = RunSummary.extend({
  config: TrainConfig,
  classes: z.array(z.string()),
  classWeights: z.array(z.number()).nullable(),
  estimate: ModelEstimate.nullable(),
  curves: z.array(EpochPoint),
  diagnosis: Diagnosis.nullable(),
  metrics: z.object({ val: SplitMetrics.nullable(), test: SplitMetrics.nullable() }),
  /** Test windows the model got wrong, most confident first (at most 200). */
  misclassified: z.array(MisclassifiedWindow),
  /** Anomaly runs: the evaluation; null for classifiers. */
  anomalyReport: AnomalyReport.nullable().default(null),
})
export type RunDetail = z.infer<typeof RunDetail>

export const TrainingProgress = z.object({
  runId: z.number().int(),
  stage: z.enum(['preparing', 'training', 'evaluating', 'done']),
  epoch: z.number().int(),
  epochs: z.number().int(),
  /** Batches done in this epoch, of `batches`. */
  batch: z.number().int(),
  batches: z.number().int(),
  elapsedS: z.number(),
  etaS: z.number().nullable(),
  /** Epochs that ended since the last event, oldest first. */
  points: z.array(EpochPoint),
  diagnosis: Diagnosis.nullable(),
})
export type TrainingProgress = z.infer<typeof TrainingProgress>

export const trainingMethods = {
  /** Sizes the model for the dataset before training: parameters, flash and RAM per board. */
  'training.estimate': method(
    z
      .object({
        dataset: TrainConfig.shape.dataset,
        model: ModelSpec.default({}),
        board: BoardId.default('nano33ble'),
      })
      .strict(),
    ModelEstimate,
  ),
  /** Starts a run in the background; one at a time per project. Progress comes as events. */
  'training.start': method(TrainConfig, RunSummary),
  /** Stops the run in progress within one batch; it is kept as cancelled. */
  'training.cancel': method(z.object({ runId: z.number().int() }).strict(), RunSummary),
  /** Every run, newest first. */
  'runs.list': method(NoArgs, z.array(RunSummary)),
  'runs.get': method(z.object({ id: z.number().int() }).strict(), RunDetail),
} as const

export const trainingEvents = {
  /** A run in progress, at most 4 times a second and at each epoch's end. */
  'training.onProgress': TrainingProgress,
  /** A run started, ended or was changed. */
  'runs.onChanged': z.object({ runId: z.number().int(), status: RunStatus }),
} as const
