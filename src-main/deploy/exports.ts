import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readdir, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { strToU8, zipSync } from 'fflate'
import type { ModelExportFormat } from '../../src-preload/contract/index.js'
import { writeOutputFile } from '../data/export/output-file.js'
import { ServiceError } from '../rpc/errors.js'
import type { TfliteExport } from '../tflite/index.js'
import type { StoredModel } from '../training/run-record.js'
import { writeModelImage, type AnomalyImagePart } from '../device/model-image.js'
import { anomalyModelFiles } from './c-anomaly.js'
import { metadataOf, modelHeader, modelSource, type ModelMetadata } from './c-model.js'
import type { HeldOut } from './held-out.js'

export interface ExportedFiles {
  format: ModelExportFormat
  path: string
  files: string[]
}

export interface ExportSource {
  runId: number
  run: {
    stored: { model: StoredModel }
    bytes: Uint8Array
    sha256: string
    ops: string[]
    exported: Pick<TfliteExport, 'input' | 'output' | 'plan'>
  }
  heldOut: HeldOut
}

/**
 * An anomaly run to export (docs/anomaly.md, "Exports"): what its model image holds, the
 * autoencoder's int8 file (empty for a Gaussian, which has none) and the anomaly part.
 */
export interface AnomalyExportSource {
  runId: number
  meta: ModelMetadata
  tflite: Uint8Array
  anomaly: AnomalyImagePart
  normalClasses: string[]
}

/** A run to export: a classifier's or an anomaly model's. */
export type AnySource = ExportSource | AnomalyExportSource

const IMAGE_FILE = 'model.tlmi'
/** Exports that are one file; the others are folders. */
const SINGLE_FILES: Partial<Record<ModelExportFormat, string>> = {
  tflite: 'model.tflite',
  image: IMAGE_FILE,
}

/** The feature code the device runs: the app's own definitions in C (docs/features-c.md). */
const FEATURE_FILES = ['tinyloop_features.h', 'tinyloop_features.c']

/** The files of an export, by their path inside it. */
export function exportContents(
  source: ExportSource,
  format: ModelExportFormat,
): Map<string, Uint8Array> {
  const { run } = source
  const meta = metadataOf({
    runId: source.runId,
    model: run.stored.model,
    heldOut: source.heldOut,
    card: {
      input: run.exported.input,
      output: run.exported.output,
      file: { bytes: run.bytes.length, sha256: run.sha256 },
      arenaBytes: run.exported.plan.arenaBytes,
      ops: run.ops,
    },
  })
  const c = new Map<string, Uint8Array>([
    ['tinyloop_model.h', strToU8(modelHeader(meta))],
    ['tinyloop_model.c', strToU8(modelSource(meta, run.bytes))],
    ...FEATURE_FILES.map((name): [string, Uint8Array] => [
      name,
      shipped('native', 'features', name),
    ]),
  ])
  switch (format) {
    case 'tflite':
      return new Map([['model.tflite', run.bytes]])
    case 'c':
      return c
    case 'bundle':
      return new Map([
        ['model.tflite', run.bytes],
        ['metadata.json', strToU8(`${JSON.stringify(meta, null, 2)}\n`)],
        ...c,
      ])
    case 'arduino':
      return arduinoLibrary(meta, c)
    case 'image':
      return new Map([[IMAGE_FILE, writeModelImage(meta, run.bytes)]])
  }
}

/**
 * The files of an anomaly run's export: its C (anomalyModelFiles) with the feature code, the
 * autoencoder's .tflite, a bundle of what applies, its model image, an Arduino library whose
 * sketch scores windows. A Gaussian has no .tflite: that one is refused in words.
 */
