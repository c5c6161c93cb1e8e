import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DriftReport, RunDetail } from '../../../src-preload/contract/index.js'
import { int8ReconstructionScore } from '../../../src-main/anomaly/autoencoder-score.js'
import { openProject } from '../../../src-main/store/open.js'
import { createInterpreter, quantizeInput, readTflite } from '../../../src-main/tflite/index.js'
import { armNn, joined, liteRt, ours } from '../tflite/runtimes.js'

// The Gaussian anomaly model through the CLI (docs/anomaly.md): trained on the demo machine's
// normal windows only, with its imbalance and bearing episodes held out for evaluation.

let dir: string
let project: string

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['bin/tinyloop.js', '--project', project, ...args], {
    env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') },
    encoding: 'utf8',
  })
}

function train(model: object, dataset: object = {}): ReturnType<typeof cli> {
  const config = join(dir, 'train.json')
  writeFileSync(
    config,
    JSON.stringify({
      dataset: {
        windowMs: 1000,
        strideMs: 500,
        features: { kind: 'spectral', bands: 16 },
        recordings: { ids: [1, 2, 3, 4] },
        ...dataset,
      },
      model: { kind: 'anomaly', method: 'gaussian', ...model },
    }),
  )
  return cli('--json', 'train', '--config', config)
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-anomaly-'))
  project = join(dir, 'p.tinyloop')
  expect(cli('demo', '--minutes', '12').status).toBe(0)
  // A recording with no anomaly at all (unlabeled, the machine turned: all of it normal).
  expect(
    cli('demo', '--minutes', '2', '--recordings', '1', '--seed', '5', '--drift', 'mount').status,
  ).toBe(0)
}, 120_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the Gaussian anomaly model', () => {
  it('trains on normal windows only and tells the faults apart: test AUC over 0.95', () => {
    const result = train({})
    expect(result.status, result.stderr).toBe(0)
    const run = JSON.parse(result.stdout) as RunDetail
    expect(run.status).toBe('complete')
    expect(run.kind).toBe('anomaly')
    const report = run.anomalyReport!
    expect(report.method).toBe('gaussian')
    expect(report.normalClasses).toEqual(['normal'])
    expect(report.thresholdKind).toBe('percentile')
    // Windows labeled normal that a fault episode's edge touches are neither normal nor faults.
    expect(report.ambiguousWindows).toBeGreaterThan(0)
    expect(result.stdout).toContain('"ambiguousWindows"')
    // Every labeled fault is evaluated, none trained on.
    expect(report.val.anomalousWindows + report.test.anomalousWindows).toBeGreaterThan(50)
    expect(report.test.auc).toBeGreaterThan(0.95)
    expect(report.val.auc).toBeGreaterThan(0.95)
    // The 99th percentile of normal validation scores: about 1% of them above it.
    expect(report.val.falseAlarmRate).toBeGreaterThan(0)
    expect(report.val.falseAlarmRate).toBeLessThan(0.03)
    expect(report.shrinkage).toBeGreaterThanOrEqual(0)
    expect(report.roc!.fpr[0]).toBe(0)
    expect(report.roc!.tpr.at(-1)).toBe(1)
    const counted = report.histogram.normal.reduce((a, b) => a + b, 0)
    expect(counted).toBe(report.val.normalWindows + report.test.normalWindows)
    const runs = cli('--json', 'runs')
    const [listed] = JSON.parse(runs.stdout) as { kind: string; anomaly: { testAuc: number } }[]
    expect(listed?.kind).toBe('anomaly')
    expect(listed?.anomaly.testAuc).toBeCloseTo(report.test.auc!, 12)
  })

  it('tunes the threshold for the best F1 on validation where anomalies are labeled', () => {
    const percentile = JSON.parse(train({}).stdout) as RunDetail
    const f1 = JSON.parse(train({ threshold: { kind: 'f1' } }).stdout) as RunDetail
    expect(f1.anomalyReport!.thresholdKind).toBe('f1')
    expect(f1.anomalyReport!.val.f1).toBeGreaterThanOrEqual(percentile.anomalyReport!.val.f1)
    // The same model: only the threshold differs.
    expect(f1.anomalyReport!.test.auc).toBeCloseTo(percentile.anomalyReport!.test.auc!, 12)
  })

  it('trains and calibrates on a recording without anomalies, saying what it could not measure', () => {
    const result = train(
      { threshold: { kind: 'f1' } },
      { recordings: { ids: [5] }, split: { method: 'blocks' } },
    )
    expect(result.status, result.stderr).toBe(0)
    const report = (JSON.parse(result.stdout) as RunDetail).anomalyReport!
    expect(report.test.anomalousWindows).toBe(0)
    expect(report.test.auc).toBeNull()
    expect(report.roc).toBeNull()
    expect(report.thresholdKind).toBe('percentile')
    expect(report.thresholdNote).toMatch(/No labeled anomalies in validation/)
    expect(Number.isFinite(report.threshold)).toBe(true)
  })

  it('refuses what it cannot train, in words, before a run exists', () => {
    const unknown = train({ normalClasses: ['idle'] })
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toMatch(/no windows of "idle"/)
    const raw = train({}, { features: { kind: 'raw' } })
    expect(raw.status).toBe(1)
    expect(raw.stderr).toMatch(/at most 256 features/)
  })

  it('prints its threshold and measures; its card is its evaluation, said in words', () => {
    const result = cli('runs')
    expect(result.stdout).toMatch(/gaussian .* anomaly +AUC (1\.000|0\.9\d\d)/)
    const trained = train({})
    const runId = (JSON.parse(trained.stdout) as RunDetail).id
    const text = cli('card', String(runId))
    expect(text.status).toBe(1)
    expect(text.stderr).toMatch(
      /anomaly model: it has no classifier's card; .* tinyloop flash and tinyloop export/,
    )
  })

  it('scores and flags the windows of a windows CSV with `tinyloop predict`', () => {
    const run = JSON.parse(train({}).stdout) as RunDetail
    const config = join(dir, 'windows.json')
    writeFileSync(
      config,
      JSON.stringify({
        windowMs: 1000,
        strideMs: 500,
        features: { kind: 'spectral', bands: 16 },
        recordings: { ids: [1, 2, 3, 4] },
      }),
    )
    const csv = join(dir, 'windows.csv')
    expect(cli('windows', '--config', config, '--out', csv).status).toBe(0)
    const predicted = cli('--json', 'predict', String(run.id), '--input', csv)
    expect(predicted.status, predicted.stderr).toBe(0)
    const result = JSON.parse(predicted.stdout) as {
      kind: string
      threshold: number
      windows: { score: number; anomalous: boolean; className: string }[]
    }
    expect(result.kind).toBe('anomaly')
    expect(result.threshold).toBe(run.anomalyReport!.threshold)
    const labels = readFileSync(csv, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[3])
    expect(result.windows).toHaveLength(labels.length)
    const share = (label: (l: string) => boolean) => {
      const rows = result.windows.filter((_, i) => label(labels[i]!))
      return rows.filter((w) => w.anomalous).length / rows.length
    }
    // Faults are flagged; normal running mostly is not (about 1% of it by the threshold).
    expect(share((l) => l !== 'normal')).toBeGreaterThan(0.9)
    expect(share((l) => l === 'normal')).toBeLessThan(0.05)
    for (const w of result.windows) expect(w.anomalous).toBe(w.score > result.threshold)
    const text = cli('predict', String(run.id), '--input', csv)
    expect(text.stdout).toMatch(/windows over the threshold/)
  })
})

