import type { ModelMetadata } from '../deploy/c-model.js'
import { ByteReader, ByteWriter, TruncatedError } from './protocol/bytes.js'
import { crc32 } from './protocol/crc32.js'

/**
 * The TinyLoop model image (docs/protocol.md, "The model image"): what is flashed. The exported
 * `.tflite` with what a device needs to feed it as the app did: the window, the features, the
 * normalization constants, the channels and classes.
 */
export const MODEL_IMAGE_MAGIC = 'TLMI'
export const MODEL_IMAGE_VERSION = 1
/** Where the variable part starts in version 1. */
export const MODEL_IMAGE_HEADER_BYTES = 68
const TFLITE_ALIGN = 16
/** `TINYLOOP_FEATURE_KIND`: 0 raw, 1 snapshot, 2 stats, 3 spectral. */
const FEATURE_KINDS = ['raw', 'snapshot', 'stats', 'spectral'] as const
const FLAG_NORMALIZED = 1

/** `modelKind`: 0 a classifier, 1 an autoencoder, 2 a Gaussian (docs/protocol.md). */
export const MODEL_KINDS = ['classifier', 'autoencoder', 'gaussian'] as const

/**
 * What an anomaly model's image adds after its class names (docs/protocol.md): the threshold a
 * score is flagged over, and a Gaussian's constants (its image has no .tflite).
 */
export type AnomalyImagePart =
  | { kind: 'autoencoder'; threshold: number }
  | { kind: 'gaussian'; threshold: number; mean: number[]; precision: number[] }

export interface ModelImage {
  version: number
  totalBytes: number
  /** The CRC-32 of the whole image: what `MODEL_BEGIN` sends and a device reports. */
  crc32: number
  modelId: number
  arenaBytes: number
  sampleRateHz: number
  windowSamples: number
  strideSamples: number
  channels: string[]
  featureKind: (typeof FEATURE_KINDS)[number]
  featureCount: number
  bands: number
  rawLength: number
  classes: string[]
  /** 0: a classifier; 1: an autoencoder; 2: a Gaussian. */
  modelKind: number
  /** An anomaly model's threshold (and a Gaussian's constants); null for a classifier. */
  anomaly: AnomalyImagePart | null
  normalization: { mean: number[]; std: number[] } | null
  inputScale: number
  inputZeroPoint: number
  outputScale: number
  outputZeroPoint: number
  tfliteOffset: number
  tflite: Uint8Array
}

/** An image that is not one, or not whole; the message says what is wrong. */
export class ModelImageError extends Error {}

/** The image of a run's exported model (`meta` as the other exports describe it). */
export function writeModelImage(
  meta: ModelMetadata,
  tflite: Uint8Array,
  anomaly: AnomalyImagePart | null = null,
): Uint8Array {
  const featureKind = FEATURE_KINDS.indexOf(meta.features.kind as ModelImage['featureKind'])
  if (featureKind < 0) throw new RangeError(`No image for features of kind ${meta.features.kind}.`)
  const { window } = meta
  const featureCount = meta.features.names.length
  const w = new ByteWriter()
  w.bytes(new TextEncoder().encode(MODEL_IMAGE_MAGIC))
  w.u16(MODEL_IMAGE_VERSION).u16(MODEL_IMAGE_HEADER_BYTES)
  const sizesAt = w.length
  w.zeros(12) // totalBytes, tfliteOffset, tfliteBytes: below, once known
  w.u32(meta.runId).u32(meta.arenaBytes).f32(window.sampleRateHz)
  w.u32(window.samples).u32(Math.round((window.strideMs / 1000) * window.sampleRateHz))
  w.u8(window.channels.length).u8(featureKind).u16(featureCount)
  w.u16(meta.features.bands).u16(meta.features.rawLength ?? 0)
  w.u8(meta.classes.length)
    .u8(anomaly ? MODEL_KINDS.indexOf(anomaly.kind) : 0)
    .u8(meta.normalization ? FLAG_NORMALIZED : 0)
    .u8(0)
  w.f32(meta.input.scale).i32(meta.input.zeroPoint)
  w.f32(meta.output.scale).i32(meta.output.zeroPoint)
  if (meta.normalization) {
    const { mean, std } = meta.normalization
    if (mean.length !== featureCount || std.length !== featureCount) {
      throw new RangeError('The normalization does not have one mean and std per feature.')
    }
    for (const v of mean) w.f64(v)
    for (const v of std) w.f64(v)
  }
  for (const name of window.channels) w.str8(name)
  for (const name of meta.classes) w.str8(name)
  if (anomaly) {
    w.f64(anomaly.threshold)
    if (anomaly.kind === 'gaussian') {
      if (
        anomaly.mean.length !== featureCount ||
        anomaly.precision.length !== featureCount * featureCount
      ) {
        throw new RangeError('The Gaussian needs a mean per feature and features² precisions.')
      }
      for (const v of anomaly.mean) w.f64(v)
      for (const v of anomaly.precision) w.f64(v)
    }
  }
  const tfliteOffset = Math.ceil(w.length / TFLITE_ALIGN) * TFLITE_ALIGN
  w.zeros(tfliteOffset - w.length).bytes(tflite)
  const image = w.finish()
  const view = new DataView(image.buffer)
  view.setUint32(sizesAt, image.length, true)
  view.setUint32(sizesAt + 4, tfliteOffset, true)
  view.setUint32(sizesAt + 8, tflite.length, true)
  return image
}

