import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelExportFormat } from '../../../src-preload/contract/index.js'
import { gaussianOf, readStoredAnomaly } from '../../../src-main/anomaly/anomaly-run.js'
import { int8ReconstructionScore } from '../../../src-main/anomaly/autoencoder-score.js'
import { gaussianScore } from '../../../src-main/anomaly/gaussian.js'
import { readWindowsCsv } from '../../../src-main/deploy/windows-csv.js'
import { readModelImage } from '../../../src-main/device/model-image.js'
import { localClient, type LocalClient } from '../../../src-main/rpc/local-client.js'
import { createServices, type Services } from '../../../src-main/services.js'
import { openProject } from '../../../src-main/store/open.js'
import { createInterpreter, quantizeInput, readTflite } from '../../../src-main/tflite/index.js'
import { runCli } from '../../helpers/run-cli.js'

// Anomaly runs exported for a device (docs/anomaly.md, "Exports"): the C of a Gaussian and of an
// autoencoder, compiled with the feature code and run on every window of the demo project, give
// the app's scores bit for bit and the same flags; the other formats, the downloads' bytes, and
// what is refused.

const DATASET = {
  windowMs: 1000,
  strideMs: 500,
  features: { kind: 'spectral', bands: 16 },
  recordings: { ids: [1, 2, 3, 4] },
}
/** The device build's warnings, and no contraction of a product into a sum. */
const C_FLAGS = [
  '-std=c99',
  '-Wall',
  '-Wextra',
  '-Wpedantic',
  '-Werror',
  '-O2',
  '-ffp-contract=off',
]

let dir: string
let projectPath: string
let services: Services
let client: LocalClient
const runs = { gaussian: 0, autoencoder: 0 }
let csv: string
/** The CSV's windows as the app reads them: float32 features in the run's order. */
let features: Float32Array[]

async function train(method: 'gaussian' | 'autoencoder'): Promise<number> {
  const run = await client.call('training.start', {
    dataset: DATASET as never,
    model: { kind: 'anomaly', method },
  })
  await services.training.settled()
  expect((await client.call('runs.get', { id: run.id })).status).toBe('complete')
  return run.id
}

function stored(runId: number) {
  const project = openProject(projectPath, { create: false, readonly: true })
  try {
    return {
      anomaly: readStoredAnomaly(project, runId)!,
      int8: project.runs.getArtifact(runId, 'model-int8.tflite'),
    }
  } finally {
    project.close()
  }
}

function storedGaussian(runId: number) {
  const { anomaly } = stored(runId)
  if (anomaly.method !== 'gaussian') throw new Error(`Run ${runId} is not a Gaussian.`)
  return anomaly
}

async function exportC(runId: number, name: string): Promise<string> {
  const folder = join(dir, name)
  const result = await runCli(projectPath, 'export', String(runId), '--format', 'c', '-o', folder)
  expect(result.code, result.stderr).toBe(0)
  expect(readdirSync(folder).sort()).toEqual([
    'tinyloop_features.c',
    'tinyloop_features.h',
    'tinyloop_model.c',
    'tinyloop_model.h',
  ])
  return folder
}

/** Compiles `main` with the export's model and feature code; runs it on `input`, gives stdout. */
function compileAndRun(folder: string, main: string, input: Buffer): Buffer {
  const source = join(folder, 'check.c')
  writeFileSync(source, main)
  const exe = join(folder, 'check')
  execFileSync('cc', [
    ...C_FLAGS,
    '-o',
    exe,
    source,
    join(folder, 'tinyloop_model.c'),
    join(folder, 'tinyloop_features.c'),
    '-lm',
  ])
  const run = spawnSync(exe, { input, maxBuffer: 1 << 28 })
  if (run.status !== 0) throw new Error(`check failed: ${String(run.stderr)}`)
  return run.stdout
}

function normalized(row: Float32Array, normalization: { mean: number[]; std: number[] } | null) {
  // As the app's #scoreWindows: (x - mean) / std in double, each rounded to float32.
  return row.map((v, f) => (v - (normalization?.mean[f] ?? 0)) / (normalization?.std[f] ?? 1))
}

