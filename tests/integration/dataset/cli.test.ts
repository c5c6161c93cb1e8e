import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { runCli } from '../../helpers/run-cli.js'
import { createServices } from '../../../src-main/services.js'
import { localClient } from '../../../src-main/rpc/local-client.js'

let dir: string
let projectPath: string
let configPath: string

/** Two recordings, 20 s of a 100 Hz accelerometer (x, y) and a 1 Hz thermometer. */
async function seedProject(): Promise<void> {
  const services = createServices({ mode: 'web', userDataDir: join(dir, 'data'), projectPath })
  const client = localClient(services.dispatch)
  const classes = await client.call('classes.list', {})
  const anomaly = classes.find((c) => c.name === 'anomaly')!.id
  const project = services.projects.project()
  for (const name of ['fan-1', 'fan-2']) {
    const id = project.recordings.create({ name, status: 'complete', tags: ['fan'] })
    const acc = project.streams.create(id, {
      name: 'acc',
      rateHz: 100,
      channels: [{ name: 'x' }, { name: 'y' }],
    })
    const temp = project.streams.create(id, { name: 'temp', rateHz: 1, channels: [{ name: 'c' }] })
    project.samples.appendChunks(acc, [
      { t0Us: 0, dtUs: 10_000, data: Float32Array.from({ length: 4000 }, (_, i) => i % 7) },
    ])
    project.samples.appendChunks(temp, [
      { t0Us: 0, dtUs: 1e6, data: Float32Array.from({ length: 20 }, (_, i) => 20 + i) },
    ])
    await client.call('labels.create', {
      recordingId: id,
      classId: anomaly,
      startUs: 5e6,
      endUs: 8e6,
    })
  }
  await services.close()
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-windows-cli-'))
  projectPath = join(dir, 'p.tinyloop')
  vi.stubEnv('TINYLOOP_USER_DATA', join(dir, 'data'))
  vi.stubEnv('TINYLOOP_PROJECT', '')
  await seedProject()
  configPath = join(dir, 'dataset.json')
  writeFileSync(
    configPath,
    JSON.stringify({
      recordings: { tag: 'fan' },
      windowMs: 1000,
      strideMs: 500,
      labelPolicy: 'majority',
      features: { kind: 'stats' },
      split: { method: 'blocks', seed: 4 },
    }),
  )
})
afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
  rmSync(dir, { recursive: true, force: true })
})

/** Runs `tinyloop` on this test's project, in this process. */
function tinyloop(...args: string[]) {
  return runCli(projectPath, ...args)
}

test('windows --json: windows, counts per class and split, drops, feature names', async () => {
  const { code, stdout, stderr } = await tinyloop('--json', 'windows', '--config', configPath)
  expect(stderr).toBe('')
  expect(code).toBe(0)
  const result = JSON.parse(stdout)
  // 20 s, 1 s windows every 0.5 s: 39 per recording, some purged between blocks.
  expect(result.windows.length + result.dropped.purge).toBe(78)
  expect(result.featureNames.slice(0, 5)).toEqual(['x_mean', 'x_std', 'x_min', 'x_max', 'x_rms'])
  expect(result.featureNames).toHaveLength(15)
  expect(result.byClass.anomaly + result.byClass.normal).toBe(result.windows.length)
  // Majority: windows starting at 4.5 s .. 7 s have at least half of [5, 8) s: 6 per recording,
  // less those purged between blocks.
  expect(result.byClass.anomaly).toBeGreaterThan(0)
  expect(result.byClass.anomaly).toBeLessThanOrEqual(12)
  const inSplits = ['train', 'val', 'test'].reduce(
    (sum, split) => sum + Object.values<number>(result.bySplit[split]).reduce((a, b) => a + b, 0),
    0,
  )
  expect(inSplits).toBe(result.windows.length)
  expect(result.dropped).toEqual({ gap: 0, purge: result.dropped.purge, unlabeled: 0 })
})

