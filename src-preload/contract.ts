/**
 * The one typed description of everything the UI can ask (methods) and hear (events).
 *
 * Main registers one validated handler per method, the preload exposes only these names, the web
 * transport carries the same messages over a WebSocket, and the renderer imports the types. This
 * file imports nothing environment-specific: it runs in main, the preload, the CLI and (as types)
 * the renderer.
 */
import { z } from 'zod'
import { formatBytes, MAX_LABEL_FILE_BYTES } from './limits.js'

// ---------------------------------------------------------------------------------------------
// Shared shapes

export const ProjectInfo = z.object({
  path: z.string(),
  name: z.string(),
  schemaVersion: z.number().int(),
  recordings: z.number().int(),
  createdAt: z.number().nullable(),
  /** Open read-only (TinyLoop may not write the file or its folder): changes are refused. */
  readOnly: z.boolean(),
})
export type ProjectInfo = z.infer<typeof ProjectInfo>

export const RecentProject = z.object({
  path: z.string(),
  name: z.string(),
  openedAt: z.number(),
  exists: z.boolean(),
})
export type RecentProject = z.infer<typeof RecentProject>

export const RecordingStatus = z.enum(['recording', 'complete', 'interrupted', 'imported'])
export type RecordingStatus = z.infer<typeof RecordingStatus>

export const RecordingSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  device: z.string().nullable(),
  notes: z.string(),
  tags: z.array(z.string()),
  startedAt: z.number().nullable(),
  status: RecordingStatus,
  streams: z.number().int(),
  channels: z.array(z.string()),
  samples: z.number().int(),
  durationS: z.number(),
  rateHz: z.number().nullable(),
  labels: z.number().int(),
})
export type RecordingSummary = z.infer<typeof RecordingSummary>

export const StreamInfo = z.object({
  id: z.number().int(),
  name: z.string(),
  rateHz: z.number(),
  channels: z.array(z.object({ name: z.string(), unit: z.string().nullable() })),
  samples: z.number().int(),
  /** Times of the first and last sample, µs since the recording started; null when empty. */
  firstUs: z.number().nullable(),
  lastUs: z.number().nullable(),
})
export type StreamInfo = z.infer<typeof StreamInfo>

export const RecordingDetail = RecordingSummary.extend({
  streams: z.array(StreamInfo),
  defaultClassId: z.number().int().nullable(),
})
export type RecordingDetail = z.infer<typeof RecordingDetail>

/**
 * A stream between two times, thinned for a chart of `pixels` columns: min/max/mean per bucket
 * (bucket x channel), or raw samples (level -1, min = max = mean) when zoomed in far enough.
 */
export const TimelineSlice = z.object({
  streamId: z.number().int(),
  level: z.number().int(),
  channelCount: z.number().int(),
  t0: z.array(z.number()),
  t1: z.array(z.number()),
  min: z.array(z.number()),
  max: z.array(z.number()),
  mean: z.array(z.number()),
})
export type TimelineSlice = z.infer<typeof TimelineSlice>

export const AppInfo = z.object({
  version: z.string(),
  mode: z.enum(['desktop', 'web']),
  platform: z.string(),
  /** Whether the host can show native open/save dialogs (desktop only). */
  nativeDialogs: z.boolean(),
  userDataDir: z.string(),
  defaultProjectPath: z.string(),
})
export type AppInfo = z.infer<typeof AppInfo>

export const TextFormatChoice = z.enum(['auto', 'csv', 'plotter'])

export const DeviceSettings = z.object({
  baudRate: z.number().int(),
  format: TextFormatChoice,
  rateHz: z.number().nullable(),
})

export const DeviceInfo = z.object({
  /** What to pass to capture.start: the port path, or 'demo'. */
  id: z.string(),
  kind: z.enum(['serial', 'demo']),
  path: z.string().nullable(),
  label: z.string(),
  manufacturer: z.string().nullable(),
  vendorId: z.string().nullable(),
  productId: z.string().nullable(),
  serialNumber: z.string().nullable(),
  /** The settings last used with this device (by serial number), if any. */
  settings: DeviceSettings.nullable(),
  /** Being recorded right now. */
  busy: z.boolean(),
})
export type DeviceInfo = z.infer<typeof DeviceInfo>

