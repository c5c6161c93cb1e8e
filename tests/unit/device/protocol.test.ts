import { expect, test } from 'vitest'
import { cobsDecode, cobsEncode } from '../../../src-main/device/protocol/cobs.js'
import { crc32 } from '../../../src-main/device/protocol/crc32.js'
import { FrameDecoder } from '../../../src-main/device/protocol/frame-decoder.js'
import {
  decodeBody,
  encodeFrame,
  encodeFrameBytes,
  type Frame,
  MalformedFrameError,
  MAX_ENCODED_BYTES,
} from '../../../src-main/device/protocol/frames.js'
import { seededRandom } from '../../../src-main/seeded-random.js'

const log = (seq: number, text: string): Frame => ({ type: 'LOG', seq, level: 1, text })
const decodeAll = (decoder: FrameDecoder, ...chunks: Uint8Array[]) => {
  const frames: Frame[] = []
  for (const chunk of chunks) decoder.push(chunk, (f) => frames.push(f))
  return frames
}

test('the CRC is CRC-32/ISO-HDLC', () => {
  expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926)
  expect(crc32(Buffer.from('6789'), crc32(Buffer.from('12345')))).toBe(0xcbf43926)
})

test('COBS round-trips any bytes and never emits a zero', () => {
  const random = seededRandom(5)
  for (let n = 0; n < 2000; n++) {
    const length = Math.floor(random() * 700)
    const zeros = random()
    const bytes = Uint8Array.from({ length }, () =>
      random() < zeros ? 0 : 1 + Math.floor(random() * 255),
    )
    const encoded = cobsEncode(bytes)
    expect(encoded.includes(0)).toBe(false)
    expect(cobsDecode(encoded)).toEqual(bytes)
  }
})

test('COBS refuses a code that points past the end', () => {
  expect(cobsDecode(Uint8Array.from([0x05, 1, 2]))).toBeNull()
  expect(cobsDecode(Uint8Array.from([0x02, 1, 0x03, 1]))).toBeNull()
})

test('a frame split across pushes at every byte decodes once', () => {
  const wire = encodeFrame(log(9, 'split'))
  for (let cut = 0; cut <= wire.length; cut++) {
    const decoder = new FrameDecoder()
    expect(decodeAll(decoder, wire.subarray(0, cut), wire.subarray(cut))).toEqual([log(9, 'split')])
    expect(decoder.heldBytes).toBe(0)
  }
})

test('garbage costs only the frame it hits: decoding resumes at the next zero', () => {
  const decoder = new FrameDecoder()
  const good = encodeFrame(log(1, 'kept'))
  const corrupt = encodeFrame(log(2, 'corrupted'))
  corrupt[4]! ^= 0x40
  const frames = decodeAll(
    decoder,
    Buffer.from('text line\n\0'),
    corrupt,
    good,
    Uint8Array.of(0, 0),
  )
  expect(frames).toEqual([log(1, 'kept')])
  // The text is not valid COBS (its first byte says a block of 116); the flipped bit fails the CRC.
  expect(decoder.counters.droppedBy).toMatchObject({ cobs: 1, crc: 1 })
  expect(decoder.counters.bytes).toEqual({
    frames: good.length,
    dropped: 11 + corrupt.length,
    idle: 2,
  })
})

test('drops are counted by reason', () => {
  const decoder = new FrameDecoder({ maxBody: 256 })
  const short = cobsEncode(Uint8Array.of(0x86, 0, 0, 1))
  const bigBody = encodeFrame({ type: 'LOG', seq: 0, level: 0, text: 'x'.repeat(300) })
  const unknown = encodeFrameBytes(log(0, ''))
  unknown[0] = 0xfe
  const view = new DataView(unknown.buffer)
  view.setUint32(unknown.length - 4, crc32(unknown.subarray(0, unknown.length - 4)), true)
  const malformed = Uint8Array.of(0x82, 0, 0, 0x10) // ACK of MODEL_BEGIN without its chunk size
  const withCrc = new Uint8Array(malformed.length + 4)
  withCrc.set(malformed)
  new DataView(withCrc.buffer).setUint32(malformed.length, crc32(malformed), true)
  decodeAll(
    decoder,
    short,
    Uint8Array.of(0),
    bigBody,
    Uint8Array.of(0x09, 1, 0),
    cobsEncode(unknown),
    Uint8Array.of(0),
    cobsEncode(withCrc),
    Uint8Array.of(0),
    new Uint8Array(MAX_ENCODED_BYTES + 10).fill(7),
    Uint8Array.of(0),
  )
  expect(decoder.counters.droppedBy).toEqual({
    crc: 0,
    cobs: 1,
    oversize: 2,
    short: 1,
    malformed: 1,
    unknownType: 1,
  })
  expect(decoder.heldBytes).toBe(0)
})

test('an endless frame is skipped with bounded memory, then decoding resumes', () => {
  const decoder = new FrameDecoder()
  const junk = new Uint8Array(1 << 16).fill(0x55)
  for (let i = 0; i < 64; i++) decodeAll(decoder, junk)
  expect(decoder.heldBytes).toBe(64 << 16)
  expect(decodeAll(decoder, Uint8Array.of(0), encodeFrame(log(3, 'after')))).toEqual([
    log(3, 'after'),
  ])
  expect(decoder.counters.droppedBy.oversize).toBe(1)
  expect(decoder.counters.bytes.dropped).toBe((64 << 16) + 1)
})

test('a frame cut by the end of input is dropped on flush, its bytes counted', () => {
  const decoder = new FrameDecoder()
  const wire = encodeFrame(log(1, 'cut'))
  decodeAll(decoder, wire.subarray(0, 5))
  decoder.flush()
  expect(decoder.heldBytes).toBe(0)
  expect(decoder.counters.bytes.dropped).toBe(5)
  expect(decodeAll(decoder, wire)).toEqual([log(1, 'cut')])
})

test('trailing bytes after the known fields are ignored; a short body is malformed', () => {
  expect(decodeBody(0x04, 1, Uint8Array.of(0xe8, 3, 0, 0, 9, 9))).toEqual({
    type: 'SET_RATE',
    seq: 1,
    rateHz: 1000,
  })
  expect(() => decodeBody(0x04, 1, Uint8Array.of(0xe8, 3))).toThrow(MalformedFrameError)
  expect(decodeBody(0x7e, 1, new Uint8Array(0))).toBeNull()
})

test('DATA of an unknown encoding, or with values beyond its body, is malformed', () => {
  const head = [0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 3]
  expect(() => decodeBody(0x84, 0, Uint8Array.from([...head, 3]))).toThrow(MalformedFrameError)
  expect(() => decodeBody(0x84, 0, Uint8Array.from([...head, 1, 0, 0]))).toThrow(
    MalformedFrameError,
  )
})
