import { anomalyScorer, readStoredAnomaly, type StoredAnomaly } from '../anomaly/anomaly-run.js'
import { createHash } from 'node:crypto'
import type {
  InspectedModel,
  Int8Accuracy,
  ModelCard,
  ModelExportFormat,
  Verification,
} from '../../src-preload/contract/index.js'
import { Verification as VerificationSchema } from '../../src-preload/contract/index.js'
import type { DatasetService } from '../dataset/dataset-service.js'
import { ServiceError } from '../rpc/errors.js'
import type { Project } from '../store/project.js'
import {
  evaluateInt8,
  exportTflite,
  floatModelOf,
  predict,
  quantizeInput,
  readTflite,
  createInterpreter,
  inspectTflite,
  TfliteError,
  type TfliteExport,
} from '../tflite/index.js'
import { planModel } from '../tflite/plan.js'
import { FIRMWARE_FLASH_BYTES, FIRMWARE_RAM_BYTES } from '../training/estimate.js'
import { readStoredModel, type StoredModel } from '../training/run-record.js'
import { InputFileError, readInputFile } from '../input-file.js'
import {
  downloadOf,
  exportFiles,
  exportImageFile,
  imageOf,
  type AnomalyExportSource,
  type AnySource,
  type ExportedFiles,
} from './exports.js'
import {
  fastestStream,
  heldOutWindows,
  runDatasetConfig,
  runRecordings,
  type HeldOut,
} from './held-out.js'
import type { ModelMetadata } from './c-model.js'
import { readWindowsCsv } from './windows-csv.js'

/** The int8 file of a run, kept with it: the card, the checks and the exports use these bytes. */
const INT8_ARTIFACT = 'model-int8.tflite'
const VERIFICATION_ARTIFACT = 'verification.json'
/** Largest .tflite `inspect` reads (models for microcontrollers are kilobytes). */
const MAX_TFLITE_BYTES = 64 * 1024 ** 2

export interface DeployServiceOptions {
  project: () => Project
  datasets: DatasetService
}

/** What a run's int8 model is made of, from its stored file. */
interface Int8Run {
  stored: { model: StoredModel; weights: Float32Array; calibration: Float32Array }
  bytes: Uint8Array
  sha256: string
  /** Its operators, once each, in the file's order. */
  ops: string[]
  exported: Pick<TfliteExport, 'input' | 'output' | 'plan' | 'calibrationWindows'>
}

/**
 * Deploying trained runs: the int8 model of a run (quantized once and kept with it), its card
 * (measured on those bytes), the check in independent runtimes, and the exports for a device.
 */
export class DeployService {
  readonly #opts: DeployServiceOptions

  constructor(opts: DeployServiceOptions) {
    this.#opts = opts
  }

