import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelCard } from '../../../src-preload/contract/index.js'
import { readModelImage } from '../../../src-main/device/model-image.js'
import { localClient, type LocalClient } from '../../../src-main/rpc/local-client.js'
import { createServices, type Services } from '../../../src-main/services.js'
import { runCli } from '../../helpers/run-cli.js'

// A trained run taken to a device: its int8 model measured on its own bytes, checked in
// LiteRT.js and Arm NN, and exported as a .tflite, C files, a bundle, an Arduino library and a
// model image.

let dir: string
let projectPath: string
let services: Services
let client: LocalClient
const runs: Record<'dense' | 'conv1d', number> = { dense: 0, conv1d: 0 }
const datasets: Record<'dense' | 'conv1d', unknown> = {
  dense: { windowMs: 1000, strideMs: 500, features: { kind: 'spectral', bands: 16 } },
  conv1d: { windowMs: 1000, strideMs: 500, features: { kind: 'raw' } },
}

async function train(preset: 'dense' | 'conv1d', epochs: number): Promise<number> {
  const run = await client.call('training.start', {
    dataset: datasets[preset] as never,
    model: { preset },
    training: { epochs },
  })
  await services.training.settled()
  expect((await client.call('runs.get', { id: run.id })).status).toBe('complete')
  return run.id
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-deploy-'))
  projectPath = join(dir, 'demo.tinyloop')
  process.env.TINYLOOP_USER_DATA = join(dir, 'data')
  services = createServices({ mode: 'web', userDataDir: join(dir, 'data'), projectPath })
  client = localClient(services.dispatch)
  await client.call('data.demo', { minutes: 6, recordings: 4, seed: 5 })
  runs.dense = await train('dense', 30)
  runs.conv1d = await train('conv1d', 25)
}, 120_000)

afterAll(async () => {
  await services.close()
  delete process.env.TINYLOOP_USER_DATA
  rmSync(dir, { recursive: true, force: true })
})

describe.each(['dense', 'conv1d'] as const)('the %s preset', (preset) => {
  let card: ModelCard
  beforeAll(async () => {
    card = await client.call('deploy.card', { runId: runs[preset] })
  })

  it('is small, and as accurate in int8 as in float on its held-out windows', () => {
    expect(card.file.bytes).toBeLessThanOrEqual(20 * 1024)
    expect(card.arena.bytes).toBeLessThanOrEqual(8 * 1024)
    expect(card.arena.lowerBoundBytes).toBeLessThanOrEqual(card.arena.activationBytes)
    expect(card.test!.windows).toBeGreaterThan(50)
    expect(Math.abs(card.test!.int8Accuracy - card.test!.floatAccuracy)).toBeLessThanOrEqual(0.01)
    expect(card.test!.agreement).toBeGreaterThanOrEqual(0.99)
    expect(card.output).toMatchObject({ scale: 1 / 256, zeroPoint: -128 })
    expect(card.boards.find((b) => b.id === 'nano33ble')?.fits).toBe(true)
    expect(card.verification).toBeNull()
  })

  it('gives the same int8 bytes in LiteRT.js and Arm NN, and says so on its card', async () => {
    const checked = await client.call('deploy.verify', { runId: runs[preset], windows: 200 })
    expect(checked.file.sha256).toBe(card.file.sha256)
    expect(checked.verification).toMatchObject({
      sha256: card.file.sha256,
      windows: 200,
      runtimes: [
        { runtime: 'LiteRT.js', status: 'identical', windows: 200 },
        { runtime: 'Arm NN', status: 'identical', windows: 200 },
      ],
    })
    expect((await client.call('deploy.card', { runId: runs[preset] })).verification).toEqual(
      checked.verification,
    )
  }, 60_000)
})

