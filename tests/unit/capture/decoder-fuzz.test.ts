import { expect, test } from 'vitest'
import { BinaryDecoder } from '../../../src-main/capture/decoders/binary-decoder.js'
import { MAX_LINE_BYTES } from '../../../src-main/capture/decoders/line-splitter.js'
import { LineDecoder } from '../../../src-main/capture/decoders/text-decoder.js'
import { FrameDecoder } from '../../../src-main/device/protocol/frame-decoder.js'
import { cobsEncode } from '../../../src-main/device/protocol/cobs.js'
import { crc32 } from '../../../src-main/device/protocol/crc32.js'
import {
  encodeFrame,
  encodeFrameBytes,
  type Frame,
  MAX_ENCODED_BYTES,
} from '../../../src-main/device/protocol/frames.js'
import { seededRandom } from '../../../src-main/seeded-random.js'
import { data, hello } from '../../helpers/device-frames.js'

// Random and mutated inputs through the frame decoder, the binary decoder and the text decoder,
// split into pushes at random places: none throws, what each keeps between pushes stays bounded,
// and every byte the frame decoders were given is accounted for (in a frame, dropped, an idle
// zero, or held for the next push). The default run tries 3,000 inputs per decoder;
// `DECODER_FUZZ_CASES=1000000 npx vitest run tests/unit/capture/decoder-fuzz.test.ts` tries more,
// DECODER_FUZZ_SEED picks others.

const CASES = Number(process.env.DECODER_FUZZ_CASES ?? 3000)
const SEED = Number(process.env.DECODER_FUZZ_SEED ?? 12)
const TIMEOUT_MS = Math.max(30_000, CASES * 2)

type Random = () => number
const below = (random: Random, n: number) => Math.floor(random() * n)

const frames: Frame[] = [
  hello,
  data(1, 5000, 1),
  { ...data(2, 10_000, 2), encoding: 2, scale: 0.25, values: [1, -2, 3, -32768, 32767, 0] },
  { type: 'LOG', seq: 0, level: 1, text: 'booted' },
  { type: 'NAK', seq: 3, command: 0x11, code: 4, detail: 2044, message: 'expected 2044' },
  { type: 'ACK', seq: 4, command: 0x11, next: 4096 },
  {
    type: 'INFERENCE',
    seq: 0,
    windowEndUs: 1e6,
    modelCrc32: 1,
    latencyUs: 2,
    instructions: 3,
    count: 2,
    outputs: [1, -1],
    score: NaN,
  },
]
const csvText = Buffer.from(
  'ax,ay,az\n' + Array.from({ length: 30 }, (_, i) => `${i},0.5,-${i}e-3\n`).join(''),
)
const plotterText = Buffer.from(
  Array.from({ length: 30 }, (_, i) => `ax:${i} ay:-1.5,az:3\n`).join(''),
)

/**
 * A stream of frames, some with bodies cut or changed and their CRC made right again (so they
 * reach the field parsing), then mutated: bit flips, zeros, cuts, splices, repeats, noise.
 */
function binaryInput(random: Random): Uint8Array {
  const parts: Uint8Array[] = []
  for (let n = 1 + below(random, 6); n > 0; n--) {
    const frame = frames[below(random, frames.length)]!
    parts.push(random() < 0.3 ? resealed(frame, random) : encodeFrame(frame))
  }
  return mutate(Buffer.concat(parts), random)
}

function resealed(frame: Frame, random: Random): Uint8Array {
  let bytes: Uint8Array = encodeFrameBytes(frame).subarray(0, -4)
  if (random() < 0.5) bytes = bytes.subarray(0, 3 + below(random, bytes.length - 2))
  else bytes = Uint8Array.from(bytes)
  if (random() < 0.3) bytes[0] = below(random, 256)
  if (random() < 0.5 && bytes.length > 3)
    bytes[3 + below(random, bytes.length - 3)] = below(random, 256)
  const sealed = new Uint8Array(bytes.length + 4)
  sealed.set(bytes)
  new DataView(sealed.buffer).setUint32(bytes.length, crc32(bytes), true)
  return concat(cobsEncode(sealed), Uint8Array.of(0))
}

function textInput(random: Random): Uint8Array {
  const base = random() < 0.5 ? csvText : plotterText
  return mutate(base.subarray(below(random, 40)), random)
}