describe('the autoencoder', () => {
  it('trains on normal windows only in the trainer process and tells the faults apart', () => {
    const result = train({ method: 'autoencoder' })
    expect(result.status, result.stderr).toBe(0)
    const run = JSON.parse(result.stdout) as RunDetail
    expect(run.status).toBe('complete')
    expect(run.preset).toBe('autoencoder')
    const report = run.anomalyReport!
    expect(report.method).toBe('autoencoder')
    expect(report.shrinkage).toBeNull()
    expect(run.curves.length).toBeGreaterThan(3)
    // The reconstruction error of normal validation windows falls as it learns.
    expect(run.curves.at(-1)!.valLoss!).toBeLessThan(run.curves[0]!.valLoss!)
    expect(report.test.auc).toBeGreaterThan(0.95)
    expect(report.val.falseAlarmRate).toBeLessThan(0.03)
    // Not on a device yet, in words.
    const card = cli('card', String(run.id))
    expect(card.status).toBe(1)
    expect(card.stderr).toMatch(/an autoencoder anomaly model/)
  }, 120_000)

  it('scores with its int8 model: the same bytes in LiteRT.js and Arm NN, the same scores', async () => {
    const trained = JSON.parse(train({ method: 'autoencoder' }).stdout) as RunDetail
    const report = trained.anomalyReport!
    expect(report.floatTestAuc).toBeGreaterThan(0.95)
    expect(report.test.auc).toBeGreaterThan(0.95)
    const csv = join(dir, 'windows.csv')
    const predicted = cli('--json', 'predict', String(trained.id), '--input', csv)
    expect(predicted.status, predicted.stderr).toBe(0)
    const result = JSON.parse(predicted.stdout) as {
      threshold: number
      windows: { score: number; anomalous: boolean }[]
    }
    expect(result.threshold).toBe(report.threshold)
    const stored = openProject(project, { create: false, readonly: true })
    const bytes = stored.runs.getArtifact(trained.id, 'model-int8.tflite')!
    const anomaly = JSON.parse(
      new TextDecoder().decode(stored.runs.getArtifact(trained.id, 'anomaly.json')!),
    ) as { normalization: { mean: number[]; std: number[] }; featureNames: string[] }
    stored.close()
    // The CSV's windows normalized and quantized as the device does.
    const interpreter = createInterpreter(readTflite(bytes))
    const rows = readFileSync(csv, 'utf8').trim().split('\n')
    const header = rows[0]!.split(',')
    const columns = anomaly.featureNames.map((name) => header.indexOf(name))
    const windows = rows.slice(1, 201).map((line) => {
      const cells = line.split(',')
      return Float32Array.from(
        columns,
        (c, f) =>
          (Number(cells[c]) - anomaly.normalization.mean[f]!) / anomaly.normalization.std[f]!,
      )
    })
    const inputs = windows.map((w) => quantizeInput(w, interpreter.input))
    const reference = joined(ours(bytes, inputs))
    expect(joined(await liteRt(bytes, inputs)).equals(reference)).toBe(true)
    expect(joined(await armNn(bytes, inputs)).equals(reference)).toBe(true)
    windows.forEach((w, i) => {
      expect(result.windows[i]!.score).toBe(int8ReconstructionScore(interpreter, w))
    })
  }, 120_000)
})