describe('exports', () => {
  it(".tflite: the card's bytes, which tinyloop inspect reads", async () => {
    const file = join(dir, 'dense.tflite')
    const result = await client.call('deploy.export', {
      runId: runs.dense,
      format: 'tflite',
      path: file,
    })
    expect(result.files).toEqual([file])
    const card = await client.call('deploy.card', { runId: runs.dense })
    expect(readFileSync(file).length).toBe(card.file.bytes)
    const inspected = await runCli(projectPath, '--json', 'inspect', file)
    expect(inspected.code, inspected.stderr).toBe(0)
    const model = JSON.parse(inspected.stdout)
    expect(model.version).toBe(3)
    expect([...new Set(model.operators.map((o: { name: string }) => o.name))]).toEqual(card.ops)
    expect(model.tensors[model.inputs[0]].type).toBe('INT8')
    // Without --force an existing file stays as it is.
    await expect(
      client.call('deploy.export', { runId: runs.dense, format: 'tflite', path: file }),
    ).rejects.toMatchObject({ code: 'ALREADY_EXISTS' })
  })

  it('C: a header and source that compile with the feature code, and state the model', async () => {
    const folder = join(dir, 'c-export')
    const result = await client.call('deploy.export', {
      runId: runs.conv1d,
      format: 'c',
      path: folder,
    })
    expect(result.files.map((f) => f.slice(folder.length + 1)).sort()).toEqual([
      'tinyloop_features.c',
      'tinyloop_features.h',
      'tinyloop_model.c',
      'tinyloop_model.h',
    ])
    const header = readFileSync(join(folder, 'tinyloop_model.h'), 'utf8')
    const card = await client.call('deploy.card', { runId: runs.conv1d })
    expect(header).toContain(`#define TINYLOOP_MODEL_BYTES ${card.file.bytes}u`)
    expect(header).toContain(`#define TINYLOOP_ARENA_BYTES ${card.arena.bytes}u`)
    expect(header).toContain('#define TINYLOOP_CLASS_COUNT 3u')
    expect(header).toContain('#define TINYLOOP_OUTPUT_ZERO_POINT (-128)')
    // A small program prints back what the exported C holds: the model's bytes, its classes.
    const main = join(folder, 'check.c')
    writeFileSync(
      main,
      [
        '#include <stdio.h>',
        '#include "tinyloop_model.h"',
        'int main(void) {',
        '  unsigned long sum = 0;',
        '  for (unsigned i = 0; i < TINYLOOP_MODEL_BYTES; i++) sum += tinyloop_model[i];',
        '  printf("%lu %lu", sum, (unsigned long)((uintptr_t)tinyloop_model % 16));',
        '  for (unsigned i = 0; i < TINYLOOP_CLASS_COUNT; i++) printf(" %s", tinyloop_class_names[i]);',
        '  return 0;',
        '}',
      ].join('\n'),
    )
    const exe = join(folder, 'check')
    execFileSync('cc', [
      '-std=c99',
      '-Wall',
      '-Werror',
      '-o',
      exe,
      main,
      join(folder, 'tinyloop_model.c'),
      join(folder, 'tinyloop_features.c'),
      '-lm',
    ])
    const [sum, alignment, ...classes] = execFileSync(exe, { encoding: 'utf8' }).split(' ')
    const tflite = new Uint8Array(
      Buffer.from(
        (await client.call('deploy.download', { runId: runs.conv1d, format: 'tflite' })).base64,
        'base64',
      ),
    )
    expect(Number(sum)).toBe(tflite.reduce((a, b) => a + b, 0))
    expect(alignment).toBe('0')
    expect(classes).toEqual(card.classes)
  })

  it('bundle: model, C files and metadata in a folder, refused over a folder with files', async () => {
    const folder = join(dir, 'bundle')
    const result = await client.call('deploy.export', {
      runId: runs.dense,
      format: 'bundle',
      path: folder,
    })
    expect(result.files.map((f) => f.slice(folder.length + 1)).sort()).toEqual([
      'metadata.json',
      'model.tflite',
      'tinyloop_features.c',
      'tinyloop_features.h',
      'tinyloop_model.c',
      'tinyloop_model.h',
    ])
    const meta = JSON.parse(readFileSync(join(folder, 'metadata.json'), 'utf8'))
    expect(meta).toMatchObject({
      format: 'tinyloop-model',
      classes: ['normal', 'imbalance', 'bearing'],
      window: {
        ms: 1000,
        strideMs: 500,
        sampleRateHz: 400,
        samples: 400,
        channels: ['ax', 'ay', 'az'],
      },
      features: { kind: 'spectral', bands: 16 },
      output: { scale: 1 / 256, zeroPoint: -128 },
    })
    expect(meta.normalization.mean).toHaveLength(48)
    await expect(
      client.call('deploy.export', { runId: runs.dense, format: 'bundle', path: folder }),
    ).rejects.toMatchObject({ code: 'ALREADY_EXISTS', message: expect.stringMatching(/not empty/) })
    const forced = await runCli(
      projectPath,
      'export',
      String(runs.dense),
      '--format',
      'bundle',
      '-o',
      folder,
      '--force',
    )
    expect(forced.code, forced.stderr).toBe(0)
  })

  it('image: the .tflite with its window, features and classes, for TinyLoop firmware', async () => {
    const file = join(dir, 'dense.tlmi')
    const run = await runCli(
      projectPath,
      'export',
      String(runs.dense),
      '--format',
      'image',
      '-o',
      file,
    )
    expect(run.code, run.stderr).toBe(0)
    const card = await client.call('deploy.card', { runId: runs.dense })
    const image = readModelImage(new Uint8Array(readFileSync(file)))
    expect(image).toMatchObject({
      modelId: runs.dense,
      arenaBytes: card.arena.bytes,
      sampleRateHz: 400,
      windowSamples: 400,
      strideSamples: 200,
      channels: ['ax', 'ay', 'az'],
      featureKind: 'spectral',
      featureCount: 48,
      bands: 16,
      classes: card.classes,
      outputZeroPoint: -128,
    })
    expect(image.normalization?.mean).toHaveLength(48)
    const tflite = await client.call('deploy.download', { runId: runs.dense, format: 'tflite' })
    expect(Buffer.from(image.tflite).toString('base64')).toBe(tflite.base64)
  })

  it('Arduino: a library zip with the model, the feature code and an example sketch', async () => {
    const file = join(dir, 'TinyLoopModel.zip')
    const run = await runCli(
      projectPath,
      'export',
      String(runs.conv1d),
      '--format',
      'arduino',
      '-o',
      file,
    )
    expect(run.code, run.stderr).toBe(0)
    const entries = unzipSync(readFileSync(file))
    expect(Object.keys(entries).sort()).toEqual([
      'TinyLoopModel/examples/TinyLoopClassifier/TinyLoopClassifier.ino',
      'TinyLoopModel/library.properties',
      'TinyLoopModel/metadata.json',
      'TinyLoopModel/src/TinyLoopModel.h',
      'TinyLoopModel/src/tinyloop_features.c',
      'TinyLoopModel/src/tinyloop_features.h',
      'TinyLoopModel/src/tinyloop_model.c',
      'TinyLoopModel/src/tinyloop_model.h',
    ])
    const sketch = new TextDecoder().decode(
      entries['TinyLoopModel/examples/TinyLoopClassifier/TinyLoopClassifier.ino'],
    )
    const card = await client.call('deploy.card', { runId: runs.conv1d })
    // The op resolver lists exactly the model's operators, and the arena is the planned size.
    const resolverCalls = [...sketch.matchAll(/resolver\.(Add\w+)\(\)/g)].map((m) => m[1])
    expect(resolverCalls).toHaveLength(card.ops.length)
    expect(sketch).toContain('TINYLOOP_ARENA_BYTES')
  })

  it('writes nothing outside the folder it is given, and refuses a missing parent', async () => {
    await expect(
      client.call('deploy.export', {
        runId: runs.dense,
        format: 'c',
        path: join(dir, 'no', 'such', 'place'),
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(existsSync(join(dir, 'no'))).toBe(false)
  })
})

describe('tinyloop predict', () => {
  it('gives the int8 class of every window of a windows CSV', async () => {
    const config = join(dir, 'windows.json')
    writeFileSync(config, JSON.stringify(datasets.dense))
    const csv = join(dir, 'windows.csv')
    expect((await runCli(projectPath, 'windows', '--config', config, '--out', csv)).code).toBe(0)
    const run = await runCli(projectPath, '--json', 'predict', String(runs.dense), '--input', csv)
    expect(run.code, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout)
    const lines = readFileSync(csv, 'utf8').trim().split('\n').slice(1)
    expect(result.windows).toHaveLength(lines.length)
    const labels = lines.map((line) => line.split(',')[3])
    const right = result.windows.filter(
      (w: { className: string }, i: number) => w.className === labels[i],
    )
    expect(right.length / lines.length).toBeGreaterThan(0.95)
    for (const w of result.windows as { output: number[]; classIndex: number }[]) {
      expect(w.output).toHaveLength(3)
      expect(w.output[w.classIndex]).toBe(Math.max(...w.output))
    }
  })

  it("refuses a CSV without the model's features, in words", async () => {
    const csv = join(dir, 'other.csv')
    writeFileSync(csv, 'recording,start_ms,end_ms,label,split,x_mean\n1,0,1000,normal,train,0.1\n')
    await expect(client.call('deploy.predict', { runId: runs.dense, path: csv })).rejects.toThrow(
      /lacks the features the model takes/,
    )
  })
})