export function anomalyExportContents(
  source: AnomalyExportSource,
  format: ModelExportFormat,
): Map<string, Uint8Array> {
  const { meta, tflite, anomaly, runId } = source
  if (format === 'tflite' && anomaly.kind === 'gaussian') {
    throw new ServiceError(
      'UNSUPPORTED',
      `Run ${runId} is a Gaussian anomaly model: it has no .tflite (no neural network, a mean and an inverse covariance; docs/anomaly.md). Export it as C (--format c), a bundle or a model image.`,
    )
  }
  if (format === 'tflite') return new Map([['model.tflite', tflite]])
  if (format === 'image') return new Map([[IMAGE_FILE, writeModelImage(meta, tflite, anomaly)]])
  const { header, source: code } = anomalyModelFiles(meta, tflite, anomaly)
  const c = new Map<string, Uint8Array>([
    ['tinyloop_model.h', strToU8(header)],
    ['tinyloop_model.c', strToU8(code)],
    ...FEATURE_FILES.map((name): [string, Uint8Array] => [
      name,
      shipped('native', 'features', name),
    ]),
  ])
  // The library's sketch scores windows as the app does (resources/arduino/TinyLoopAnomaly.ino).
  if (format === 'arduino') return arduinoLibrary(meta, c, 'TinyLoopAnomaly')
  if (format === 'c') return c
  const metadata = {
    ...meta,
    anomaly: { ...anomaly, normalClasses: source.normalClasses },
  }
  return new Map([
    ...(tflite.length > 0 ? [['model.tflite', tflite] as [string, Uint8Array]] : []),
    ['metadata.json', strToU8(`${JSON.stringify(metadata, null, 2)}\n`)],
    ...c,
  ])
}

function contentsOf(source: AnySource, format: ModelExportFormat): Map<string, Uint8Array> {
  return 'anomaly' in source
    ? anomalyExportContents(source, format)
    : exportContents(source, format)
}

/** The model image of the run (docs/protocol.md): what `tinyloop flash` sends. */
export function imageOf(source: AnySource): Uint8Array {
  return contentsOf(source, 'image').get(IMAGE_FILE) as Uint8Array
}

/** Writes an image made elsewhere (an anomaly run's) as `exportFiles` writes a single file. */
export async function exportImageFile(
  image: Uint8Array,
  path: string,
  overwrite: boolean,
): Promise<ExportedFiles> {
  const target = resolve(path)
  await writeOutputFile(target, overwrite, (sink) => sink.write(image))
  return { format: 'image', path: target, files: [target] }
}

/**
 * Writes an export where the user said: `tflite`, `image` and `arduino` (a .zip) as that file, `c` and
 * `bundle` into that folder (made if missing). Nothing is written outside it, no file is
 * replaced unless `overwrite`, and each file is complete or absent (writeOutputFile).
 */
export async function exportFiles(
  source: AnySource,
  format: ModelExportFormat,
  path: string,
  overwrite: boolean,
): Promise<ExportedFiles> {
  const target = resolve(path)
  const contents = contentsOf(source, format)
  const single = SINGLE_FILES[format]
  if (single || format === 'arduino') {
    const bytes = single
      ? (contents.get(single) as Uint8Array)
      : zipSync(Object.fromEntries(contents), { level: 6 })
    await writeOutputFile(target, overwrite, (sink) => sink.write(bytes))
    return { format, path: target, files: [target] }
  }
  await prepareFolder(target, overwrite)
  const files: string[] = []
  for (const [name, bytes] of contents) {
    const file = join(target, name)
    await writeOutputFile(file, overwrite, (sink) => sink.write(bytes))
    files.push(file)
  }
  return { format, path: target, files }
}

/** The export as one file for a browser to download: folders as a .zip. */
export function downloadOf(
  source: AnySource,
  format: ModelExportFormat,
  stem: string,
): { fileName: string; bytes: Uint8Array } {
  const contents = contentsOf(source, format)
  const single = SINGLE_FILES[format]
  if (single) {
    const extension = single.slice(single.lastIndexOf('.'))
    return { fileName: `${stem}${extension}`, bytes: contents.get(single) as Uint8Array }
  }
  const folder = format === 'arduino' ? '' : `${stem}-${format}/`
  const entries = Object.fromEntries([...contents].map(([name, bytes]) => [folder + name, bytes]))
  return { fileName: `${stem}-${format}.zip`, bytes: zipSync(entries, { level: 6 }) }
}