test('windows --out CSV: one row per window with the raw features', async () => {
  const out = join(dir, 'windows.csv')
  const { code } = await tinyloop('--json', 'windows', '--config', configPath, '--out', out)
  expect(code).toBe(0)
  const lines = readFileSync(out, 'utf8').trim().split('\n')
  expect(lines[0]!.split(',').slice(0, 7)).toEqual([
    'recording',
    'start_ms',
    'end_ms',
    'label',
    'split',
    'x_mean',
    'x_std',
  ])
  const first = lines.find((line) => line.split(',')[1] === '0')!.split(',')
  // Window [0, 1 s): x = 2i mod 7 (interleaved with y) for i < 100 → mean 2.96; temperature 20 (one sample).
  expect(first.slice(2, 4)).toEqual(['1000', 'normal'])
  expect(Number(first[5])).toBeCloseTo(2.96, 5)
  expect(first.slice(-5).map(Number)).toEqual([20, 0, 20, 20, 20])
})

test('windows --out .npz: .npy arrays and a JSON sidecar', async () => {
  const out = join(dir, 'windows.npz')
  const { code, stdout } = await tinyloop('--json', 'windows', '--config', configPath, '--out', out)
  expect(code).toBe(0)
  const n = JSON.parse(stdout).windows.length
  const files = unzipSync(readFileSync(out))
  expect(Object.keys(files).sort()).toEqual(
    ['X.npy', 'end_ms.npy', 'recording.npy', 'split.npy', 'start_ms.npy', 'y.npy'].sort(),
  )
  const x = files['X.npy']!
  expect(Array.from(x.subarray(0, 6))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])
  const headerLength = x[8]! | (x[9]! << 8)
  expect((10 + headerLength) % 64).toBe(0)
  const header = new TextDecoder().decode(x.subarray(10, 10 + headerLength))
  expect(header).toContain(`'descr': '<f4', 'fortran_order': False, 'shape': (${n}, 15)`)
  expect(x.byteLength).toBe(10 + headerLength + n * 15 * 4)
  const sidecar = JSON.parse(readFileSync(join(dir, 'windows.json'), 'utf8'))
  expect(sidecar.featureNames).toHaveLength(15)
})

test('a bad config is one clear line and exit code 1', async () => {
  writeFileSync(configPath, JSON.stringify({ windowMs: -1 }))
  const { code, stderr } = await tinyloop('windows', '--config', configPath)
  expect(code).toBe(1)
  expect(stderr).toMatch(/^tinyloop: The dataset config .* is not valid at windowMs/)
})

test('dataset.save keeps the label journal position; a later label edit marks it changed', async () => {
  const services = createServices({ mode: 'web', userDataDir: join(dir, 'data'), projectPath })
  const client = localClient(services.dispatch)
  try {
    const saved = await client.call('dataset.save', {
      name: 'fans',
      config: { recordings: { tag: 'fan' } },
    })
    expect(saved.version).toBe(1)
    expect(saved.changed).toBe(false)
    expect(saved.normalization?.mean).toHaveLength(15)
    expect(saved.snapshot.recordings.map((r) => r.samples)).toEqual([2020, 2020])
    const again = await client.call('dataset.save', {
      name: 'Fans',
      config: { recordings: { tag: 'fan' } },
    })
    expect(again.version).toBe(2)
    expect((await client.call('dataset.list', {})).map((d) => d.id)).toEqual([again.id])
    const recordingId = saved.snapshot.recordings[0]!.id
    const classes = await client.call('classes.list', {})
    await client.call('labels.create', {
      recordingId,
      classId: classes.find((c) => c.name === 'anomaly')!.id,
      startUs: 12e6,
      endUs: 13e6,
    })
    expect((await client.call('dataset.get', { id: saved.id })).changed).toBe(true)
    const preview = await client.call('dataset.preview', {
      config: { recordings: { tag: 'fan' } },
      feature: { histogram: 'x_mean' },
    })
    expect(Object.keys(preview.histogram!.counts).sort()).toEqual(['anomaly', 'normal'])
  } finally {
    await services.close()
  }
})
