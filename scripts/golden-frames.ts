/**
 * Writes tests/golden/frames.json: one frame of every type of docs/protocol.md and the framing's
 * edge cases, from the hand-written fields below, with the bytes the TypeScript codec makes of
 * them. The C++ codec's golden test (native/firmware/) and tests/unit/device/golden-frames.test.ts
 * decode and encode each one. Run: npx tsx scripts/golden-frames.ts
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { format, resolveConfig } from 'prettier'
import {
  encodeFrame,
  encodeFrameBytes,
  FRAME_TYPES,
  type Frame,
  NAK_CODES,
  toHex,
} from '../src-main/device/protocol/frames.js'

export const GOLDEN_FRAMES_PATH = 'tests/golden/frames.json'

interface Golden {
  name: string
  description: string
  frame: Frame
}

const bytes = (length: number, at: (i: number) => number) =>
  toHex(Uint8Array.from({ length }, (_, i) => at(i)))

const slotA = { state: 1, size: 18_432, crc32: 0x1a2b3c4d, modelId: 7, arenaBytes: 6_144 }
const slotB = { state: 0, size: 0, crc32: 0, modelId: 0, arenaBytes: 0 }
const damaged = { state: 2, size: 20_000, crc32: 0xdeadbeef, modelId: 8, arenaBytes: 8_192 }

const hello: Frame = {
  type: 'HELLO',
  seq: 1,
  protocol: 1,
  firmware: [1, 0, 3],
  deviceId: '0123456789abcdef',
  board: 'host',
  maxBody: 2048,
  window: 4,
  modelCapacity: 262_144,
  arenaCapacity: 65_536,
  rateHz: 400,
  rates: [100, 200, 400, 1000],
  channels: ['ax', 'ay', 'az'],
  flags: 0,
  active: 1,
  slots: [slotA, slotB],
  counters: { crc: 3, cobs: 1, oversize: 0, short: 2 },
}

/** The smallest `seq` >= `from` whose frame has no zero in its seq and CRC bytes. */
function seqWithoutZeros(make: (seq: number) => Frame, from = 0x0101): number {
  for (let seq = from; seq <= 0xffff; seq++) {
    const f = encodeFrameBytes(make(seq))
    const tail = f.subarray(f.length - 4)
    if (f[1] !== 0 && f[2] !== 0 && tail.every((b) => b !== 0)) return seq
  }
  throw new Error('no such seq')
}

/** A chunk whose whole frame (type to CRC) is `total` non-zero bytes. */
function nonZeroChunk(total: number): (seq: number) => Frame {
  return (seq) => ({
    type: 'MODEL_CHUNK',
    seq,
    offset: 0x01010101,
    bytes: bytes(total - 11, (i) => 1 + (i % 255)),
  })
}