async function predicted(runId: number) {
  const result = await client.call('deploy.predict', { runId, path: csv })
  return result as { threshold: number; windows: { score: number; anomalous: boolean }[] }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-anomaly-exports-'))
  projectPath = join(dir, 'demo.tinyloop')
  process.env.TINYLOOP_USER_DATA = join(dir, 'data')
  services = createServices({ mode: 'web', userDataDir: join(dir, 'data'), projectPath })
  client = localClient(services.dispatch)
  await client.call('data.demo', { minutes: 12 })
  runs.gaussian = await train('gaussian')
  runs.autoencoder = await train('autoencoder')
  const config = join(dir, 'windows.json')
  writeFileSync(config, JSON.stringify(DATASET))
  csv = join(dir, 'windows.csv')
  const written = await runCli(projectPath, 'windows', '--config', config, '--out', csv)
  expect(written.code, written.stderr).toBe(0)
  const names = stored(runs.gaussian).anomaly.featureNames
  features = (await readWindowsCsv(csv, names)).map((row) => row.features)
}, 180_000)

afterAll(async () => {
  await services.close()
  delete process.env.TINYLOOP_USER_DATA
  rmSync(dir, { recursive: true, force: true })
})

/** The C of the Gaussian: normalize the features, score them, flag them; raw bytes out. */
const GAUSSIAN_CHECK = `#include <stdio.h>
#include "tinyloop_features.h"
#include "tinyloop_model.h"
/* stdin: a uint32 count, then that many windows of float32 features. stdout, per window: the
 * normalized features (float32), the score (double), the flag (int32). */
int main(void) {
  uint32_t count, w;
  float features[TINYLOOP_FEATURE_COUNT], normalized[TINYLOOP_FEATURE_COUNT];
  if (fread(&count, sizeof count, 1, stdin) != 1) return 1;
  for (w = 0; w < count; w++) {
    double score;
    int32_t flag;
    if (fread(features, sizeof features, 1, stdin) != 1) return 1;
    tinyloop_normalize(features, TINYLOOP_FEATURE_COUNT, tinyloop_feature_mean,
                       tinyloop_feature_std, normalized);
    score = tinyloop_anomaly_score(normalized);
    flag = tinyloop_is_anomaly(score);
    fwrite(normalized, sizeof normalized, 1, stdout);
    fwrite(&score, sizeof score, 1, stdout);
    fwrite(&flag, sizeof flag, 1, stdout);
  }
  return 0;
}
`

/** The C of the autoencoder: its model array, then the int8 input it makes and the score. */
const AUTOENCODER_CHECK = `#include <stdio.h>
#include "tinyloop_features.h"
#include "tinyloop_model.h"
/* stdin: a uint32 count, then per window its float32 features and the int8 output of the model
 * (run elsewhere on the input this program makes). stdout: the model array, then per window the
 * int8 input, the score (double), the flag (int32). */
int main(void) {
  uint32_t count, w;
  float features[TINYLOOP_FEATURE_COUNT], normalized[TINYLOOP_FEATURE_COUNT];
  int8_t input[TINYLOOP_FEATURE_COUNT], output[TINYLOOP_FEATURE_COUNT];
  fwrite(tinyloop_model, 1, TINYLOOP_MODEL_BYTES, stdout);
  if (fread(&count, sizeof count, 1, stdin) != 1) return 1;
  for (w = 0; w < count; w++) {
    double score;
    int32_t flag;
    if (fread(features, sizeof features, 1, stdin) != 1) return 1;
    if (fread(output, sizeof output, 1, stdin) != 1) return 1;
    tinyloop_normalize(features, TINYLOOP_FEATURE_COUNT, tinyloop_feature_mean,
                       tinyloop_feature_std, normalized);
    tinyloop_quantize_input(normalized, TINYLOOP_FEATURE_COUNT, TINYLOOP_INPUT_SCALE,
                            TINYLOOP_INPUT_ZERO_POINT, input);
    score = tinyloop_reconstruction_score(input, output);
    flag = tinyloop_is_anomaly(score);
    fwrite(input, sizeof input, 1, stdout);
    fwrite(&score, sizeof score, 1, stdout);
    fwrite(&flag, sizeof flag, 1, stdout);
  }
  return 0;
}
`

function countThen(...chunks: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from(Uint32Array.of(features.length).buffer), ...chunks])
}

const bytesOf = (values: Float32Array | Int8Array) =>
  Buffer.from(values.buffer, values.byteOffset, values.byteLength)