export const CaptureStart = z
  .object({
    deviceId: z.string().min(1).max(4096),
    baudRate: z.number().int().min(50).max(20_000_000).optional(),
    format: TextFormatChoice.optional(),
    /** Declared rate; measured from the data when absent. */
    rateHz: z.number().positive().max(1_000_000).optional(),
    name: z.string().max(200).optional(),
    notes: z.string().max(20_000).optional(),
    tags: z.array(z.string().min(1).max(64)).max(32).optional(),
    durationS: z.number().positive().optional(),
    idleStopS: z.number().positive().optional(),
    /** Demo device only: the simulated machine's seed. */
    seed: z.number().int().optional(),
  })
  .strict()
export type CaptureStart = z.input<typeof CaptureStart>

export const CaptureStatus = z.object({
  recordingId: z.number().int(),
  /** The device id given to capture.start. */
  deviceId: z.string(),
  state: z.enum(['detecting', 'recording', 'paused', 'stopped']),
  device: z.string(),
  connection: z.enum(['connected', 'waiting', 'closed']),
  problem: z.string().nullable(),
  format: z.enum(['csv', 'plotter']).nullable(),
  channels: z.array(z.string()),
  rateHz: z.number().nullable(),
  measuredHz: z.number().nullable(),
  samples: z.number().int(),
  rejected: z.number().int(),
  rejectedBy: z.record(z.string(), z.number().int()),
  gaps: z.number().int(),
  durationS: z.number(),
  elapsedS: z.number(),
})
export type CaptureStatus = z.infer<typeof CaptureStatus>

export const LiveFrame = z.object({
  channels: z.number().int(),
  bucketSamples: z.number().int(),
  firstSample: z.number().int(),
  min: z.array(z.number()),
  max: z.array(z.number()),
})
export type LiveFrame = z.infer<typeof LiveFrame>

export const ImportOutcome = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    file: z.string(),
    recordingId: z.number().int(),
    name: z.string(),
    samples: z.number().int(),
    channels: z.array(z.string()),
    rateHz: z.number(),
    durationS: z.number(),
  }),
  z.object({
    ok: z.literal(false),
    file: z.string(),
    error: z.string(),
    line: z.number().int().nullable(),
  }),
])
export type ImportOutcome = z.infer<typeof ImportOutcome>

export const ImportProgress = z.object({
  file: z.string(),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  filesDone: z.number().int(),
  filesTotal: z.number().int(),
})
export type ImportProgress = z.infer<typeof ImportProgress>

export const ExportFormat = z.enum(['csv', 'ei'])
export type ExportFormat = z.infer<typeof ExportFormat>

// Labels (see docs/labels.md). Times are µs since the recording started.

/** The key (1-9) that picks a class on the timeline. */
export const Hotkey = z.enum(['1', '2', '3', '4', '5', '6', '7', '8', '9'], {
  error: 'A class key is one of the digits 1 to 9.',
})

export const LabelClassInfo = z.object({
  id: z.number().int(),
  name: z.string(),
  /** "#rrggbb", from the Okabe-Ito palette unless the user chose another. */
  color: z.string(),
  /** '1'..'9', or null. */
  hotkey: z.string().nullable(),
  sortOrder: z.number().int(),
  /** Labels of this class, in all recordings, and the recordings they are in. */
  labels: z.number().int(),
  recordings: z.number().int(),
  /** The project's default class (that of recordings which do not choose their own). */
  isDefault: z.boolean(),
})
export type LabelClassInfo = z.infer<typeof LabelClassInfo>

export const ClassSettings = z.object({
  /** Imports refuse classes the project does not have (instead of adding them). */
  locked: z.boolean(),
  /** The project's default class, e.g. "normal". */
  defaultClassId: z.number().int().nullable(),
})
export type ClassSettings = z.infer<typeof ClassSettings>

export const LabelInfo = z.object({
  id: z.number().int(),
  recordingId: z.number().int(),
  classId: z.number().int(),
  /** [startUs, endUs): both on sample times (or endUs at the end of the recording). */
  startUs: z.number(),
  endUs: z.number(),
})
export type LabelInfo = z.infer<typeof LabelInfo>

