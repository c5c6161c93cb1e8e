/**
 * Datasets (see docs/dataset.md): windows over recordings, their labels, features and splits.
 */
import { z } from 'zod'
import { method, NoArgs } from './rpc.js'

export const DatasetSplitName = z.enum(['train', 'val', 'test'])
export type DatasetSplitName = z.infer<typeof DatasetSplitName>

/** What a dataset is made of; every field but the recordings has a sensible default. */
export const DatasetConfig = z
  .object({
    /** Which recordings: ids, or all those with a tag, or from a device (or all of them). */
    recordings: z
      .union([
        z.object({ ids: z.array(z.number().int()).min(1).max(100_000) }).strict(),
        z.object({ tag: z.string().min(1).max(64) }).strict(),
        z.object({ device: z.string().min(1).max(200) }).strict(),
        z.object({ all: z.literal(true) }).strict(),
      ])
      .default({ all: true }),
    windowMs: z.number().finite().min(1).max(3_600_000).default(1000),
    strideMs: z.number().finite().min(1).max(3_600_000).default(500),
    /** 'any' overlap, 'majority' (largest share), 'center' sample, or a minimum overlap fraction. */
    labelPolicy: z
      .union([
        z.enum(['any', 'majority', 'center']),
        z.object({ minOverlap: z.number().gt(0).max(1) }).strict(),
      ])
      .default('majority'),
    features: z
      .object({
        kind: z.enum(['raw', 'snapshot', 'stats', 'spectral']).default('stats'),
        /** spectral: equal-width bands from 0 Hz to half the stream's rate. */
        bands: z.number().int().min(1).max(256).default(8),
        /** raw: time steps per window; default the fastest stream's samples per window. */
        rawLength: z.number().int().min(1).max(65_536).optional(),
      })
      .strict()
      .default({ kind: 'stats', bands: 8 }),
    normalization: z
      .object({
        kind: z.enum(['standard', 'none']).default('standard'),
        /** Standard deviations below this are replaced by it (constant features). */
        stdFloor: z.number().positive().default(1e-6),
      })
      .strict()
      .default({ kind: 'standard', stdFloor: 1e-6 }),
    split: z
      .object({
        /**
         * 'tag': recordings tagged `testing` are the test split, the others are split into
         * training and validation (as Edge Impulse keeps its test set).
         */
        method: z.enum(['auto', 'recordings', 'blocks', 'random', 'tag']).default('auto'),
        /** train, validation, test; normalized to sum 1. */
        ratios: z
          .tuple([z.number().min(0), z.number().min(0), z.number().min(0)])
          .refine(([a, b, c]) => a > 0 && a + b + c > 0, 'The training ratio must be above 0.')
          .default([0.6, 0.2, 0.2]),
        seed: z.number().int().default(1),
      })
      .strict()
      .default({ method: 'auto', ratios: [0.6, 0.2, 0.2], seed: 1 }),
  })
  .strict()
export type DatasetConfigInput = z.input<typeof DatasetConfig>
export type DatasetConfig = z.output<typeof DatasetConfig>

/** What to plot for one feature (a histogram per class) or two (a subsampled scatter). */
export const DatasetFeatureView = z.union([
  z.object({ histogram: z.string().min(1), bins: z.number().int().min(2).max(200).default(20) }),
  z.object({ x: z.string().min(1), y: z.string().min(1) }).strict(),
])

export const DatasetWindow = z.object({
  recordingId: z.number().int(),
  startUs: z.number(),
  endUs: z.number(),
  classId: z.number().int(),
  split: DatasetSplitName,
})
export type DatasetWindow = z.infer<typeof DatasetWindow>

const CountsByClass = z.record(z.string(), z.number().int())