describe('the drift check with an anomaly model', () => {
  it('compares the windows it flags with the labeled faults of training, and names a turned sensor', () => {
    const run = JSON.parse(train({}).stdout) as RunDetail
    const mounted = JSON.parse(
      cli('--json', 'drift', '--recording', '5', '--run', String(run.id)).stdout,
    ) as DriftReport
    expect(mounted.verdict).toBe('drift')
    expect(mounted.cause).toBe('mounting')
    expect(mounted.classMix.map((c) => c.name)).toEqual(['normal', 'anomaly'])
    // Everything the turned sensor sends looks abnormal to a model of normal running.
    expect(mounted.classMix[1]!.live).toBeGreaterThan(0.9)
    expect(mounted.classMix[1]!.training).toBeGreaterThan(0.05)
    expect(cli('demo', '--minutes', '5', '--recordings', '1', '--seed', '7').status).toBe(0)
    const normal = JSON.parse(
      cli('--json', 'drift', '--recording', '6', '--run', String(run.id)).stdout,
    ) as DriftReport
    expect(normal.verdict).toBe('no drift')
    const suggest = cli('labels', 'suggest', '--recording', '6', '--run', String(run.id))
    expect(suggest.status).toBe(1)
    expect(suggest.stderr).toMatch(/anomaly model: it flags windows but does not name their class/)
  })
})
