import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { z } from 'zod'
import { FrameDecoder } from '../../../src-main/device/protocol/frame-decoder.js'
import {
  encodeFrame,
  encodeFrameBytes,
  FRAME_TYPES,
  type Frame,
  toHex,
} from '../../../src-main/device/protocol/frames.js'
import { GOLDEN_FRAMES_PATH, goldenFramesText } from '../../../scripts/golden-frames.js'

// tests/golden/frames.json is the contract with the C++ codec: each frame decodes from its wire
// bytes to its fields and encodes from its fields to its wire bytes, and the file is exactly
// what scripts/golden-frames.ts writes.

const GoldenFile = z.object({
  frames: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      type: z.enum(Object.keys(FRAME_TYPES) as [keyof typeof FRAME_TYPES]),
      seq: z.number().int().min(0).max(0xffff),
      fields: z.record(z.string(), z.unknown()),
      frame: z.string().regex(/^([0-9a-f]{2})+$/),
      wire: z.string().regex(/^([0-9a-f]{2})+00$/),
    }),
  ),
})
const text = readFileSync(GOLDEN_FRAMES_PATH, 'utf8')
const golden = GoldenFile.parse(JSON.parse(text)).frames

/** JSON's null is NaN (an INFERENCE's score). */
const fromJson = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value), (_, v: unknown) => (v === null ? NaN : v))

test('the golden file is what scripts/golden-frames.ts writes', async () => {
  expect(text).toBe(await goldenFramesText())
})

test('the golden frames cover every frame type', () => {
  expect(new Set(golden.map((g) => g.type))).toEqual(new Set(Object.keys(FRAME_TYPES)))
})

test.each(golden.map((g) => [g.name, g] as const))('%s decodes and encodes', (_, g) => {
  const expected = { type: g.type, seq: g.seq, ...(fromJson(g.fields) as object) } as Frame
  const decoded: Frame[] = []
  const decoder = new FrameDecoder()
  decoder.push(Buffer.from(g.wire, 'hex'), (f) => decoded.push(f))
  expect(decoder.counters.dropped).toBe(0)
  expect(decoded).toEqual([expected])
  expect(toHex(encodeFrameBytes(expected))).toBe(g.frame)
  expect(toHex(encodeFrame(expected))).toBe(g.wire)
})
