import { ByteReader, ByteWriter, TruncatedError } from './bytes.js'
import { cobsEncode } from './cobs.js'
import { crc32 } from './crc32.js'

/** Version 1 of docs/protocol.md. */
export const PROTOCOL_VERSION = 1
/** `type u8 | seq u16` before the body, `crc u32` after it. */
export const FRAME_OVERHEAD = 7
/** The smallest body a device may state as its `maxBody`. */
export const MIN_MAX_BODY = 256
/** Encoded frames longer than this before their zero are dropped as `oversize`. */
export const MAX_ENCODED_BYTES = 4200
/** The largest body the app accepts and sends before a device states its own. */
export const MAX_BODY = 4096

export const FRAME_TYPES = {
  HELLO_REQ: 0x01,
  START: 0x02,
  STOP: 0x03,
  SET_RATE: 0x04,
  SET_SOURCE: 0x05,
  SAMPLES: 0x06,
  INPUT: 0x07,
  MODEL_BEGIN: 0x10,
  MODEL_CHUNK: 0x11,
  MODEL_COMMIT: 0x12,
  MODEL_ABORT: 0x13,
  HELLO: 0x81,
  ACK: 0x82,
  NAK: 0x83,
  DATA: 0x84,
  INFERENCE: 0x85,
  LOG: 0x86,
} as const
export type FrameTypeName = keyof typeof FRAME_TYPES
/** Types from here up are sent by devices, those below by hosts. */
export const FIRST_DEVICE_TYPE = 0x80
export type CommandName = Exclude<
  FrameTypeName,
  'HELLO' | 'ACK' | 'NAK' | 'DATA' | 'INFERENCE' | 'LOG'
>

const NAMES = new Map<number, FrameTypeName>(
  Object.entries(FRAME_TYPES).map(([name, code]) => [code, name as FrameTypeName]),
)
/** The name of a frame type's code, if version 1 has it. */
export function frameTypeName(code: number): FrameTypeName | undefined {
  return NAMES.get(code)
}

export const NAK_CODES = {
  UNKNOWN_TYPE: 1,
  BAD_LENGTH: 2,
  BAD_STATE: 3,
  OUT_OF_ORDER: 4,
  TOO_LARGE: 5,
  CRC_MISMATCH: 6,
  BAD_MODEL: 7,
  ARENA_TOO_SMALL: 8,
  UNSUPPORTED_RATE: 9,
  INCOMPATIBLE: 10,
  BUSY: 11,
} as const
export type NakCodeName = keyof typeof NAK_CODES
const NAK_NAMES = new Map<number, NakCodeName>(
  Object.entries(NAK_CODES).map(([name, code]) => [code, name as NakCodeName]),
)
export function nakCodeName(code: number): NakCodeName | undefined {
  return NAK_NAMES.get(code)
}

export const SLOT_STATES = { empty: 0, valid: 1, damaged: 2 } as const
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export const SAMPLE_ENCODING = { f32: 1, i16: 2 } as const

/** A model slot as `HELLO` and `ACK MODEL_COMMIT` describe it (17 bytes). */
export interface Slot {
  /** 0 empty, 1 valid, 2 damaged. */
  state: number
  size: number
  crc32: number
  modelId: number
  arenaBytes: number
}

/** Frames the device dropped, by reason. */
export interface DeviceCounters {
  crc: number
  cobs: number
  oversize: number
  short: number
}

/** `DATA` and `SAMPLES`: `count` samples of `channels` interleaved values. */
export type SampleBody = {
  timeUs: number
  count: number
  channels: number
} & (
  | { encoding: 1; values: number[] }
  /** i16 values; each sample value is `value × scale`. */
  | { encoding: 2; scale: number; values: number[] }
)

export interface HelloBody {
  protocol: number
  firmware: [major: number, minor: number, patch: number]
  /** 8 bytes as 16 lowercase hex digits. */
  deviceId: string
  board: string
  maxBody: number
  window: number
  modelCapacity: number
  arenaCapacity: number
  rateHz: number
  rates: number[]
  channels: string[]
  flags: number
  active: number
  slots: [Slot, Slot]
  counters: DeviceCounters
}

