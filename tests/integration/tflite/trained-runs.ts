import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TrainConfig, type DatasetConfigInput } from '../../../src-preload/contract/index.js'
import { DatasetService } from '../../../src-main/dataset/dataset-service.js'
import { ClassService } from '../../../src-main/labels/class-service.js'
import { localClient } from '../../../src-main/rpc/local-client.js'
import { createServices } from '../../../src-main/services.js'
import { toJsonObject } from '../../../src-main/store/json.js'
import { initEngine } from '../../../src-main/training/engine.js'
import { prepareRun } from '../../../src-main/training/job.js'
import { readStoredModel, storeRunResult } from '../../../src-main/training/run-record.js'
import { splitIndices, trainModel } from '../../../src-main/training/train-loop.js'
import { evaluateInt8, floatModelOf, type Int8Evaluation } from '../../../src-main/tflite/index.js'

export type StoredRun = NonNullable<ReturnType<typeof readStoredModel>>

export interface TrainedRun {
  preset: 'dense' | 'conv1d'
  features: string
  stored: StoredRun
  /** Every window of the dataset, normalized as the model takes them, and its class index. */
  windows: Float32Array[]
  labels: number[]
  /** Indices into `windows` of the test split (held out from training and calibration). */
  test: number[]
}

export const PRESET_DATASETS: {
  preset: 'dense' | 'conv1d'
  features: NonNullable<DatasetConfigInput['features']>
}[] = [
  { preset: 'dense', features: { kind: 'spectral', bands: 16 } },
  { preset: 'conv1d', features: { kind: 'raw' } },
]

/**
 * Each preset trained as a run trains it, in this process: a labeled demo project (the demo
 * machine), the dataset built and normalized by the training service's own job preparation,
 * TF.js's training loop on WebAssembly, and the run stored and read back the way the export
 * reads it (run-record.ts). `epochs` stays small for tests; the benchmark trains longer.
 */
export async function trainPresets(opts: {
  minutes: number
  epochs: number
}): Promise<TrainedRun[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-tflite-'))
  const services = createServices({
    mode: 'cli',
    userDataDir: join(dir, 'data'),
    projectPath: join(dir, 'demo.tinyloop'),
  })
  try {
    await localClient(services.dispatch).call('data.demo', {
      minutes: opts.minutes,
      recordings: 3,
      seed: 3,
    })
    const tf = await initEngine('wasm')
    const project = services.projects.project()
    // The services keep their dataset service to themselves: one more, on the same project.
    const classes = new ClassService({ project: () => project, events: services.events })
    const datasets = new DatasetService({ project: () => project, classes })
    const runs: TrainedRun[] = []
    for (const { preset, features } of PRESET_DATASETS) {
      const prepared = prepareRun(
        project,
        datasets,
        TrainConfig.parse({
          dataset: { windowMs: 1000, strideMs: 500, features },
          model: { preset },
          training: { epochs: opts.epochs, earlyStopping: { enabled: false, patience: 10 } },
        }),
      )
      const result = await trainModel(tf, prepared.job, {
        onBatch: () => {},
        onEpoch: () => {},
        cancelled: () => false,
      })
      const runId = project.runs.create({
        status: 'running',
        config: toJsonObject(prepared.config),
      })
      storeRunResult(project, runId, prepared, result)
      const stored = readStoredModel(project, runId)
      if (!stored) throw new Error(`The ${preset} run stored no model.`)
      const { x, y, split, inputShape } = prepared.job
      const width = inputShape.reduce((a, b) => a * b, 1)
      runs.push({
        preset,
        features: prepared.datasetConfig.features.kind,
        stored,
        windows: Array.from({ length: y.length }, (_, i) => x.slice(i * width, (i + 1) * width)),
        labels: Array.from(y),
        test: splitIndices(split)[2],
      })
    }
    return runs
  } finally {
    await services.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The run's float model against the int8 file `bytes` on its held-out test windows. */
export function evaluateOnTest(run: TrainedRun, bytes: Uint8Array): Int8Evaluation {
  return evaluateInt8(
    floatModelOf(run.stored.model, run.stored.weights),
    bytes,
    run.test.map((i) => run.windows[i]!),
    run.test.map((i) => run.labels[i]!),
  )
}
