/**
 * Anomaly detection on the demo project (docs/anomaly.md): both methods trained on normal windows
 * only (16 spectral bands, 1 s windows every 0.5 s), the faults held out for evaluation, with
 * the threshold at the 99th percentile of the normal validation scores and at the best F1 on
 * validation: test AUC, precision, recall, F1 and false alarms per hour, and the time to train.
 * Beside them in the same run, the dense classifier on the same dataset: its test accuracy and
 * its int8 model's size. Sizes: the Gaussian's constants (mean, inverse covariance, threshold)
 * as float32; the autoencoder's int8 .tflite and its planned arena (its scores are its int8
 * model's, with the float model's test AUC beside them).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunDetail, ThresholdSpec } from '../src-preload/contract/index.js'
import { localClient } from '../src-main/rpc/local-client.js'
import { createServices } from '../src-main/services.js'
import { planModel, readTflite } from '../src-main/tflite/index.js'

const MINUTES = 30

export async function anomaly() {
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-bench-anomaly-'))
  const services = createServices({
    mode: 'cli',
    userDataDir: join(dir, 'data'),
    projectPath: join(dir, 'bench.tinyloop'),
  })
  try {
    const client = localClient(services.dispatch)
    await client.call('data.demo', { minutes: MINUTES, recordings: 6 })
    const version = await client.call('dataset.save', {
      name: 'pumps',
      config: { windowMs: 1000, strideMs: 500, features: { kind: 'spectral', bands: 16 } },
    })
    const train = async (model: object): Promise<RunDetail & { wallS: number }> => {
      const started = performance.now()
      const run = await client.call('training.start', { dataset: { version: version.id }, model })
      await services.training.settled()
      const detail = await client.call('runs.get', { id: run.id })
      if (detail.status !== 'complete') throw new Error(`run ${run.id}: ${detail.error}`)
      return { ...detail, wallS: (performance.now() - started) / 1000 }
    }
    const anomalyRow = async (method: 'gaussian' | 'autoencoder', threshold: ThresholdSpec) => {
      const run = await train({ kind: 'anomaly', method, threshold })
      const r = run.anomalyReport!
      const width = version.featureNames.length
      return {
        method,
        threshold: threshold.kind,
        trainWindows: r.trainWindows,
        testNormal: r.test.normalWindows,
        testAnomalous: r.test.anomalousWindows,
        testAuc: r.test.auc === null ? null : round(r.test.auc, 4),
        precision: round(r.test.precision),
        recall: round(r.test.recall),
        f1: round(r.test.f1),
        falseAlarmsPerHour: round(r.test.falseAlarmsPerHour, 1),
        trainSeconds: round(run.wallS, 2),
        floatTestAuc: r.floatTestAuc === null ? null : round(r.floatTestAuc, 4),
        ...sizes(method, run.id, width),
      }
    }
    /** The Gaussian's float32 constants; the autoencoder's int8 .tflite and its planned arena. */
    const sizes = (method: 'gaussian' | 'autoencoder', runId: number, width: number) => {
      if (method === 'gaussian')
        return { sizeBytes: (width + width * width + 1) * 4, sizeNote: 'float32 constants' }
      const bytes = services.projects.project().runs.getArtifact(runId, 'model-int8.tflite')!
      return {
        sizeBytes: bytes.length,
        arenaBytes: planModel(readTflite(bytes)).arenaBytes,
        sizeNote: 'int8 .tflite',
      }
    }
    const rows = []
    for (const method of ['gaussian', 'autoencoder'] as const)
      for (const threshold of [{ kind: 'percentile', percentile: 99 }, { kind: 'f1' }] as const)
        rows.push(await anomalyRow(method, threshold))
    const classifier = await train({ preset: 'dense' })
    const card = await client.call('deploy.card', { runId: classifier.id })
    return {
      benchmark: 'anomaly',
      description:
        'both anomaly methods on the demo project (30 minutes, 16 spectral bands), trained on normal windows only with the faults held out; beside the dense classifier on the same dataset',
      minutes: MINUTES,
      windows: Object.values(version.byClass).reduce((a, b) => a + b, 0),
      methods: rows,
      classifier: {
        testAccuracy: classifier.testAccuracy,
        tfliteBytes: card.file.bytes,
        arenaBytes: card.arena.bytes,
        trainSeconds: round(classifier.wallS, 2),
      },
    }
  } finally {
    await services.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

function round(v: number, digits = 3): number {
  return Number(v.toFixed(digits))
}