/** `ACK`: `command` is the type of the command it answers; the reply body depends on it. */
export type AckBody =
  | { command: typeof FRAME_TYPES.MODEL_BEGIN; chunk: number }
  | { command: typeof FRAME_TYPES.MODEL_CHUNK; next: number }
  | { command: typeof FRAME_TYPES.MODEL_COMMIT; active: number; slots: [Slot, Slot] }
  | { command: AckWithoutReply }
type AckWithoutReply = Exclude<
  (typeof FRAME_TYPES)[CommandName],
  typeof FRAME_TYPES.MODEL_BEGIN | typeof FRAME_TYPES.MODEL_CHUNK | typeof FRAME_TYPES.MODEL_COMMIT
>

export interface NakBody {
  /** The type of the refused command (any byte: the device may refuse one it does not know). */
  command: number
  code: number
  detail: number
  message: string
}

export interface InferenceBody {
  windowEndUs: number
  modelCrc32: number
  latencyUs: number
  instructions: number
  count: number
  /** The int8 output tensor. */
  outputs: number[]
  /** NaN for a classifier. */
  score: number
}

/** Every frame of docs/protocol.md, by its `type`. `seq` is the frame's sequence number. */
export type Frame = { seq: number } & (
  | { type: 'HELLO_REQ' | 'START' | 'STOP' | 'MODEL_COMMIT' | 'MODEL_ABORT' }
  | { type: 'SET_RATE'; rateHz: number }
  | { type: 'SET_SOURCE'; source: number }
  | ({ type: 'SAMPLES' } & SampleBody)
  | ({ type: 'DATA' } & SampleBody)
  /** `bytes`: lowercase hex. */
  | { type: 'INPUT'; offset: number; bytes: string }
  | { type: 'MODEL_CHUNK'; offset: number; bytes: string }
  | { type: 'MODEL_BEGIN'; size: number; crc32: number; modelId: number }
  | ({ type: 'HELLO' } & HelloBody)
  | ({ type: 'ACK' } & AckBody)
  | ({ type: 'NAK' } & NakBody)
  | ({ type: 'INFERENCE' } & InferenceBody)
  | { type: 'LOG'; level: number; text: string }
)
export type FrameOf<T extends FrameTypeName> = Extract<Frame, { type: T }>

/** A frame whose fields could not be read: too short for its type, or values out of range. */
export class MalformedFrameError extends Error {}

/** The body of `frame`, as it goes between `seq` and `crc`. Throws a RangeError on bad fields. */
export function encodeBody(frame: Frame): Uint8Array {
  const w = new ByteWriter()
  switch (frame.type) {
    case 'HELLO_REQ':
    case 'START':
    case 'STOP':
    case 'MODEL_COMMIT':
    case 'MODEL_ABORT':
      break
    case 'SET_RATE':
      w.u32(frame.rateHz)
      break
    case 'SET_SOURCE':
      w.u8(frame.source)
      break
    case 'SAMPLES':
    case 'DATA':
      writeSamples(w, frame)
      break
    case 'INPUT':
    case 'MODEL_CHUNK':
      w.u32(frame.offset).bytes(fromHex(frame.bytes))
      break
    case 'MODEL_BEGIN':
      w.u32(frame.size).u32(frame.crc32).u32(frame.modelId)
      break
    case 'HELLO':
      writeHello(w, frame)
      break
    case 'ACK':
      w.u8(frame.command)
      if (frame.command === FRAME_TYPES.MODEL_BEGIN) w.u16(frame.chunk)
      else if (frame.command === FRAME_TYPES.MODEL_CHUNK) w.u32(frame.next)
      else if (frame.command === FRAME_TYPES.MODEL_COMMIT) {
        w.u8(frame.active)
        for (const slot of frame.slots) writeSlot(w, slot)
      }
      break
    case 'NAK':
      w.u8(frame.command).u8(frame.code).u32(frame.detail).text(frame.message)
      break
    case 'INFERENCE':
      if (frame.outputs.length !== frame.count) throw new RangeError('count is not outputs.length')
      w.u64(frame.windowEndUs).u32(frame.modelCrc32).u32(frame.latencyUs).u32(frame.instructions)
      w.u8(frame.count)
      for (const v of frame.outputs) w.i8(v)
      w.f32(frame.score)
      break
    case 'LOG':
      w.u8(frame.level).text(frame.text)
      break
  }
  return w.finish()
}

