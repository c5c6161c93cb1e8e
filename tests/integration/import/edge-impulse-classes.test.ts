import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { runCli } from '../../helpers/run-cli.js'
import { fixture } from './helpers.js'

// An Edge Impulse export as a user brings it: a folder of samples with their labels in an
// `info.labels.json` listing. The labels must reach the dataset as classes, and Edge Impulse's
// own testing category can be kept as the test split.

let dir: string
let projectPath: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-ei-classes-'))
  projectPath = join(dir, 'ei.tinyloop')
  process.env.TINYLOOP_USER_DATA = join(dir, 'data')
})
afterEach(() => {
  delete process.env.TINYLOOP_USER_DATA
  rmSync(dir, { recursive: true, force: true })
})

test('an export folder with info.labels.json imports, and its windows carry the classes', async () => {
  const imported = await runCli(projectPath, '--json', 'import', fixture('ei-export-json'))
  expect(imported.code, imported.stderr).toBe(0)
  expect(JSON.parse(imported.stdout)).toHaveLength(8)

  const config = join(dir, 'windows.json')
  writeFileSync(
    config,
    JSON.stringify({
      windowMs: 500,
      strideMs: 500,
      split: { method: 'tag', ratios: [0.7, 0.3, 0] },
    }),
  )
  const run = await runCli(projectPath, '--json', 'windows', '--config', config)
  expect(run.code, run.stderr).toBe(0)
  const preview = JSON.parse(run.stdout)
  const names = new Map<number, string>(
    preview.classes.map((c: { id: number; name: string }) => [c.id, c.name]),
  )
  const recordings = JSON.parse((await runCli(projectPath, '--json', 'recordings')).stdout) as {
    id: number
    name: string
  }[]
  const sampleOf = new Map(recordings.map((r) => [r.id, r.name]))
  expect(preview.splitMethod).toBe('tag')
  for (const w of preview.windows as { recordingId: number; classId: number; split: string }[]) {
    const sample = sampleOf.get(w.recordingId) ?? ''
    // idle.1 is an idle window; idle.4 and wave.4 are Edge Impulse's testing samples.
    expect(names.get(w.classId)).toBe(sample.split('.')[0])
    if (sample.endsWith('.4')) expect(w.split).toBe('test')
    else expect(w.split).not.toBe('test')
  }
  expect(Object.keys(preview.byClass).sort()).toEqual(['idle', 'wave'])
})

test('import --class gives every file of a condition its class', async () => {
  const run = await runCli(
    projectPath,
    '--json',
    'import',
    '--class',
    'pump off',
    fixture('seconds.csv'),
  )
  expect(run.code, run.stderr).toBe(0)
  const { recordingId } = (JSON.parse(run.stdout) as { recordingId: number }[])[0]!
  const classes = JSON.parse((await runCli(projectPath, '--json', 'classes')).stdout) as {
    id: number
    name: string
  }[]
  const list = JSON.parse(
    (await runCli(projectPath, '--json', 'labels', 'list', '--recording', String(recordingId)))
      .stdout,
  )
  expect(list.defaultClassId).toBe(classes.find((c) => c.name === 'pump off')?.id)
})

test('a multi-label sample brings its regions as labels', async () => {
  const folder = join(dir, 'multi')
  const values = Array.from({ length: 200 }, (_, i) => [Math.sin(i / 5)])
  mkdirSync(folder)
  writeFileSync(
    join(folder, 'run.1.json'),
    JSON.stringify({
      protected: { ver: 'v1', alg: 'none' },
      signature: '',
      payload: { interval_ms: 10, sensors: [{ name: 'x', units: 'g' }], values },
    }),
  )
  writeFileSync(
    join(folder, 'info.labels'),
    JSON.stringify({
      version: 1,
      files: [
        {
          path: 'run.1.json',
          name: 'run.1',
          category: 'training',
          label: {
            type: 'multi-label',
            labels: [
              { label: 'idle', startIndex: 0, endIndex: 99 },
              { label: 'spin', startIndex: 100, endIndex: 199 },
            ],
          },
        },
      ],
    }),
  )
  const run = await runCli(projectPath, '--json', 'import', folder)
  expect(run.code, run.stderr).toBe(0)
  const { recordingId } = (JSON.parse(run.stdout) as { recordingId: number }[])[0]!
  const list = JSON.parse(
    (await runCli(projectPath, '--json', 'labels', 'list', '--recording', String(recordingId)))
      .stdout,
  )
  expect(list.labels.map((l: { startUs: number; endUs: number }) => [l.startUs, l.endUs])).toEqual([
    [0, 1_000_000],
    [1_000_000, 2_000_000],
  ])
})
