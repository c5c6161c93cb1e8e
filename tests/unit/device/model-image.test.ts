import { expect, test } from 'vitest'
import type { ModelMetadata } from '../../../src-main/deploy/c-model.js'
import {
  MODEL_IMAGE_HEADER_BYTES,
  ModelImageError,
  readModelImage,
  writeModelImage,
} from '../../../src-main/device/model-image.js'
import { crc32 } from '../../../src-main/device/protocol/crc32.js'

const meta: ModelMetadata = {
  format: 'tinyloop-model',
  version: 1,
  runId: 12,
  classes: ['normal', 'imbalance', 'bearing'],
  window: {
    ms: 1000,
    strideMs: 500,
    sampleRateHz: 400,
    samples: 400,
    channels: ['ax', 'ay', 'az'],
  },
  features: { kind: 'stats', names: ['a', 'b', 'c', 'd'], bands: 0, rawLength: null },
  normalization: { mean: [0.1, -2.5, 1 / 3, 7], std: [1, 0.5, 2 / 3, 1e-6] },
  input: { scale: 0.125, zeroPoint: -3, shape: [1, 4] },
  output: { scale: 1 / 256, zeroPoint: -128, shape: [1, 3] },
  arenaBytes: 2048,
  modelBytes: 37,
  sha256: '',
  ops: ['FULLY_CONNECTED'],
}
const tflite = Uint8Array.from({ length: 37 }, (_, i) => (i * 29 + 1) & 0xff)

test('an image holds the model and what the device needs to feed it, as docs/protocol.md lays out', () => {
  const image = writeModelImage(meta, tflite)
  const view = new DataView(image.buffer)
  expect(new TextDecoder().decode(image.subarray(0, 4))).toBe('TLMI')
  expect(view.getUint16(4, true)).toBe(1)
  expect(view.getUint16(6, true)).toBe(MODEL_IMAGE_HEADER_BYTES)
  expect(view.getUint32(8, true)).toBe(image.length)
  const offset = view.getUint32(12, true)
  expect(offset % 16).toBe(0)
  // 68 + 4 × 2 × 8 (mean, std) + 3 channel names + 3 class names, padded to 16.
  expect(offset).toBe(Math.ceil((68 + 64 + 9 + 25) / 16) * 16)
  expect(view.getUint32(16, true)).toBe(37)
  expect([view.getUint32(20, true), view.getUint32(24, true), view.getFloat32(28, true)]).toEqual([
    12, 2048, 400,
  ])
  expect([view.getUint32(32, true), view.getUint32(36, true)]).toEqual([400, 200])
  expect([image[40], image[41], view.getUint16(42, true), image[48], image[50]]).toEqual([
    3, 2, 4, 3, 1,
  ])
  expect(view.getFloat64(68, true)).toBe(0.1)
  expect(view.getFloat64(68 + 32, true)).toBe(1)
  expect(image.subarray(offset)).toEqual(tflite)

  expect(readModelImage(image)).toEqual({
    version: 1,
    totalBytes: image.length,
    crc32: crc32(image),
    modelId: 12,
    arenaBytes: 2048,
    sampleRateHz: 400,
    windowSamples: 400,
    strideSamples: 200,
    channels: ['ax', 'ay', 'az'],
    featureKind: 'stats',
    featureCount: 4,
    bands: 0,
    rawLength: 0,
    classes: ['normal', 'imbalance', 'bearing'],
    modelKind: 0,
    anomaly: null,
    normalization: meta.normalization,
    inputScale: 0.125,
    inputZeroPoint: -3,
    outputScale: Math.fround(1 / 256),
    outputZeroPoint: -128,
    tfliteOffset: offset,
    tflite,
  })
})

test("an anomaly model's image adds its threshold, and a Gaussian its constants instead of a .tflite", () => {
  const noClasses = { ...meta, classes: [] }
  const autoencoder = writeModelImage(noClasses, tflite, { kind: 'autoencoder', threshold: 0.25 })
  expect(autoencoder[48]).toBe(0)
  expect(autoencoder[49]).toBe(1)
  expect(readModelImage(autoencoder)).toMatchObject({
    modelKind: 1,
    classes: [],
    anomaly: { kind: 'autoencoder', threshold: 0.25 },
    tflite,
  })
  const mean = [0.5, -1, 2, 0]
  const precision = Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 2 : 0.125 * i))
  const gaussian = writeModelImage(noClasses, new Uint8Array(0), {
    kind: 'gaussian',
    threshold: 70.25,
    mean,
    precision,
  })
  const view = new DataView(gaussian.buffer)
  expect(gaussian[49]).toBe(2)
  expect(view.getUint32(16, true)).toBe(0)
  // After the normalization (64 bytes) and the channel names (9): threshold, mean, precision.
  expect(view.getFloat64(68 + 64 + 9, true)).toBe(70.25)
  expect(view.getFloat64(68 + 64 + 9 + 8, true)).toBe(0.5)
  expect(readModelImage(gaussian)).toMatchObject({
    modelKind: 2,
    anomaly: { kind: 'gaussian', threshold: 70.25, mean, precision },
    tflite: new Uint8Array(0),
  })
  // A kind TinyLoop does not know, a Gaussian with a .tflite, an autoencoder without one.
  const unknown = gaussian.slice()
  unknown[49] = 3
  expect(() => readModelImage(unknown)).toThrow(/model kind 3/)
  expect(() =>
    readModelImage(
      writeModelImage(noClasses, new Uint8Array(0), { kind: 'autoencoder', threshold: 1 }),
    ),
  ).toThrow(/has no .tflite/)
  expect(() =>
    writeModelImage(noClasses, tflite, { kind: 'gaussian', threshold: 1, mean, precision: [1] }),
  ).toThrow(/features² precisions/)
})

test('without normalization, the names follow the header', () => {
  const image = writeModelImage(
    { ...meta, normalization: null, features: { ...meta.features, kind: 'raw', rawLength: 40 } },
    tflite,
  )
  const read = readModelImage(image)
  expect(read).toMatchObject({ normalization: null, featureKind: 'raw', rawLength: 40 })
  expect(image[68]).toBe(2) // the length of 'ax'
})

test('a damaged or cut image is refused, saying why', () => {
  const image = writeModelImage(meta, tflite)
  const refusal = (bytes: Uint8Array) => {
    try {
      readModelImage(bytes)
    } catch (err) {
      expect(err).toBeInstanceOf(ModelImageError)
      return (err as Error).message
    }
    return 'read'
  }
  const changed = (at: number, value: number) => {
    const copy = image.slice()
    copy[at] = value
    return copy
  }
  expect(refusal(changed(0, 0x58))).toMatch(/not a TinyLoop model image/)
  expect(refusal(changed(4, 2))).toMatch(/version 2/)
  expect(refusal(image.subarray(0, image.length - 1))).toMatch(/has \d+ bytes/)
  expect(refusal(image.subarray(0, 20))).toMatch(/has \d+ bytes|cut short/)
  expect(refusal(changed(12, image[12]! + 1))).toMatch(/\.tflite of the image/)
  expect(refusal(changed(41, 9))).toMatch(/feature kind/)
  expect(refusal(changed(48, 40))).toMatch(/run into its \.tflite|cut short/)
  for (let cut = 0; cut < image.length; cut++) {
    expect(refusal(image.subarray(0, cut))).not.toBe('read')
  }
})