const frames: Golden[] = [
  { name: 'hello_req', description: 'HELLO_REQ: no body', frame: { type: 'HELLO_REQ', seq: 1 } },
  { name: 'start', description: 'START', frame: { type: 'START', seq: 2 } },
  { name: 'stop', description: 'STOP', frame: { type: 'STOP', seq: 3 } },
  {
    name: 'set_rate',
    description: 'SET_RATE to 1000 Hz',
    frame: { type: 'SET_RATE', seq: 4, rateHz: 1000 },
  },
  {
    name: 'set_source_host',
    description: 'SET_SOURCE 1: samples sent by the host',
    frame: { type: 'SET_SOURCE', seq: 5, source: 1 },
  },
  {
    name: 'samples_f32',
    description: 'SAMPLES: two 3-channel samples as f32, for the device to use as its sensor’s',
    frame: {
      type: 'SAMPLES',
      seq: 6,
      timeUs: 0,
      count: 2,
      channels: 3,
      encoding: 1,
      values: [0.5, -0.25, 1, 0.125, -0.375, 0.984375],
    },
  },
  {
    name: 'input',
    description: 'INPUT: int8 input bytes at offset 16, zeros and 0x80 (-128) among them',
    frame: { type: 'INPUT', seq: 7, offset: 16, bytes: '00807f01ff00fe10' },
  },
  {
    name: 'model_begin',
    description: 'MODEL_BEGIN: an 18,432-byte image, its CRC-32 and run id 7',
    frame: { type: 'MODEL_BEGIN', seq: 8, size: 18_432, crc32: 0x1a2b3c4d, modelId: 7 },
  },
  {
    name: 'model_chunk',
    description: 'MODEL_CHUNK: 16 bytes at offset 2044',
    frame: {
      type: 'MODEL_CHUNK',
      seq: 9,
      offset: 2044,
      bytes: bytes(16, (i) => (i * 37) & 0xff),
    },
  },
  {
    name: 'model_chunk_max',
    description:
      'MODEL_CHUNK of the largest size a 2048-byte maxBody allows: offset and 2044 bytes (a body of 2048)',
    frame: {
      type: 'MODEL_CHUNK',
      seq: 10,
      offset: 4088,
      bytes: bytes(2044, (i) => (i * 7 + 3) & 0xff),
    },
  },
  {
    name: 'model_chunk_zeros',
    description: 'MODEL_CHUNK whose body is all zeros (offset 0, 64 zero bytes), seq 0',
    frame: { type: 'MODEL_CHUNK', seq: 0, offset: 0, bytes: '00'.repeat(64) },
  },
  {
    name: 'cobs_run_254_then_zero',
    description:
      'COBS: the frame starts with exactly 254 non-zero bytes and a zero: a 0xFF code, then a code of 1',
    frame: {
      type: 'MODEL_CHUNK',
      seq: 0x0101,
      offset: 0x01010101,
      bytes: bytes(247, (i) => 1 + (i % 255)) + '00' + bytes(8, (i) => 0x41 + i),
    },
  },
  {
    name: 'cobs_frame_254_nonzero',
    description:
      'COBS: a frame of exactly 254 bytes, none zero: one 0xFF block and nothing after it (no empty final block)',
    frame: nonZeroChunk(254)(seqWithoutZeros(nonZeroChunk(254))),
  },
  {
    name: 'cobs_frame_600_nonzero',
    description: 'COBS: 600 non-zero bytes: three blocks, two of code 0xFF',
    frame: nonZeroChunk(600)(seqWithoutZeros(nonZeroChunk(600))),
  },
  { name: 'model_commit', description: 'MODEL_COMMIT', frame: { type: 'MODEL_COMMIT', seq: 11 } },
  { name: 'model_abort', description: 'MODEL_ABORT', frame: { type: 'MODEL_ABORT', seq: 12 } },
  {
    name: 'hello',
    description: 'HELLO of the host port: 3 channels, 4 rates, slot A valid and active',
    frame: hello,
  },
  {
    name: 'hello_no_model',
    description:
      'HELLO with no model, one channel with a UTF-8 name, no rates, streaming from the host',
    frame: {
      ...hello,
      seq: 0x8001,
      firmware: [0, 12, 255],
      deviceId: 'ffeeddccbbaa0099',
      board: 'qemu-mps2-an386',
      maxBody: 256,
      window: 1,
      rateHz: 416.5,
      rates: [],
      channels: ['temp °C'],
      flags: 3,
      active: 0,
      slots: [slotB, damaged],
      counters: { crc: 0, cobs: 0, oversize: 0xffffffff, short: 0 },
    },
  },
  {
    name: 'ack_start',
    description: 'ACK of START: no reply body',
    frame: { type: 'ACK', seq: 2, command: FRAME_TYPES.START },
  },
  {
    name: 'ack_model_begin',
    description: 'ACK of MODEL_BEGIN: the chunk size',
    frame: { type: 'ACK', seq: 8, command: FRAME_TYPES.MODEL_BEGIN, chunk: 2044 },
  },
  {
    name: 'ack_model_chunk',
    description: 'ACK of MODEL_CHUNK: the next offset expected',
    frame: { type: 'ACK', seq: 9, command: FRAME_TYPES.MODEL_CHUNK, next: 2060 },
  },
  {
    name: 'ack_model_commit',
    description: 'ACK of MODEL_COMMIT: slot B now active, slot A kept',
    frame: {
      type: 'ACK',
      seq: 11,
      command: FRAME_TYPES.MODEL_COMMIT,
      active: 2,
      slots: [slotA, { state: 1, size: 18_432, crc32: 0x55aa00ff, modelId: 9, arenaBytes: 6_400 }],
    },
  },
  {
    name: 'nak_out_of_order',
    description: 'NAK OUT_OF_ORDER of a MODEL_CHUNK, with the offset expected and a message',
    frame: {
      type: 'NAK',
      seq: 10,
      command: FRAME_TYPES.MODEL_CHUNK,
      code: NAK_CODES.OUT_OF_ORDER,
      detail: 2044,
      message: 'chunk at 4088, expected 2044',
    },
  },
  {
    name: 'nak_unknown_type',
    description: 'NAK UNKNOWN_TYPE of a command type 0x7E, no message',
    frame: {
      type: 'NAK',
      seq: 13,
      command: 0x7e,
      code: NAK_CODES.UNKNOWN_TYPE,
      detail: 0,
      message: '',
    },
  },
  {
    name: 'data_f32',
    description: 'DATA: four 3-channel samples as f32',
    frame: {
      type: 'DATA',
      seq: 100,
      timeUs: 1_250_000,
      count: 4,
      channels: 3,
      encoding: 1,
      values: [
        0.5, -0.25, 0.984375, 0.4375, -0.1875, 1.015625, 0, -0.5, 1, -1.5, 2.75, 0.0009765625,
      ],
    },
  },
  {
    name: 'data_i16',
    description: 'DATA: three 2-channel samples as i16 × 2^-11 (the extremes among them)',
    frame: {
      type: 'DATA',
      seq: 101,
      timeUs: 1_260_000,
      count: 3,
      channels: 2,
      encoding: 2,
      scale: 0.00048828125,
      values: [0, 2048, -32768, 32767, -1, 1],
    },
  },
  {
    name: 'data_seq_wrap',
    description: 'DATA with seq 65535 (the next is 0) at a large device time (2^40 µs)',
    frame: {
      type: 'DATA',
      seq: 65535,
      timeUs: 2 ** 40,
      count: 1,
      channels: 3,
      encoding: 1,
      values: [0.5, 0.5, 0.5],
    },
  },
  {
    name: 'data_zeros',
    description: 'DATA at time 0, seq 0, with all-zero values (a body of zeros)',
    frame: {
      type: 'DATA',
      seq: 0,
      timeUs: 0,
      count: 8,
      channels: 3,
      encoding: 1,
      values: Array.from({ length: 24 }, () => 0),
    },
  },
  {
    name: 'inference_classifier',
    description: 'INFERENCE of the device’s own window: a classifier, so the score is NaN (null)',
    frame: {
      type: 'INFERENCE',
      seq: 0,
      windowEndUs: 3_000_000,
      modelCrc32: 0x1a2b3c4d,
      latencyUs: 1_234,
      instructions: 0,
      count: 3,
      outputs: [-128, 127, -1],
      score: NaN,
    },
  },
  {
    name: 'inference_input',
    description: 'INFERENCE answering INPUT seq 7: window end 0, instructions counted, a score',
    frame: {
      type: 'INFERENCE',
      seq: 7,
      windowEndUs: 0,
      modelCrc32: 0xcafef00d,
      latencyUs: 0,
      instructions: 123_456,
      count: 4,
      outputs: [10, -20, 0, 100],
      score: 0.75,
    },
  },
  {
    name: 'log_info',
    description: 'LOG at info level',
    frame: { type: 'LOG', seq: 0, level: 1, text: 'model 7 loaded: 6144 B arena' },
  },
  {
    name: 'log_error_empty',
    description: 'LOG at error level with no text',
    frame: { type: 'LOG', seq: 0, level: 3, text: '' },
  },
]

/** The golden file's entry: NaN is null in JSON. */
function entry({ name, description, frame }: Golden) {
  const { type, seq, ...fields } = frame
  return {
    name,
    description,
    type,
    seq,
    fields: JSON.parse(JSON.stringify(fields, (_, v) => (Number.isNaN(v) ? null : v))) as object,
    frame: toHex(encodeFrameBytes(frame)),
    wire: toHex(encodeFrame(frame)),
  }
}

/** The golden file's text, formatted as Prettier formats JSON. */
export async function goldenFramesText(): Promise<string> {
  const options = await resolveConfig(GOLDEN_FRAMES_PATH)
  return format(JSON.stringify({ frames: frames.map(entry) }), {
    ...options,
    filepath: GOLDEN_FRAMES_PATH,
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(GOLDEN_FRAMES_PATH, await goldenFramesText())
  console.log(`${GOLDEN_FRAMES_PATH}: ${frames.length} frames`)
}