export const DatasetPreview = z.object({
  windows: z.array(DatasetWindow),
  /** Class names by id, for the classes the windows have. */
  classes: z.array(z.object({ id: z.number().int(), name: z.string() })),
  /** Windows per class name, and per split per class name. */
  byClass: CountsByClass,
  bySplit: z.object({ train: CountsByClass, val: CountsByClass, test: CountsByClass }),
  /** Windows left out, by reason: gap, purge (between splits), unlabeled. */
  dropped: z.record(z.string(), z.number().int()),
  /** The split method used ('auto' resolves to 'recordings' or 'blocks'). */
  splitMethod: z.enum(['recordings', 'blocks', 'random', 'tag']),
  featureNames: z.array(z.string()),
  warnings: z.array(z.string()),
  histogram: z
    .object({
      feature: z.string(),
      edges: z.array(z.number()),
      counts: z.record(z.string(), z.array(z.number().int())),
    })
    .optional(),
  scatter: z
    .object({
      x: z.string(),
      y: z.string(),
      points: z.array(z.tuple([z.number(), z.number(), z.number().int()])),
    })
    .optional(),
})
export type DatasetPreview = z.infer<typeof DatasetPreview>

/** Where the labels and samples of a dataset's recordings stood when it was saved. */
export const DatasetSnapshot = z.object({
  recordings: z.array(
    z.object({ id: z.number().int(), labelSeq: z.number().int(), samples: z.number().int() }),
  ),
})

export type DatasetSnapshot = z.infer<typeof DatasetSnapshot>

/** What was computed from a dataset when it was saved: features, normalization, counts. */
export const DatasetSummary = z.object({
  featureNames: z.array(z.string()),
  normalization: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).nullable(),
  byClass: CountsByClass,
  bySplit: z.object({ train: CountsByClass, val: CountsByClass, test: CountsByClass }),
})
export type DatasetSummary = z.infer<typeof DatasetSummary>

export const DatasetVersionInfo = z.object({
  id: z.number().int(),
  name: z.string(),
  version: z.number().int(),
  createdAt: z.number(),
  config: DatasetConfig,
  snapshot: DatasetSnapshot,
  ...DatasetSummary.shape,
  /** Labels or samples of its recordings changed since it was saved (or the selection did). */
  changed: z.boolean(),
})
export type DatasetVersionInfo = z.infer<typeof DatasetVersionInfo>

export const DatasetExportResult = z.object({
  path: z.string(),
  format: z.enum(['csv', 'npz']),
  /** The .json beside an .npz, naming its features, classes and splits. */
  sidecarPath: z.string().nullable(),
  preview: DatasetPreview,
})
export type DatasetExportResult = z.infer<typeof DatasetExportResult>

export const datasetMethods = {
  /** Windows, labels, splits, counts and warnings of a dataset config; nothing is saved. */
  'dataset.preview': method(
    z.object({ config: DatasetConfig, feature: DatasetFeatureView.optional() }).strict(),
    DatasetPreview,
  ),
  /** Saves a new version of the dataset `name` (version 1, 2, ...) with its normalization. */
  'dataset.save': method(
    z.object({ name: z.string().trim().min(1).max(100), config: DatasetConfig }).strict(),
    DatasetVersionInfo,
  ),
  /**
   * Writes every window with its label, split and features (before normalization) to `path`:
   * CSV, or `.npz` (NumPy arrays) with a `.json` sidecar. Nothing is saved in the project.
   */
  'dataset.export': method(
    z
      .object({
        config: DatasetConfig,
        path: z.string().min(1).max(4096),
        overwrite: z.boolean().default(false),
      })
      .strict(),
    DatasetExportResult,
  ),
  /** The newest version of every dataset, newest first. */
  'dataset.list': method(NoArgs, z.array(DatasetVersionInfo)),
  /** One version by id, or the newest of a name. */
  'dataset.get': method(
    z
      .object({ id: z.number().int().optional(), name: z.string().min(1).optional() })
      .strict()
      .refine((v) => (v.id === undefined) !== (v.name === undefined), {
        message: 'Give the dataset id or its name (one of them).',
      }),
    DatasetVersionInfo,
  ),
} as const

export const datasetEvents = {} as const