function mutate(input: Uint8Array, random: Random): Uint8Array {
  let out: Uint8Array = Uint8Array.from(input)
  const kind = below(random, 8)
  if (kind === 0) return Uint8Array.from({ length: below(random, 600) }, () => below(random, 256))
  for (let m = 1 + below(random, 4); m > 0; m--) {
    const at = below(random, out.length + 1)
    switch (below(random, 6)) {
      case 0:
        if (out.length) out[Math.min(at, out.length - 1)]! ^= 1 << below(random, 8)
        break
      case 1:
        out = concat(out.subarray(0, at), Uint8Array.of(0), out.subarray(at))
        break
      case 2:
        out = out.subarray(0, at)
        break
      case 3:
        out = concat(out.subarray(0, at), out.subarray(below(random, out.length + 1)))
        break
      case 4: {
        const noise = Uint8Array.from({ length: below(random, 64) }, () => below(random, 256))
        out = concat(out.subarray(0, at), noise, out.subarray(at))
        break
      }
      case 5:
        // A long run with no zero: an endless frame or line.
        if (random() < 0.05) out = concat(out, new Uint8Array(MAX_ENCODED_BYTES + 300).fill(0x41))
        break
    }
  }
  return out
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts)
}

/** `input` in 1 to 4 pushes cut at random places. */
function pushes(input: Uint8Array, random: Random): Buffer[] {
  const cuts = Array.from({ length: below(random, 4) }, () => below(random, input.length + 1)).sort(
    (a, b) => a - b,
  )
  const out: Buffer[] = []
  let from = 0
  for (const cut of [...cuts, input.length]) {
    out.push(Buffer.from(input.subarray(from, cut)))
    from = cut
  }
  return out
}

test(`FrameDecoder: ${CASES} inputs`, { timeout: TIMEOUT_MS }, () => {
  const random = seededRandom(SEED)
  const decoder = new FrameDecoder()
  let bytes = 0
  let frames = 0
  const started = performance.now()
  for (let n = 0; n < CASES; n++) {
    const input = binaryInput(random)
    for (const part of pushes(input, random)) {
      decoder.push(part, () => frames++)
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(MAX_ENCODED_BYTES)
    }
    bytes += input.length
    if (random() < 0.1) decoder.flush()
    const b = decoder.counters.bytes
    if (b.frames + b.dropped + b.idle + decoder.heldBytes !== bytes) {
      throw new Error(`case ${n}: bytes unaccounted for`)
    }
  }
  expect(decoder.counters.frames).toBe(frames)
  report('FrameDecoder', started, bytes, decoder.counters)
})

test(`BinaryDecoder: ${CASES} inputs`, { timeout: TIMEOUT_MS }, () => {
  const random = seededRandom(SEED + 1)
  const decoder = new BinaryDecoder()
  let bytes = 0
  let samples = 0
  const started = performance.now()
  for (let n = 0; n < CASES; n++) {
    const input = binaryInput(random)
    for (const part of pushes(input, random)) {
      const batch = decoder.push(part)
      samples += batch.samples
      expect(batch.values.length).toBe(batch.samples * 3)
      const lastMark = batch.frames?.at(-1)
      if (lastMark && lastMark.firstSample >= batch.samples) {
        throw new Error(`case ${n}: a frame mark past its batch`)
      }
      decoder.talk('data')
    }
    bytes += input.length
    const b = decoder.bytes
    expect(b.buffered).toBeLessThanOrEqual(MAX_ENCODED_BYTES)
    if (b.frames + b.dropped + b.idle + b.held !== bytes) {
      throw new Error(`case ${n}: bytes unaccounted for`)
    }
  }
  expect(samples).toBeGreaterThan(0)
  report('BinaryDecoder', started, bytes, { samples, ...decoder.counters })
})

test(`LineDecoder: ${CASES} inputs`, { timeout: TIMEOUT_MS }, () => {
  const random = seededRandom(SEED + 2)
  let bytes = 0
  let samples = 0
  let rejected = 0
  const started = performance.now()
  for (let n = 0; n < CASES; n++) {
    // A new device every 50 inputs, so detection is fuzzed too.
    const decoder = new LineDecoder()
    for (let k = 0; k < 50 && n < CASES; k++, n++) {
      const input = textInput(random)
      for (const part of pushes(input, random)) {
        const batch = decoder.push(part)
        samples += batch.samples
        expect(decoder.heldBytes).toBeLessThanOrEqual(13 * (MAX_LINE_BYTES + 1))
      }
      bytes += input.length
    }
    samples += decoder.flush().samples
    const c = decoder.counters
    rejected += c.rejected
    if (c.samples + c.rejected > c.lines || decoder.heldBytes !== 0) {
      throw new Error(`case ${n}: lines unaccounted for`)
    }
  }
  expect(samples).toBeGreaterThan(0)
  report('LineDecoder', started, bytes, { samples, rejected })
})

function report(name: string, started: number, bytes: number, counts: object): void {
  if (CASES < 100_000) return
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(`${name}: ${CASES} inputs, ${bytes} bytes in ${seconds} s`, JSON.stringify(counts))
}