describe('the C of a Gaussian', () => {
  it('states the model: its kind, threshold, constants as doubles, and no .tflite', async () => {
    const folder = await exportC(runs.gaussian, 'gaussian-c')
    const header = readFileSync(join(folder, 'tinyloop_model.h'), 'utf8')
    const source = readFileSync(join(folder, 'tinyloop_model.c'), 'utf8')
    const { anomaly } = stored(runs.gaussian)
    expect(header).toContain('#define TINYLOOP_MODEL_KIND 2\n')
    expect(header).toContain('#define TINYLOOP_FEATURE_COUNT 48u')
    expect(header).toContain('double tinyloop_anomaly_score(const float *normalized);')
    expect(header).toContain('int tinyloop_is_anomaly(double score);')
    expect(header).not.toMatch(/TINYLOOP_MODEL_BYTES|tinyloop_model\[|TINYLOOP_INPUT_SCALE/)
    expect(source).not.toMatch(/tinyloop_model\[/)
    const threshold = /#define TINYLOOP_ANOMALY_THRESHOLD \((.+)\)/.exec(header)?.[1]
    expect(Number(threshold)).toBe(anomaly.threshold)
    expect(source).toContain('const double tinyloop_gaussian_precision[')
  })

  it('scores every window of the demo as the app does, bit for bit, and flags the same ones', async () => {
    const folder = await exportC(runs.gaussian, 'gaussian-c-check')
    const anomaly = storedGaussian(runs.gaussian)
    const model = gaussianOf(anomaly)
    const width = anomaly.featureNames.length
    const out = compileAndRun(folder, GAUSSIAN_CHECK, countThen(...features.map(bytesOf)))
    const record = width * 4 + 12
    expect(out.length).toBe(features.length * record)
    const app = await predicted(runs.gaussian)
    expect(app.windows).toHaveLength(features.length)
    expect(features.length).toBeGreaterThan(300)
    const differing: string[] = []
    let flagged = 0
    features.forEach((row, i) => {
      const at = i * record
      const mine = normalized(row, anomaly.normalization)
      const cNormalized = new Float32Array(out.buffer.slice(at, at + width * 4))
      const cScore = out.readDoubleLE(at + width * 4)
      const cFlag = out.readInt32LE(at + width * 4 + 8)
      const score = gaussianScore(model, mine)
      if (!bytesOf(cNormalized).equals(bytesOf(mine))) differing.push(`${i}: normalized`)
      if (!Object.is(cScore, score) || !Object.is(cScore, app.windows[i]!.score)) {
        differing.push(`${i}: C ${cScore}, app ${app.windows[i]!.score}`)
      }
      if (cFlag !== (app.windows[i]!.anomalous ? 1 : 0)) differing.push(`${i}: flag ${cFlag}`)
      flagged += cFlag
    })
    expect(differing.slice(0, 10)).toEqual([])
    // The demo's faults are among them: both answers are exercised.
    expect(flagged).toBeGreaterThan(50)
    expect(flagged).toBeLessThan(features.length - 50)
  })
})

describe('the C of an autoencoder', () => {
  it('states the model: its kind, threshold, int8 file and quantization', async () => {
    const folder = await exportC(runs.autoencoder, 'autoencoder-c')
    const header = readFileSync(join(folder, 'tinyloop_model.h'), 'utf8')
    const { anomaly, int8 } = stored(runs.autoencoder)
    const interpreter = createInterpreter(readTflite(int8!))
    expect(header).toContain('#define TINYLOOP_MODEL_KIND 1\n')
    expect(header).toContain(`#define TINYLOOP_MODEL_BYTES ${int8!.length}u`)
    expect(header).toContain(
      `#define TINYLOOP_INPUT_ZERO_POINT (${interpreter.input.zeroPoint})\n` +
        `#define TINYLOOP_OUTPUT_SCALE ${Math.fround(interpreter.output.scale).toPrecision(9)}f`,
    )
    expect(header).toContain(
      'double tinyloop_reconstruction_score(const int8_t *input, const int8_t *output);',
    )
    const threshold = /#define TINYLOOP_ANOMALY_THRESHOLD \((.+)\)/.exec(header)?.[1]
    expect(Number(threshold)).toBe(anomaly.threshold)
  })

  it("gives int8ReconstructionScore's score of the int8 input and output, bit for bit", async () => {
    const folder = await exportC(runs.autoencoder, 'autoencoder-c-check')
    const { anomaly, int8 } = stored(runs.autoencoder)
    const interpreter = createInterpreter(readTflite(int8!))
    const width = anomaly.featureNames.length
    // The output bytes come from the app's interpreter (TFLite Micro is not here), run on the
    // input the app makes; the C must make the same input and score the pair as the app does.
    const windows = features.map((row) => normalized(row, anomaly.normalization))
    const inputs = windows.map((w) => quantizeInput(w, interpreter.input))
    const outputs = inputs.map((input) => interpreter.run(input).slice())
    const out = compileAndRun(
      folder,
      AUTOENCODER_CHECK,
      countThen(...features.flatMap((row, i) => [bytesOf(row), bytesOf(outputs[i]!)])),
    )
    expect(out.subarray(0, int8!.length).equals(Buffer.from(int8!))).toBe(true)
    const record = width + 12
    expect(out.length).toBe(int8!.length + features.length * record)
    const app = await predicted(runs.autoencoder)
    const differing: string[] = []
    let flagged = 0
    features.forEach((_, i) => {
      const at = int8!.length + i * record
      const cInput = out.subarray(at, at + width)
      const cScore = out.readDoubleLE(at + width)
      const cFlag = out.readInt32LE(at + width + 8)
      const score = int8ReconstructionScore(interpreter, windows[i]!)
      if (!cInput.equals(bytesOf(inputs[i]!))) differing.push(`${i}: int8 input`)
      if (!Object.is(cScore, score) || !Object.is(cScore, app.windows[i]!.score)) {
        differing.push(`${i}: C ${cScore}, app ${score}, predict ${app.windows[i]!.score}`)
      }
      if (cFlag !== (app.windows[i]!.anomalous ? 1 : 0)) differing.push(`${i}: flag ${cFlag}`)
      flagged += cFlag
    })
    expect(differing.slice(0, 10)).toEqual([])
    expect(flagged).toBeGreaterThan(50)
    expect(flagged).toBeLessThan(features.length - 50)
  })
})

describe('the other exports of anomaly runs', () => {
  const download = async (runId: number, format: ModelExportFormat) =>
    Buffer.from((await client.call('deploy.download', { runId, format })).base64, 'base64')

  it('downloads the bytes the exports write: C and bundle zipped, the .tflite, the image', async () => {
    for (const method of ['gaussian', 'autoencoder'] as const) {
      const runId = runs[method]
      const formats: ModelExportFormat[] =
        method === 'gaussian' ? ['c', 'bundle'] : ['c', 'bundle', 'tflite']
      for (const format of formats) {
        const path = join(dir, `${method}-${format}-written`)
        const written = await runCli(
          projectPath,
          'export',
          String(runId),
          '--format',
          format,
          '-o',
          path,
        )
        expect(written.code, written.stderr).toBe(0)
        const downloaded = await download(runId, format)
        if (format === 'tflite') {
          expect(downloaded.equals(readFileSync(path))).toBe(true)
          expect(downloaded.equals(Buffer.from(stored(runId).int8!))).toBe(true)
          continue
        }
        const entries = unzipSync(downloaded)
        const names = readdirSync(path).sort()
        expect(Object.keys(entries).sort()).toEqual(
          names.map((name) => `tinyloop-run-${runId}-${format}/${name}`),
        )
        for (const name of names) {
          const entry = entries[`tinyloop-run-${runId}-${format}/${name}`]!
          expect(Buffer.from(entry).equals(readFileSync(join(path, name))), name).toBe(true)
        }
      }
      const file = join(dir, `${method}.tlmi`)
      const image = await runCli(
        projectPath,
        'export',
        String(runId),
        '--format',
        'image',
        '-o',
        file,
      )
      expect(image.code, image.stderr).toBe(0)
      const bytes = readFileSync(file)
      expect((await download(runId, 'image')).equals(bytes)).toBe(true)
    }
  })

  it('bundles what applies: no .tflite for a Gaussian, the anomaly part in metadata.json', async () => {
    const gaussian = join(dir, 'gaussian-bundle')
    expect(
      (
        await runCli(
          projectPath,
          'export',
          String(runs.gaussian),
          '--format',
          'bundle',
          '-o',
          gaussian,
        )
      ).code,
    ).toBe(0)
    expect(readdirSync(gaussian)).not.toContain('model.tflite')
    const anomaly = storedGaussian(runs.gaussian)
    const meta = JSON.parse(readFileSync(join(gaussian, 'metadata.json'), 'utf8'))
    expect(meta).toMatchObject({
      format: 'tinyloop-model',
      classes: [],
      features: { kind: 'spectral', bands: 16 },
      anomaly: { kind: 'gaussian', threshold: anomaly.threshold, normalClasses: ['normal'] },
    })
    expect(meta.anomaly.precision).toEqual(anomaly.precision)
    const autoencoder = join(dir, 'autoencoder-bundle')
    expect(
      (
        await runCli(
          projectPath,
          'export',
          String(runs.autoencoder),
          '--format',
          'bundle',
          '-o',
          autoencoder,
        )
      ).code,
    ).toBe(0)
    expect(
      readFileSync(join(autoencoder, 'model.tflite')).equals(
        Buffer.from(stored(runs.autoencoder).int8!),
      ),
    ).toBe(true)
    expect(JSON.parse(readFileSync(join(autoencoder, 'metadata.json'), 'utf8')).anomaly).toEqual({
      kind: 'autoencoder',
      threshold: stored(runs.autoencoder).anomaly.threshold,
      normalClasses: ['normal'],
    })
  })

  it("images hold the model's kind, threshold and constants", async () => {
    const gaussian = readModelImage(await download(runs.gaussian, 'image'))
    const anomaly = storedGaussian(runs.gaussian)
    expect(gaussian.modelKind).toBe(2)
    expect(gaussian.tflite).toHaveLength(0)
    expect(gaussian.anomaly).toEqual({
      kind: 'gaussian',
      threshold: anomaly.threshold,
      mean: anomaly.mean,
      precision: anomaly.precision,
    })
    const autoencoder = readModelImage(await download(runs.autoencoder, 'image'))
    expect(autoencoder.modelKind).toBe(1)
    expect(
      Buffer.from(autoencoder.tflite).equals(Buffer.from(stored(runs.autoencoder).int8!)),
    ).toBe(true)
  })

  it('refuses in words what does not apply: a Gaussian .tflite', async () => {
    const tflite = await runCli(
      projectPath,
      'export',
      String(runs.gaussian),
      '--format',
      'tflite',
      '-o',
      join(dir, 'g.tflite'),
    )
    expect(tflite.code).toBe(1)
    expect(tflite.stderr).toMatch(/Gaussian anomaly model: it has no \.tflite/)
    expect(readdirSync(dir).filter((name) => name === 'g.tflite')).toEqual([])
  })

  it('makes an Arduino library whose sketch scores windows: its C, the feature code, the sketch', async () => {
    for (const [runId, kind] of [
      [runs.gaussian, 2],
      [runs.autoencoder, 1],
    ] as const) {
      const file = join(dir, `${runId}.zip`)
      const made = await runCli(
        projectPath,
        'export',
        String(runId),
        '--format',
        'arduino',
        '-o',
        file,
      )
      expect(made.code, made.stderr).toBe(0)
      const entries = unzipSync(readFileSync(file))
      const text = (name: string) => new TextDecoder().decode(entries[`TinyLoopModel/${name}`])
      const sketch = text('examples/TinyLoopAnomaly/TinyLoopAnomaly.ino')
      expect(sketch).toContain('tinyloop_is_anomaly(score)')
      expect(sketch).toContain('#if TINYLOOP_MODEL_KIND == 1')
      expect(sketch).not.toContain('@')
      expect(text('library.properties')).toContain('anomaly detector')
      // The library's C is the c export's, byte for byte.
      const c = await client.call('deploy.download', { runId, format: 'c' })
      const folder = unzipSync(Uint8Array.from(atob(c.base64), (ch) => ch.charCodeAt(0)))
      const header = Object.entries(folder).find(([name]) => name.endsWith('tinyloop_model.h'))![1]
      expect(
        Buffer.from(entries['TinyLoopModel/src/tinyloop_model.h']!).equals(Buffer.from(header)),
      ).toBe(true)
      expect(text('src/tinyloop_model.h')).toContain(`#define TINYLOOP_MODEL_KIND ${kind}`)
      const download = await client.call('deploy.download', { runId, format: 'arduino' })
      expect(download.fileName).toMatch(/\.zip$/)
    }
  })
})