/**
 * The frame a CRC-checked `type | seq | body` carries. Null for a type version 1 does not have
 * (`unknownType`); throws MalformedFrameError when the body is too short for its type or its
 * fields disagree. Bytes after the known fields are ignored.
 */
export function decodeBody(type: number, seq: number, body: Uint8Array): Frame | null {
  const name = frameTypeName(type)
  if (name === undefined) return null
  const r = new ByteReader(body)
  try {
    return { seq, ...readBody(name, r) } as Frame
  } catch (err) {
    if (err instanceof TruncatedError) throw new MalformedFrameError(`${name}: ${err.message}`)
    throw err
  }
}

type Body = DistributiveOmit<Frame, 'seq'>
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

function readBody(type: FrameTypeName, r: ByteReader): Body {
  switch (type) {
    case 'HELLO_REQ':
    case 'START':
    case 'STOP':
    case 'MODEL_COMMIT':
    case 'MODEL_ABORT':
      return { type }
    case 'SET_RATE':
      return { type, rateHz: r.u32() }
    case 'SET_SOURCE':
      return { type, source: r.u8() }
    case 'SAMPLES':
    case 'DATA':
      return { type, ...readSamples(r) }
    case 'INPUT':
    case 'MODEL_CHUNK':
      return { type, offset: r.u32(), bytes: toHex(r.bytes(r.remaining)) }
    case 'MODEL_BEGIN':
      return { type, size: r.u32(), crc32: r.u32(), modelId: r.u32() }
    case 'HELLO':
      return { type, ...readHello(r) }
    case 'ACK':
      return { type, ...readAck(r) }
    case 'NAK':
      return { type, command: r.u8(), code: r.u8(), detail: r.u32(), message: r.restText() }
    case 'INFERENCE': {
      const windowEndUs = r.u64()
      const modelCrc32 = r.u32()
      const latencyUs = r.u32()
      const instructions = r.u32()
      const count = r.u8()
      const outputs = Array.from({ length: count }, () => r.i8())
      return {
        type,
        windowEndUs,
        modelCrc32,
        latencyUs,
        instructions,
        count,
        outputs,
        score: r.f32(),
      }
    }
    case 'LOG':
      return { type, level: r.u8(), text: r.restText() }
  }
}

function writeSamples(w: ByteWriter, body: SampleBody): void {
  if (body.values.length !== body.count * body.channels) {
    throw new RangeError('values.length is not count × channels')
  }
  w.u64(body.timeUs).u16(body.count).u8(body.channels).u8(body.encoding)
  if (body.encoding === 2) {
    w.f32(body.scale)
    for (const v of body.values) w.i16(v)
  } else {
    for (const v of body.values) w.f32(v)
  }
}

function readSamples(r: ByteReader): SampleBody {
  const timeUs = r.u64()
  const count = r.u16()
  const channels = r.u8()
  const encoding = r.u8()
  const n = count * channels
  if (encoding === SAMPLE_ENCODING.i16) {
    const scale = r.f32()
    if (r.remaining < n * 2) throw new TruncatedError()
    return {
      timeUs,
      count,
      channels,
      encoding,
      scale,
      values: Array.from({ length: n }, () => r.i16()),
    }
  }
  if (encoding !== SAMPLE_ENCODING.f32)
    throw new MalformedFrameError(`unknown encoding ${encoding}`)
  if (r.remaining < n * 4) throw new TruncatedError()
  return { timeUs, count, channels, encoding, values: Array.from({ length: n }, () => r.f32()) }
}