  card(runId: number): ModelCard {
    const project = this.#opts.project()
    const run = this.#int8(project, runId)
    const heldOut = heldOutWindows(project, this.#opts.datasets, runId, run.stored.model)
    const accuracy = (split: HeldOut['val']): Int8Accuracy | null =>
      split.windows.length === 0
        ? null
        : evaluateInt8(
            floatModelOf(run.stored.model, run.stored.weights),
            run.bytes,
            split.windows,
            split.labels,
          )
    const { plan } = run.exported
    const windowBytes = heldOut.windowFloats * 4
    return {
      runId,
      classes: run.stored.model.classNames,
      file: { bytes: run.bytes.length, sha256: run.sha256 },
      arena: {
        bytes: plan.arenaBytes,
        activationBytes: plan.activationBytes,
        lowerBoundBytes: plan.lowerBoundBytes,
        overheadBytes: plan.overheadBytes,
      },
      macs: plan.macs,
      ops: run.ops,
      input: run.exported.input,
      output: run.exported.output,
      calibrationWindows: run.exported.calibrationWindows,
      val: accuracy(heldOut.val),
      test: accuracy(heldOut.test),
      boards: plan.boards.map((board) => {
        const neededFlashBytes = run.bytes.length + FIRMWARE_FLASH_BYTES
        const neededRamBytes = plan.arenaBytes + windowBytes + FIRMWARE_RAM_BYTES
        const problems = [
          neededFlashBytes > board.flashBytes ? 'flash' : '',
          neededRamBytes > board.ramBytes ? 'RAM' : '',
        ].filter(Boolean)
        return {
          id: board.id,
          name: board.name,
          flashBytes: board.flashBytes,
          ramBytes: board.ramBytes,
          neededFlashBytes,
          neededRamBytes,
          fits: problems.length === 0,
          problem: problems.length
            ? `Needs more ${problems.join(' and ')} than the board has for an application.`
            : null,
          estimatedLatencyMs: board.estimatedLatencyMs,
        }
      }),
      verification: this.#verification(project, runId, run.sha256),
      datasetChanged: heldOut.datasetChanged,
    }
  }

  /**
   * Runs the run's int8 file in LiteRT.js and Arm NN (those installed) on up to `count` held-out
   * windows and compares the output bytes with TinyLoop's interpreter; keeps the result with the
   * run, for this file's hash.
   */
  async verify(runId: number, count: number): Promise<ModelCard> {
    const project = this.#opts.project()
    const run = this.#int8(project, runId)
    const heldOut = heldOutWindows(project, this.#opts.datasets, runId, run.stored.model)
    const windows = [...heldOut.test.windows, ...heldOut.val.windows, ...heldOut.train.windows]
      .slice(0, count)
      .map((w) => quantizeInput(w, run.exported.input))
    const { checkRuntimes } = await import('./verify.js')
    const verification: Verification = {
      sha256: run.sha256,
      checkedAt: Date.now(),
      windows: windows.length,
      runtimes: await checkRuntimes(run.bytes, windows),
    }
    project.runs.putArtifact(
      runId,
      VERIFICATION_ARTIFACT,
      new TextEncoder().encode(JSON.stringify(verification)),
    )
    return this.card(runId)
  }

  async export(
    runId: number,
    format: ModelExportFormat,
    path: string,
    overwrite: boolean,
  ): Promise<ExportedFiles> {
    const project = this.#opts.project()
    // An anomaly run's image: the bytes deploy.image gives (its other exports: #source).
    if (format === 'image' && readStoredAnomaly(project, runId)) {
      return exportImageFile(this.image(runId), path, overwrite)
    }
    return exportFiles(this.#source(project, runId), format, path, overwrite)
  }

  /** The run's model image: what a device is flashed with (the bytes `export --format image` writes). */
  image(runId: number): Uint8Array {
    return imageOf(this.#source(this.#opts.project(), runId))
  }

  /** What the exports of a run are made of: a classifier's int8 run, or an anomaly model's parts. */
  #source(project: Project, runId: number): AnySource {
    const anomaly = readStoredAnomaly(project, runId)
    if (anomaly) return this.#anomalySource(project, runId, anomaly)
    const run = this.#int8(project, runId)
    const heldOut = heldOutWindows(project, this.#opts.datasets, runId, run.stored.model)
    return { run, heldOut, runId }
  }

  /**
   * What an anomaly run's exports hold (docs/anomaly.md, "Exports"; its image: docs/protocol.md):
   * the autoencoder's int8 file with its threshold, or the Gaussian's constants (no .tflite),
   * with the window, features and normalization of the run's dataset.
   */
  #anomalySource(project: Project, runId: number, stored: StoredAnomaly): AnomalyExportSource {
    const config = runDatasetConfig(project, this.#opts.datasets, runId)
    const { sampleRateHz, channels } = fastestStream(project, runRecordings(project, runId))
    const tflite =
      stored.method === 'autoencoder'
        ? project.runs.getArtifact(runId, INT8_ARTIFACT)
        : new Uint8Array(0)
    if (!tflite) throw new ServiceError('NOT_FOUND', `Run ${runId} kept no int8 model.`)
    const parsed = tflite.length ? readTflite(tflite) : null
    // A Gaussian has no tensors: its quantization is all zeros.
    const quantOf = (tensor: number | undefined) => quantizationOf(parsed, tensor, 0)
    const meta: ModelMetadata = {
      format: 'tinyloop-model',
      version: 1,
      runId,
      classes: [],
      window: {
        ms: config.windowMs,
        strideMs: config.strideMs,
        sampleRateHz,
        samples: Math.round((config.windowMs / 1000) * sampleRateHz),
        channels,
      },
      features: {
        kind: stored.featureKind,
        names: stored.featureNames,
        bands: config.features.bands,
        rawLength: rawLengthOf(stored.featureKind, stored.featureNames),
      },
      normalization: stored.normalization,
      input: quantOf(parsed?.inputs[0]),
      output: quantOf(parsed?.outputs[0]),
      arenaBytes: parsed ? planModel(parsed).arenaBytes : 0,
      modelBytes: tflite.length,
      sha256: sha256(tflite),
      ops: parsed ? [...new Set(parsed.operatorCodes.map((c) => c.name))] : [],
    }
    return {
      runId,
      meta,
      tflite,
      anomaly:
        stored.method === 'gaussian'
          ? {
              kind: 'gaussian',
              threshold: stored.threshold,
              mean: stored.mean,
              precision: stored.precision,
            }
          : { kind: 'autoencoder', threshold: stored.threshold },
      normalClasses: stored.normalClasses,
    }
  }

  /** An export as one file's bytes, for a browser to download. */
  download(runId: number, format: ModelExportFormat) {
    const source = this.#source(this.#opts.project(), runId)
    const { fileName, bytes } = downloadOf(source, format, `tinyloop-run-${runId}`)
    return { fileName, base64: Buffer.from(bytes).toString('base64'), bytes: bytes.length }
  }

  /** What TinyLoop's reader sees in a .tflite file on this machine. */
  async inspect(path: string): Promise<InspectedModel> {
    let bytes: Buffer
    try {
      bytes = await readInputFile(path, MAX_TFLITE_BYTES)
    } catch (error) {
      if (!(error instanceof InputFileError)) throw error
      throw new ServiceError(
        error.problem === 'NOT_FOUND' ? 'NOT_FOUND' : 'INVALID_ARGUMENT',
        error.message,
      )
    }
    try {
      return inspectTflite(new Uint8Array(bytes))
    } catch (error) {
      if (error instanceof TfliteError) {
        throw new ServiceError(
          'INVALID_ARGUMENT',
          `${path} cannot be read as a .tflite: ${error.message}`,
        )
      }
      throw error
    }
  }

  /** The model's int8 predictions on the windows of a `tinyloop windows --out` CSV file. */
  async predict(runId: number, path: string) {
    const project = this.#opts.project()
    const anomaly = readStoredAnomaly(project, runId)
    if (anomaly) return this.#scoreWindows(project, runId, anomaly, path)
    const run = this.#int8(project, runId)
    const { model } = run.stored
    const rows = await readWindowsCsv(path, model.featureNames)
    const interpreter = createInterpreter(readTflite(run.bytes))
    const mean = model.normalization?.mean
    const std = model.normalization?.std
    return {
      kind: 'classifier' as const,
      classes: model.classNames,
      threshold: null,
      windows: rows.map(({ line, features }) => {
        const normalized = features.map((v, f) => (v - (mean?.[f] ?? 0)) / (std?.[f] ?? 1))
        const { output, classIndex } = predict(interpreter, normalized)
        return {
          line,
          output: Array.from(output),
          classIndex,
          className: model.classNames[classIndex] ?? String(classIndex),
          score: null,
          anomalous: null,
        }
      }),
    }
  }

  /** An anomaly run's scores of the windows of a CSV, each flagged over its threshold. */
  async #scoreWindows(project: Project, runId: number, stored: StoredAnomaly, path: string) {
    const rows = await readWindowsCsv(path, stored.featureNames)
    // The Gaussian in double; the autoencoder by its int8 file, as the device scores.
    const scoreOf = anomalyScorer(project, runId, stored)
    const mean = stored.normalization?.mean
    const std = stored.normalization?.std
    const normal = stored.normalClasses.join('/')
    return {
      kind: 'anomaly' as const,
      classes: [normal, 'anomaly'],
      threshold: stored.threshold,
      windows: rows.map(({ line, features }) => {
        const normalized = features.map((v, f) => (v - (mean?.[f] ?? 0)) / (std?.[f] ?? 1))
        const score = scoreOf(normalized)
        const anomalous = score > stored.threshold
        return {
          line,
          output: [],
          classIndex: anomalous ? 1 : 0,
          className: anomalous ? 'anomaly' : normal,
          score,
          anomalous,
        }
      }),
    }
  }

  /**
   * The run's int8 file (the bytes a device gets) and the facts to feed it: classes, features,
   * normalization. Model-assisted labeling runs these bytes over a recording.
   */
  int8Model(runId: number): { bytes: Uint8Array; model: StoredModel } {
    const run = this.#int8(this.#opts.project(), runId)
    return { bytes: run.bytes, model: run.stored.model }
  }

  /** The run's stored int8 file, made (and kept) the first time it is asked for. */
  #int8(project: Project, runId: number): Int8Run {
    const anomaly = readStoredAnomaly(project, runId)
    if (anomaly) {
      throw new ServiceError(
        'UNSUPPORTED',
        `Run ${runId} is ${anomaly.method === 'gaussian' ? 'a Gaussian' : 'an autoencoder'} anomaly model: it has no classifier's card; its evaluation is in tinyloop runs and the Train and Deploy views, and it goes to a device with tinyloop flash and tinyloop export (docs/anomaly.md).`,
      )
    }
    const stored = readStoredModel(project, runId)
    if (!stored) {
      const run = project.runs.get(runId)
      throw new ServiceError(
        run ? 'INVALID_ARGUMENT' : 'NOT_FOUND',
        run
          ? `Run ${runId} has no trained model (it is ${run.status}). Deploy a completed run.`
          : `There is no run ${runId} in this project.`,
      )
    }
    let bytes = project.runs.getArtifact(runId, INT8_ARTIFACT)
    let exported: Int8Run['exported']
    if (bytes) {
      const parsed = readTflite(bytes)
      const quantOf = (tensor: number) => quantizationOf(parsed, tensor, 1)
      exported = {
        input: quantOf(parsed.inputs[0] ?? 0),
        output: quantOf(parsed.outputs[0] ?? 0),
        plan: planModel(parsed),
        calibrationWindows: stored.calibration.length / sizeOf(stored.model.inputShape),
      }
    } else {
      let made: ReturnType<typeof exportTflite>
      try {
        made = exportTflite(stored)
      } catch (error) {
        if (!(error instanceof TfliteError)) throw error
        throw new ServiceError(
          'INVALID_ARGUMENT',
          `Run ${runId} cannot be exported: ${error.message}`,
        )
      }
      bytes = made.bytes
      exported = made
      if (!project.readOnly) project.runs.putArtifact(runId, INT8_ARTIFACT, bytes)
    }
    const ops = [...new Set(readTflite(bytes).operatorCodes.map((c) => c.name))]
    return { stored, bytes, sha256: sha256(bytes), ops, exported }
  }

  #verification(project: Project, runId: number, hash: string): Verification | null {
    const bytes = project.runs.getArtifact(runId, VERIFICATION_ARTIFACT)
    if (!bytes) return null
    const parsed = VerificationSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)))
    return parsed.success && parsed.data.sha256 === hash ? parsed.data : null
  }
}

/**
 * Raw points per channel of raw features (named `<channel>_t<j>`, time-major: one `_t0` per
 * channel); null for other features.
 */
function rawLengthOf(kind: string, names: readonly string[]): number | null {
  if (kind !== 'raw') return null
  const channels = names.filter((name) => name.endsWith('_t0')).length
  return channels > 0 ? names.length / channels : null
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

/** A tensor's scale, zero point and shape, `missingScale` where it has no quantization. */
function quantizationOf(
  model: ReturnType<typeof readTflite> | null,
  tensor: number | undefined,
  missingScale: number,
) {
  const t = tensor === undefined ? undefined : model?.tensors[tensor]
  return {
    scale: t?.quantization?.scale[0] ?? missingScale,
    zeroPoint: t?.quantization?.zeroPoint[0] ?? 0,
    shape: t?.shape ?? [],
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}
