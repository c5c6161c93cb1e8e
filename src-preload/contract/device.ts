/**
 * Boards running TinyLoop firmware (docs/protocol.md, docs/deploy.md "Flashing a board"): what a
 * device says of itself, and flashing a run's model image to it with progress.
 */
import { z } from 'zod'
import { method } from './rpc.js'

/** A CRC-32 as 8 lowercase hex digits, as the card shows hashes. */
const Crc32 = z.string().regex(/^[0-9a-f]{8}$/)
const SlotName = z.enum(['A', 'B'])

export const DeviceSlot = z.object({
  slot: SlotName,
  state: z.enum(['empty', 'valid', 'damaged']),
  bytes: z.number().int(),
  crc32: Crc32,
  /** The run id the model was flashed from. */
  modelId: z.number().int(),
  arenaBytes: z.number().int(),
})
export type DeviceSlot = z.infer<typeof DeviceSlot>

/** A device's HELLO, and how it compares with a run's image. */
export const DeviceHello = z.object({
  port: z.string(),
  board: z.string(),
  /** `major.minor.patch`. */
  firmware: z.string(),
  protocol: z.number().int(),
  /** 16 hex digits. */
  deviceId: z.string(),
  channels: z.array(z.string()),
  rateHz: z.number(),
  rates: z.array(z.number()),
  streaming: z.boolean(),
  maxBody: z.number().int(),
  /** Model chunks the device takes before an acknowledgement. */
  window: z.number().int(),
  slotBytes: z.number().int(),
  arenaCapacity: z.number().int(),
  slots: z.array(DeviceSlot),
  /** The slot in use, null with no model. */
  active: DeviceSlot.nullable(),
  /** The image of the run asked about, and whether it is the device's active model. */
  image: z
    .object({ runId: z.number().int(), bytes: z.number().int(), crc32: Crc32, active: z.boolean() })
    .nullable(),
  /** Frames the device dropped, by reason. */
  dropped: z.object({
    crc: z.number().int(),
    cobs: z.number().int(),
    oversize: z.number().int(),
    short: z.number().int(),
  }),
})
export type DeviceHello = z.infer<typeof DeviceHello>

export const FlashResult = z.object({
  ok: z.literal(true),
  runId: z.number().int(),
  port: z.string(),
  /** The image sent, and its CRC-32. */
  bytes: z.number().int(),
  crc32: Crc32,
  seconds: z.number(),
  /** The device's active model after the commit: equal to `crc32` on success. */
  activeCrc32: Crc32,
  arenaBytes: z.number().int(),
  slot: SlotName,
  /** Chunks sent again after garbage or a silence on the line. */
  resentChunks: z.number().int(),
})
export type FlashResult = z.infer<typeof FlashResult>

export const FlashProgress = z.object({
  runId: z.number().int(),
  port: z.string(),
  stage: z.enum(['connecting', 'sending', 'checking']),
  /** Bytes the device has acknowledged. */
  sentBytes: z.number().int(),
  totalBytes: z.number().int(),
})
export type FlashProgress = z.infer<typeof FlashProgress>

/** A serial port path, or a device id of the device list (`virtual:host`). */
const Port = z.string().min(1).max(4096)
const RunRef = z.number().int({ error: 'runId must be a run id.' })

export const deviceMethods = {
  /** Asks the device on `port` who it is; with `runId`, whether that run's model is active. */
  'device.info': method(z.object({ port: Port, runId: RunRef.optional() }).strict(), DeviceHello),
  /**
   * Flashes the run's model image (the int8 model the card describes) to the device on `port`:
   * the device checks it and only then makes it active. One flash per port at a time; a port
   * being recorded is refused.
   */
  'device.flash': method(z.object({ runId: RunRef, port: Port }).strict(), FlashResult),
  /** Cancels the flash in progress on `port`: the device keeps its previous model. */
  'device.cancelFlash': method(
    z.object({ port: Port }).strict(),
    z.object({ cancelled: z.boolean() }),
  ),
} as const

export const deviceEvents = {
  /** A flash in progress: its stage and the bytes the device acknowledged. */
  'device.onFlashProgress': FlashProgress,
} as const