/** Reads and checks an image: magic, version, sizes, offsets, names. */
export function readModelImage(bytes: Uint8Array): ModelImage {
  const r = new ByteReader(bytes)
  try {
    const magic = new TextDecoder().decode(r.bytes(4))
    if (magic !== MODEL_IMAGE_MAGIC) {
      throw new ModelImageError('This is not a TinyLoop model image (its magic is not TLMI).')
    }
    const version = r.u16()
    if (version !== MODEL_IMAGE_VERSION) {
      throw new ModelImageError(`Model image version ${version}: this TinyLoop reads version 1.`)
    }
    const headerBytes = r.u16()
    const totalBytes = r.u32()
    const tfliteOffset = r.u32()
    const tfliteBytes = r.u32()
    if (headerBytes < MODEL_IMAGE_HEADER_BYTES || totalBytes !== bytes.length) {
      throw new ModelImageError(
        `The image says it has ${totalBytes} bytes and a ${headerBytes}-byte header; it has ${bytes.length} bytes.`,
      )
    }
    if (
      tfliteOffset % TFLITE_ALIGN !== 0 ||
      tfliteOffset < headerBytes ||
      tfliteOffset + tfliteBytes !== totalBytes
    ) {
      throw new ModelImageError('The .tflite of the image is not where its header says.')
    }
    const modelId = r.u32()
    const arenaBytes = r.u32()
    const sampleRateHz = r.f32()
    const windowSamples = r.u32()
    const strideSamples = r.u32()
    const channelCount = r.u8()
    const kind = FEATURE_KINDS[r.u8()]
    if (kind === undefined) throw new ModelImageError('The image has an unknown feature kind.')
    const featureCount = r.u16()
    const bands = r.u16()
    const rawLength = r.u16()
    const classCount = r.u8()
    const modelKind = r.u8()
    const flags = r.u8()
    r.u8()
    const inputScale = r.f32()
    const inputZeroPoint = r.i32()
    const outputScale = r.f32()
    const outputZeroPoint = r.i32()
    r.bytes(headerBytes - MODEL_IMAGE_HEADER_BYTES)
    let normalization: ModelImage['normalization'] = null
    if (flags & FLAG_NORMALIZED) {
      const mean = Array.from({ length: featureCount }, () => r.f64())
      const std = Array.from({ length: featureCount }, () => r.f64())
      normalization = { mean, std }
    }
    const channels = Array.from({ length: channelCount }, () => r.str8())
    const classes = Array.from({ length: classCount }, () => r.str8())
    const kindName = MODEL_KINDS[modelKind]
    if (kindName === undefined) {
      throw new ModelImageError(`The image's model kind ${modelKind} is not one TinyLoop knows.`)
    }
    let anomaly: AnomalyImagePart | null = null
    if (kindName === 'autoencoder') anomaly = { kind: 'autoencoder', threshold: r.f64() }
    if (kindName === 'gaussian') {
      const threshold = r.f64()
      const mean = Array.from({ length: featureCount }, () => r.f64())
      const precision = Array.from({ length: featureCount * featureCount }, () => r.f64())
      anomaly = { kind: 'gaussian', threshold, mean, precision }
    }
    if (kindName === 'gaussian' ? tfliteBytes !== 0 : tfliteBytes === 0) {
      throw new ModelImageError(
        kindName === 'gaussian'
          ? 'A Gaussian image carries no .tflite.'
          : 'The image has no .tflite.',
      )
    }
    if (bytes.length - r.remaining > tfliteOffset) {
      throw new ModelImageError('The names of the image run into its .tflite.')
    }
    if (bytes.subarray(bytes.length - r.remaining, tfliteOffset).some((b) => b !== 0)) {
      throw new ModelImageError('The padding before the .tflite is not zeros.')
    }
    return {
      version,
      totalBytes,
      crc32: crc32(bytes),
      modelId,
      arenaBytes,
      sampleRateHz,
      windowSamples,
      strideSamples,
      channels,
      featureKind: kind,
      featureCount,
      bands,
      rawLength,
      classes,
      modelKind,
      anomaly,
      normalization,
      inputScale,
      inputZeroPoint,
      outputScale,
      outputZeroPoint,
      tfliteOffset,
      tflite: bytes.slice(tfliteOffset, tfliteOffset + tfliteBytes),
    }
  } catch (err) {
    if (err instanceof TruncatedError) throw new ModelImageError('The image is cut short.')
    throw err
  }
}
