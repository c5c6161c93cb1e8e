/**
 * Devices and recording from them: serial ports, the demo device, recordings in progress.
 */
import { z } from 'zod'
import { method, NoArgs } from './rpc.js'

/** The formats a device's bytes may be in: text lines (csv, plotter) or the TinyLoop binary frames. */
export const SampleFormat = z.enum(['csv', 'plotter', 'binary'])
export type SampleFormat = z.infer<typeof SampleFormat>
export const FormatChoice = z.enum(['auto', ...SampleFormat.options])
export type FormatChoice = z.infer<typeof FormatChoice>

/**
 * How the simulated machine (the demo device, the virtual boards' firmware) drifts from the demo
 * project's data: `wear`, a bearing wearing over five minutes; `mount`, the sensor turned 30°.
 */
export const DriftMode = z.enum(['none', 'wear', 'mount'])
export type DriftMode = z.infer<typeof DriftMode>

export const DeviceSettings = z.object({
  baudRate: z.number().int(),
  format: FormatChoice,
  rateHz: z.number().nullable(),
})

export const DeviceInfo = z.object({
  /** What to pass to capture.start: the port path, 'demo', or a virtual board's id. */
  id: z.string(),
  /** `virtual`: TinyLoop firmware running on this computer (docs/firmware.md), as a board. */
  kind: z.enum(['serial', 'demo', 'virtual']),
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
    format: FormatChoice.optional(),
    /** Declared rate; measured from the data when absent. */
    rateHz: z.number().positive().max(1_000_000).optional(),
    name: z.string().max(200).optional(),
    notes: z.string().max(20_000).optional(),
    tags: z.array(z.string().min(1).max(64)).max(32).optional(),
    durationS: z.number().positive().optional(),
    idleStopS: z.number().positive().optional(),
    /** Demo device only: the simulated machine's seed. */
    seed: z.number().int().optional(),
    /**
     * Demo device only: how the simulated machine drifts from the demo project's data (a bearing
     * that wears, a sensor mounted at another angle), to see the drift check fire (docs/drift.md).
     */
    drift: DriftMode.optional(),
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
  format: SampleFormat.nullable(),
  channels: z.array(z.string()),
  rateHz: z.number().nullable(),
  measuredHz: z.number().nullable(),
  samples: z.number().int(),
  rejected: z.number().int(),
  rejectedBy: z.record(z.string(), z.number().int()),
  gaps: z.number().int(),
  /** Binary frames the device sent that never arrived (jumps in their sequence numbers). */
  lostFrames: z.number().int(),
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

export const captureMethods = {
  'devices.list': method(NoArgs, z.array(DeviceInfo)),
  'capture.start': method(CaptureStart, CaptureStatus),
  'capture.stop': method(z.object({ recordingId: z.number().int() }).strict(), CaptureStatus),
  'capture.sessions': method(NoArgs, z.array(CaptureStatus)),
} as const

export const captureEvents = {
  /** A recording in progress: counters and state, a few times per second. */
  'capture.onStatus': CaptureStatus,
  /** New min/max buckets of a recording in progress, for the live plot. */
  'capture.onLive': z.object({ recordingId: z.number().int(), frame: LiveFrame }),
} as const