async function prepareFolder(folder: string, overwrite: boolean): Promise<void> {
  const existing = await stat(folder).catch(() => null)
  if (existing && !existing.isDirectory()) {
    throw new ServiceError(
      'ALREADY_EXISTS',
      `${folder} is a file; this export is a folder of files. Give a folder name.`,
    )
  }
  if (existing && !overwrite && (await readdir(folder)).length > 0) {
    throw new ServiceError(
      'ALREADY_EXISTS',
      `${folder} is not empty and was left as it is. Choose an empty or new folder, or allow ` +
        'replacing its files (--force on the command line).',
    )
  }
  const parent = await stat(dirname(folder)).catch(() => null)
  if (!parent?.isDirectory()) {
    throw new ServiceError(
      'NOT_FOUND',
      `The folder ${dirname(folder)} does not exist. Create it first.`,
    )
  }
  await mkdir(folder, { recursive: false }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error
  })
}

/**
 * An Arduino library (for the IDE's "Add .ZIP Library"): the model and feature code in `src/`,
 * and an example sketch that reads the Nano 33 BLE Sense's IMU, builds windows, runs the model
 * with TensorFlow Lite Micro (an op resolver with exactly its operators, a static arena of the
 * planned size) and prints the class. It needs the TensorFlow Lite Micro Arduino library.
 */
function arduinoLibrary(
  meta: ModelMetadata,
  c: Map<string, Uint8Array>,
  sketch: 'TinyLoopClassifier' | 'TinyLoopAnomaly' = 'TinyLoopClassifier',
): Map<string, Uint8Array> {
  const root = 'TinyLoopModel'
  const template = (name: string) =>
    new TextDecoder()
      .decode(shipped('resources', 'arduino', name))
      .replaceAll('@RUN@', String(meta.runId))
      .replaceAll('@KIND@', sketch === 'TinyLoopAnomaly' ? 'anomaly detector' : 'classifier')
      .replaceAll('@OPS@', resolverLines(meta))
      .replaceAll('@OP_COUNT@', String(meta.ops.length))
  const files = new Map<string, Uint8Array>([
    [`${root}/library.properties`, strToU8(template('library.properties'))],
    [`${root}/src/TinyLoopModel.h`, strToU8(template('TinyLoopModel.h'))],
    [`${root}/examples/${sketch}/${sketch}.ino`, strToU8(template(`${sketch}.ino`))],
    [`${root}/metadata.json`, strToU8(`${JSON.stringify(meta, null, 2)}\n`)],
  ])
  for (const [name, bytes] of c) files.set(`${root}/src/${name}`, bytes)
  return files
}

/** TFLite Micro's MicroMutableOpResolver methods for the model's operators. */
const RESOLVER_METHOD: Record<string, string> = {
  FULLY_CONNECTED: 'AddFullyConnected',
  CONV_2D: 'AddConv2D',
  DEPTHWISE_CONV_2D: 'AddDepthwiseConv2D',
  MAX_POOL_2D: 'AddMaxPool2D',
  AVERAGE_POOL_2D: 'AddAveragePool2D',
  MEAN: 'AddMean',
  RESHAPE: 'AddReshape',
  SOFTMAX: 'AddSoftmax',
}

function resolverLines(meta: ModelMetadata): string {
  return meta.ops
    .map((op) => `  resolver.${RESOLVER_METHOD[op] ?? `/* ${op}: not in TFLite Micro */`}();`)
    .join('\n')
}

/** A file that ships with TinyLoop (the feature code, templates), from the source tree or the app. */
function shipped(...parts: string[]): Uint8Array {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    const file = join(dir, ...parts)
    if (existsSync(file)) return new Uint8Array(readFileSync(file))
    dir = dirname(dir)
  }
  throw new Error(`${join(...parts)} is missing from this installation of TinyLoop.`)
}
