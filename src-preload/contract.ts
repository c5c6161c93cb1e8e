/**
 * The one typed description of everything the UI can ask (methods) and hear (events).
 *
 * Main registers one validated handler per method, the preload exposes only these names, the web
 * transport carries the same messages over a WebSocket, and the renderer imports the types. This
 * file imports nothing environment-specific: it runs in main, the preload, the CLI and (as types)
 * the renderer.
 */
import { z } from 'zod'

// ---------------------------------------------------------------------------------------------
// Shared shapes

export const ProjectInfo = z.object({
  path: z.string(),
  name: z.string(),
  schemaVersion: z.number().int(),
  recordings: z.number().int(),
  createdAt: z.number().nullable(),
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
