/**
 * Recordings and their samples: the list, one recording, timeline views, import and export.
 */
import { z } from 'zod'
import { DriftMode } from './capture.js'
import { method, NoArgs } from './rpc.js'

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

export const dataMethods = {
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
        /** One class for the whole of every file: its recording's own class (added if missing). */
        className: z.string().trim().min(1).max(64).optional(),
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
        /** The stream to export (its name or id), for recordings with several; see docs. */
        stream: z.string().min(1).max(200).optional(),
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
  /**
   * Adds recordings of the demo machine with its fault episodes labeled (classes `imbalance`
   * and `bearing`), simulated faster than real time: the whole loop without hardware.
   */
  'data.demo': method(
    z
      .object({
        minutes: z.number().min(0.5).max(600).default(12),
        recordings: z.number().int().min(1).max(20).default(4),
        seed: z.number().int().default(1),
        /** The demo machine's sample rate (the virtual boards stream it at 400 Hz). */
        rateHz: z.number().int().min(50).max(4000).default(400),
        /**
         * A drifting machine instead (docs/drift.md): its recordings come unlabeled, as new data
         * from the field does, for the drift check to compare with a run's training data.
         */
        drift: DriftMode.default('none'),
      })
      .strict(),
    z.object({
      recordingIds: z.array(z.number().int()),
      labels: z.number().int(),
      seconds: z.record(z.string(), z.number()),
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
} as const

export const dataEvents = {
  /** The recordings of the open project changed. */
  'recordings.onChanged': z.object({ reason: z.string() }),
  /** Progress of an import, a few times per second. */
  'data.onImportProgress': ImportProgress,
} as const
