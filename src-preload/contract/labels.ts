/**
 * Label classes and the labels of recordings (see docs/labels.md). Times are µs since the recording started.
 */
import { z } from 'zod'
import { formatBytes, MAX_LABEL_FILE_BYTES } from '../limits.js'
import { method, NoArgs } from './rpc.js'

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

/** A region a model suggests labeling (docs/labels.md, "Suggestions"). */
export const LabelSuggestion = z.object({
  classId: z.number().int(),
  /** [startUs, endUs): the centre parts of the windows the model gave this class. */
  startUs: z.number(),
  endUs: z.number(),
  /** The mean probability the int8 model gave the class over those windows, 0 to 1. */
  confidence: z.number().min(0).max(1),
  /** Windows merged into it. */
  windows: z.number().int(),
})
export type LabelSuggestion = z.infer<typeof LabelSuggestion>

export const LabelSuggestions = z.object({
  recordingId: z.number().int(),
  runId: z.number().int(),
  /** In time order; none overlaps a label of the recording. */
  suggestions: z.array(LabelSuggestion),
  /** Windows the model classified (those over gaps in the recording are left out). */
  windows: z.number().int(),
  /** Regions of the default class (not suggested: the time no label covers is that class). */
  defaultRegions: z.number().int(),
  /** Regions under `minConfidence`, left out. */
  belowConfidence: z.number().int(),
  /** Regions that met a label: cut around it (`cut`), or dropped when too little was left. */
  cut: z.number().int(),
  coveredByLabels: z.number().int(),
})
export type LabelSuggestions = z.infer<typeof LabelSuggestions>

const RecordingRef = z.number().int({ error: 'recordingId must be a recording id.' })

const LabelTime = z.number().finite({ error: 'Times are finite numbers of µs.' })
const ClassName = z
  .string()
  .trim()
  .min(1, 'Give the class a name.')
  .max(64, 'A class name has at most 64 characters.')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'A class name cannot contain control characters.')

export const labelsMethods = {
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
  /**
   * Runs a trained run's int8 model over the recording's windows and returns the regions it
   * would label, never over a label (they are cut around labels, or dropped).
   */
  'labels.suggest': method(
    z
      .object({
        recordingId: RecordingRef,
        runId: z.number().int(),
        minConfidence: z.number().min(0).max(1).default(0.5),
      })
      .strict(),
    LabelSuggestions,
  ),
  /**
   * Suggestions (as `labels.suggest` gave them) become labels, in one undoable action whose actor
   * is the model ("model:run 3"); cut again around the labels as they are now.
   */
  'labels.acceptSuggestions': method(
    z
      .object({
        recordingId: RecordingRef,
        runId: z.number().int(),
        suggestions: z
          .array(
            z
              .object({
                classId: z.number().int(),
                startUs: LabelTime,
                endUs: LabelTime,
                confidence: z.number().min(0).max(1),
              })
              .refine((v) => v.endUs > v.startUs, {
                message: 'A suggestion must end after it starts (endUs > startUs).',
              }),
          )
          .min(1, 'Give at least one suggestion to accept.')
          .max(10_000),
      })
      .strict(),
    LabelList,
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
} as const

export const labelsEvents = {
  /** The labels of a recording changed (an edit, undo, redo, import or default class). */
  'labels.onChanged': z.object({ recordingId: z.number().int() }),
  /** The classes or their settings changed. */
  'classes.onChanged': z.object({}),
} as const