/** The labels of one recording, as every label method returns them. */
export const LabelList = z.object({
  recordingId: z.number().int(),
  /** The class of the time no label covers, e.g. "normal"; null if the project has none. */
  defaultClassId: z.number().int().nullable(),
  /** In time order. */
  labels: z.array(LabelInfo),
  /** Per class with labels, in class order: how many labels and how long together. */
  totals: z.array(
    z.object({ classId: z.number().int(), count: z.number().int(), durationUs: z.number() }),
  ),
  /** The time no label covers (the default class's share). */
  defaultDurationUs: z.number(),
  /** From the first sample to one sample period after the last; null without samples. */
  extent: z.object({ startUs: z.number(), endUs: z.number() }).nullable(),
  /** Nominal rate of the stream whose samples label edges snap to; null without samples. */
  snapRateHz: z.number().nullable(),
  canUndo: z.boolean(),
  canRedo: z.boolean(),
  /** "Undo: create anomaly 12.3–14.0 s", for a menu or tooltip; null when there is none. */
  undoLabel: z.string().nullable(),
  redoLabel: z.string().nullable(),
  /** The label this call created or changed (after merging), to select it; null otherwise. */
  labelId: z.number().int().nullable(),
})
export type LabelList = z.infer<typeof LabelList>

export const LabelHistoryEntry = z.object({
  id: z.number().int(),
  /** Unix ms */
  at: z.number(),
  actor: z.string(),
  kind: z.enum(['edit', 'undo', 'redo']),
  description: z.string(),
  /** Edits: 'done', 'undone' or 'dropped' (can no longer be redone); null for undo and redo. */
  state: z.enum(['done', 'undone', 'dropped']).nullable(),
  /** Labels this action inserted, updated and deleted. */
  changes: z.number().int(),
})
export type LabelHistoryEntry = z.infer<typeof LabelHistoryEntry>

export const LabelFileFormat = z.enum(['csv', 'json', 'ei'])
export type LabelFileFormat = z.infer<typeof LabelFileFormat>

export const LabelImportOutcome = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    path: z.string(),
    format: LabelFileFormat,
    /** Labels read from the file and stored (before merging). */
    imported: z.number().int(),
    /** Labels of the default class in the file, which need no label. */
    skipped: z.number().int(),
    /** Classes the import added (classes not locked). */
    createdClasses: z.array(z.string()),
    list: LabelList,
  }),
  z.object({
    ok: z.literal(false),
    path: z.string(),
    format: LabelFileFormat.nullable(),
    /** Nothing was imported. Each problem names its line (CSV) or index (JSON). */
    problems: z.array(
      z.object({
        line: z.number().int().nullable(),
        index: z.number().int().nullable(),
        message: z.string(),
      }),
    ),
  }),
])
export type LabelImportOutcome = z.infer<typeof LabelImportOutcome>

const RecordingRef = z.number().int({ error: 'recordingId must be a recording id.' })

// Datasets (see docs/dataset.md): windows over recordings, their labels, features and splits.

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
        method: z.enum(['auto', 'recordings', 'blocks', 'random']).default('auto'),
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
  splitMethod: z.enum(['recordings', 'blocks', 'random']),
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

export const DatasetVersionInfo = z.object({
  id: z.number().int(),
  name: z.string(),
  version: z.number().int(),
  createdAt: z.number(),
  config: DatasetConfig,
  snapshot: DatasetSnapshot,
  featureNames: z.array(z.string()),
  normalization: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).nullable(),
  byClass: CountsByClass,
  bySplit: z.object({ train: CountsByClass, val: CountsByClass, test: CountsByClass }),
  /** Labels or samples of its recordings changed since it was saved (or the selection did). */
  changed: z.boolean(),
})
export type DatasetVersionInfo = z.infer<typeof DatasetVersionInfo>
const LabelTime = z.number().finite({ error: 'Times are finite numbers of µs.' })
const ClassName = z
  .string()
  .trim()
  .min(1, 'Give the class a name.')
  .max(64, 'A class name has at most 64 characters.')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'A class name cannot contain control characters.')

/** A path typed by the user or picked in a dialog; the service resolves and checks it. */
const ProjectPath = z.string().trim().min(1, 'Give a project file path.').max(4096)