function writeHello(w: ByteWriter, h: HelloBody): void {
  w.u8(h.protocol)
  for (const part of h.firmware) w.u8(part)
  w.bytes(fromHex(h.deviceId, 8)).str8(h.board).u16(h.maxBody).u8(h.window)
  w.u32(h.modelCapacity).u32(h.arenaCapacity).f32(h.rateHz)
  w.u8(h.rates.length)
  for (const rate of h.rates) w.u32(rate)
  w.u8(h.channels.length)
  for (const name of h.channels) w.str8(name)
  w.u8(h.flags).u8(h.active)
  for (const slot of h.slots) writeSlot(w, slot)
  const c = h.counters
  w.u32(c.crc).u32(c.cobs).u32(c.oversize).u32(c.short)
}

function readHello(r: ByteReader): HelloBody {
  const protocol = r.u8()
  const firmware: [number, number, number] = [r.u8(), r.u8(), r.u8()]
  const deviceId = toHex(r.bytes(8))
  const board = r.str8()
  const maxBody = r.u16()
  const window = r.u8()
  const modelCapacity = r.u32()
  const arenaCapacity = r.u32()
  const rateHz = r.f32()
  const rates = Array.from({ length: r.u8() }, () => r.u32())
  const channels = Array.from({ length: r.u8() }, () => r.str8())
  const flags = r.u8()
  const active = r.u8()
  const slots: [Slot, Slot] = [readSlot(r), readSlot(r)]
  const counters = { crc: r.u32(), cobs: r.u32(), oversize: r.u32(), short: r.u32() }
  return {
    protocol,
    firmware,
    deviceId,
    board,
    maxBody,
    window,
    modelCapacity,
    arenaCapacity,
    rateHz,
    rates,
    channels,
    flags,
    active,
    slots,
    counters,
  }
}

function readAck(r: ByteReader): AckBody {
  const command = r.u8()
  switch (command) {
    case FRAME_TYPES.MODEL_BEGIN:
      return { command, chunk: r.u16() }
    case FRAME_TYPES.MODEL_CHUNK:
      return { command, next: r.u32() }
    case FRAME_TYPES.MODEL_COMMIT:
      return { command, active: r.u8(), slots: [readSlot(r), readSlot(r)] }
    default:
      if (frameTypeName(command) === undefined || command >= 0x80) {
        throw new MalformedFrameError(`ACK of ${command}, which is not a command`)
      }
      return { command: command as AckWithoutReply }
  }
}

function writeSlot(w: ByteWriter, s: Slot): void {
  w.u8(s.state).u32(s.size).u32(s.crc32).u32(s.modelId).u32(s.arenaBytes)
}

function readSlot(r: ByteReader): Slot {
  return { state: r.u8(), size: r.u32(), crc32: r.u32(), modelId: r.u32(), arenaBytes: r.u32() }
}

/** `type | seq | body | crc`: what COBS encodes. */
export function encodeFrameBytes(frame: Frame): Uint8Array {
  const body = encodeBody(frame)
  const out = new Uint8Array(FRAME_OVERHEAD + body.length)
  const view = new DataView(out.buffer)
  view.setUint8(0, FRAME_TYPES[frame.type])
  view.setUint16(1, checkSeq(frame.seq), true)
  out.set(body, 3)
  view.setUint32(3 + body.length, crc32(out.subarray(0, 3 + body.length)), true)
  return out
}

/** The frame as it goes on the wire: COBS and the final `0x00`. */
export function encodeFrame(frame: Frame): Uint8Array {
  const encoded = cobsEncode(encodeFrameBytes(frame))
  const wire = new Uint8Array(encoded.length + 1)
  wire.set(encoded)
  return wire
}

function checkSeq(seq: number): number {
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff) throw new RangeError(`seq ${seq}`)
  return seq
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

export function fromHex(hex: string, length?: number): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new RangeError('not lowercase hex')
  const bytes = new Uint8Array(Buffer.from(hex, 'hex'))
  if (length !== undefined && bytes.length !== length) {
    throw new RangeError(`${bytes.length} bytes where ${length} are expected`)
  }
  return bytes
}