// ---------------------------------------------------------------------------------------------
// Methods: request -> response

const method = <A extends z.ZodType, R extends z.ZodType>(args: A, result: R) => ({ args, result })
const NoArgs = z.object({}).strict()

export const methods = {
  'app.info': method(NoArgs, AppInfo),

  'project.current': method(NoArgs, ProjectInfo),
  'project.recent': method(NoArgs, z.array(RecentProject)),
  /** Opens an existing project file. */
  'project.open': method(z.object({ path: ProjectPath }).strict(), ProjectInfo),
  /** Creates a new project file (refuses to overwrite an existing file). */
  'project.create': method(z.object({ path: ProjectPath }).strict(), ProjectInfo),
  /** Shows a native dialog (desktop); resolves to the chosen path or null if cancelled. */
  'project.pickFile': method(
    z.object({ purpose: z.enum(['open', 'create']) }).strict(),
    z.string().nullable(),
  ),
  'project.forgetRecent': method(z.object({ path: ProjectPath }).strict(), z.array(RecentProject)),

  'recordings.list': method(NoArgs, z.array(RecordingSummary)),
  'recordings.get': method(z.object({ id: z.number().int() }).strict(), RecordingDetail),
  /** The signal of one stream between two times, never more buckets than `pixels`. */
  'timeline.view': method(
    z
      .object({
        streamId: z.number().int(),
        fromUs: z.number().finite(),
        toUs: z.number().finite(),
        pixels: z.number().int().min(1).max(8192),
      })
      .strict()
      .refine((v) => v.toUs > v.fromUs, { message: 'toUs must be after fromUs', path: ['toUs'] }),
    TimelineSlice,
  ),

  /** Imports CSV and Edge Impulse files or folders (paths on the machine running the services). */
  'data.import': method(
    z
      .object({
        paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000),
        format: z.enum(['auto', 'csv', 'ei']).default('auto'),
        rateHz: z.number().finite().positive().max(1_000_000).optional(),
      })
      .strict(),
    z.array(ImportOutcome),
  ),
  'data.export': method(
    z
      .object({
        recordingId: z.number().int(),
        format: ExportFormat,
        path: z.string().min(1).max(4096),
        overwrite: z.boolean().default(false),
      })
      .strict(),
    z.object({
      path: z.string(),
      format: ExportFormat,
      samples: z.number().int(),
      channels: z.array(z.string()),
      rateHz: z.number(),
    }),
  ),
  /** Stops the imports running now: files already imported stay, the rest are not read. */
  'data.cancelImport': method(NoArgs, z.object({ cancelled: z.number().int() })),
  /** Native dialogs (desktop): files to import, or where to export; null if cancelled. */
  'data.pickImportPaths': method(NoArgs, z.array(z.string()).nullable()),
  'data.pickExportPath': method(
    z.object({ format: ExportFormat, suggestedName: z.string().max(200) }).strict(),
    z.string().nullable(),
  ),

  'devices.list': method(NoArgs, z.array(DeviceInfo)),
  'capture.start': method(CaptureStart, CaptureStatus),
  'capture.stop': method(z.object({ recordingId: z.number().int() }).strict(), CaptureStatus),
  'capture.sessions': method(NoArgs, z.array(CaptureStatus)),

  /** The label classes in display order (a new project gets "normal" and "anomaly"). */
  'classes.list': method(NoArgs, z.array(LabelClassInfo)),
  /** Changes the class `id`, else the one named `name`, else adds it; returns it. */
  'classes.upsert': method(
    z
      .object({
        id: z.number().int().optional(),
        name: ClassName.optional(),
        color: z
          .string()
          .regex(/^#[0-9a-fA-F]{6}$/, 'A colour is written #rrggbb, e.g. #E69F00.')
          .optional(),
        hotkey: Hotkey.nullable().optional(),
        sortOrder: z.number().int().optional(),
      })
      .strict()
      .refine((v) => v.id !== undefined || v.name !== undefined, {
        message: 'Give the new class a name.',
        path: ['name'],
      }),
    LabelClassInfo,
  ),
  /** Deletes a class no label uses and that is no default class; returns the classes left. */
  'classes.delete': method(z.object({ id: z.number().int() }).strict(), z.array(LabelClassInfo)),
  'classes.settings': method(NoArgs, ClassSettings),
  'classes.setSettings': method(
    z
      .object({
        locked: z.boolean().optional(),
        defaultClassId: z.number().int().nullable().optional(),
      })
      .strict(),
    ClassSettings,
  ),

  'labels.list': method(z.object({ recordingId: RecordingRef }).strict(), LabelList),
  /** A region of `classId`; edges snap to samples; it merges with labels of its class it meets. */
  'labels.create': method(
    z
      .object({
        recordingId: RecordingRef,
        classId: z.number().int(),
        startUs: LabelTime,
        endUs: LabelTime,
      })
      .strict()
      .refine((v) => v.endUs > v.startUs, {
        message: 'A label must end after it starts (endUs > startUs).',
        path: ['endUs'],
      }),
    LabelList,
  ),
  /** Moves, resizes or relabels a label (the fields given); it merges like a new one. */
  'labels.update': method(
    z
      .object({
        id: z.number().int(),
        classId: z.number().int().optional(),
        startUs: LabelTime.optional(),
        endUs: LabelTime.optional(),
      })
      .strict()
      .refine((v) => v.classId !== undefined || v.startUs !== undefined || v.endUs !== undefined, {
        message: 'Give what changes: classId, startUs or endUs.',
      })
      .refine((v) => v.startUs === undefined || v.endUs === undefined || v.endUs > v.startUs, {
        message: 'A label must end after it starts (endUs > startUs).',
        path: ['endUs'],
      }),
    LabelList,
  ),
  'labels.delete': method(z.object({ id: z.number().int() }).strict(), LabelList),
  /** Reverts the newest edit of the recording still done; unchanged list if there is none. */
  'labels.undo': method(z.object({ recordingId: RecordingRef }).strict(), LabelList),
  /** Makes the edit undone last again; unchanged list if there is none. */
  'labels.redo': method(z.object({ recordingId: RecordingRef }).strict(), LabelList),
  /** The recording's default class; null: the project's. Refused while labels have that class. */
  'labels.setDefaultClass': method(
    z.object({ recordingId: RecordingRef, classId: z.number().int().nullable() }).strict(),
    LabelList,
  ),
  /** Who did what to the labels of a recording (undo and redo included), newest first. */
  'labels.history': method(
    z
      .object({
        recordingId: RecordingRef,
        limit: z.number().int().min(1).max(10_000).default(200),
      })
      .strict(),
    z.array(LabelHistoryEntry),
  ),
  /**
   * Reads labels from a file on the machine running the services (`path`), or given whole
   * (`file`, e.g. picked in a browser), checks every one, and stores them all as one undoable
   * action, or nothing (then `problems` says why, line by line).
   */
  'labels.import': method(
    z
      .object({
        recordingId: RecordingRef,
        path: z.string().min(1).max(4096).optional(),
        file: z
          .object({
            name: z.string().min(1).max(4096),
            text: z
              .string()
              .max(
                MAX_LABEL_FILE_BYTES,
                `A label file has at most ${formatBytes(MAX_LABEL_FILE_BYTES)}.`,
              ),
          })
          .strict()
          .optional(),
        format: z.enum(['auto', 'csv', 'json', 'ei']).default('auto'),
        /** Delete the recording's labels first (in the same action). */
        replace: z.boolean().default(false),
        /** Edge Impulse files listing several samples: the one to read. */
        sample: z.string().min(1).max(4096).optional(),
      })
      .strict()
      .refine((v) => (v.path === undefined) !== (v.file === undefined), {
        message: 'Give the label file: its path, or its name and text (one of them).',
        path: ['path'],
      }),
    LabelImportOutcome,
  ),
  /** Writes the recording's labels (not its default class, except Edge Impulse's gaps). */
  'labels.export': method(
    z
      .object({
        recordingId: RecordingRef,
        path: z.string().min(1).max(4096),
        format: LabelFileFormat,
        overwrite: z.boolean().default(false),
        /** Edge Impulse: the sample file the labels belong to (default "<recording>.json"). */
        sample: z.string().min(1).max(4096).optional(),
      })
      .strict(),
    z.object({ path: z.string(), format: LabelFileFormat, labels: z.number().int() }),
  ),
  /** The text `labels.export` would write, e.g. for a browser to download; nothing is written. */
  'labels.exportText': method(
    z
      .object({
        recordingId: RecordingRef,
        format: LabelFileFormat,
        sample: z.string().min(1).max(4096).optional(),
      })
      .strict(),
    z.object({
      text: z.string(),
      /** A file name to suggest: "<recording>.labels.csv", "info.labels", ... */
      fileName: z.string(),
      format: LabelFileFormat,
      labels: z.number().int(),
    }),
  ),

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

export type Methods = typeof methods
export type MethodName = keyof Methods
export type MethodArgs<M extends MethodName> = z.input<Methods[M]['args']>
export type MethodResult<M extends MethodName> = z.output<Methods[M]['result']>
export const methodNames = Object.keys(methods) as MethodName[]

// ---------------------------------------------------------------------------------------------
// Events: pushed from the services to every connected UI

export const AppCommand = z.enum(['project.new', 'project.open', 'palette.open'])
export type AppCommand = z.infer<typeof AppCommand>

export const events = {
  /** The open project changed (opened, created, or its summary changed). */
  'project.onChanged': ProjectInfo,
  /** The recordings of the open project changed. */
  'recordings.onChanged': z.object({ reason: z.string() }),
  /** A recording in progress: counters and state, a few times per second. */
  'capture.onStatus': CaptureStatus,
  /** New min/max buckets of a recording in progress, for the live plot. */
  'capture.onLive': z.object({ recordingId: z.number().int(), frame: LiveFrame }),
  /** Progress of an import, a few times per second. */
  'data.onImportProgress': ImportProgress,
  /** A command from outside the page (the desktop menu) for the UI to run. */
  'app.onCommand': z.object({ command: AppCommand }),
  /** The labels of a recording changed (an edit, undo, redo, import or default class). */
  'labels.onChanged': z.object({ recordingId: z.number().int() }),
  /** The classes or their settings changed. */
  'classes.onChanged': z.object({}),
} as const

export type Events = typeof events
export type EventName = keyof Events
export type EventPayload<E extends EventName> = z.output<Events[E]>
export const eventNames = Object.keys(events) as EventName[]

// ---------------------------------------------------------------------------------------------
// Errors and the wire format shared by both transports

export const ErrorCode = z.enum([
  'BAD_REQUEST', // malformed message or unknown method
  'INVALID_ARGUMENT', // arguments failed the method's schema
  'NOT_FOUND',
  'PROJECT_FILE', // the project file cannot be used (not a project, corrupt, too new, ...)
  'ALREADY_EXISTS',
  'UNSUPPORTED', // this host cannot do that (e.g. native dialogs in web mode)
  'DEVICE', // the device cannot be opened or used (missing, busy, no permission)
  'BUSY', // refused while something else runs (e.g. switching project while recording)
  'TOO_LARGE', // the request is larger than one message may be (see limits.ts)
  'INTERNAL', // a bug: details are in the log, not in the UI
])
export type ErrorCode = z.infer<typeof ErrorCode>

export const RpcErrorShape = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Per-field problems for INVALID_ARGUMENT. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
})
export type RpcErrorShape = z.infer<typeof RpcErrorShape>

export type RpcResponse<T = unknown> = { ok: true; value: T } | { ok: false; error: RpcErrorShape }

/** What the WebSocket carries. The IPC transport carries the same request and response objects. */
export const WireRequest = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().max(200),
  args: z.unknown(),
})
export type WireRequest = z.infer<typeof WireRequest>
export type WireMessage =
  | ({ type: 'response'; id: number } & RpcResponse)
  | { type: 'event'; event: EventName; payload: unknown }

/** The API the preload exposes as `window.tinyloop`, and the one the WebSocket client implements. */
export interface TinyLoopBridge {
  call(method: string, args: unknown): Promise<RpcResponse>
  on(listener: (event: EventName, payload: unknown) => void): () => void
}

export const IPC_CHANNEL_CALL = 'tinyloop:call'
export const IPC_CHANNEL_EVENT = 'tinyloop:event'
