import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { runCli } from '../../helpers/run-cli.js'

let dir: string
let projectPath: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-train-cli-'))
  projectPath = join(dir, 'demo.tinyloop')
  process.env.TINYLOOP_USER_DATA = join(dir, 'data')
  expect((await runCli(projectPath, 'demo', '--minutes', '4')).code).toBe(0)
})

afterAll(() => {
  delete process.env.TINYLOOP_USER_DATA
  rmSync(dir, { recursive: true, force: true })
})

function config(value: unknown): string {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`)
  writeFileSync(file, JSON.stringify(value))
  return file
}

test('tinyloop train --json: the run with its metrics, confusion by class name', async () => {
  const file = config({
    dataset: { windowMs: 1000, strideMs: 500, features: { kind: 'spectral', bands: 16 } },
    model: { preset: 'dense' },
    training: { epochs: 10 },
  })
  const run = await runCli(projectPath, '--json', 'train', '--config', file)
  expect(run.code, run.stderr).toBe(0)
  expect(run.stderr).toMatch(/^epoch 1\/10: loss \d/m)
  const result = JSON.parse(run.stdout)
  expect(result).toMatchObject({
    runId: 1,
    status: 'complete',
    epochs: expect.any(Number),
    bestEpoch: expect.any(Number),
    params: expect.any(Number),
    metrics: {
      val: { accuracy: expect.any(Number) },
      test: {
        accuracy: expect.any(Number),
        perClass: [{ className: 'normal' }, { className: 'imbalance' }, { className: 'bearing' }],
        confusion: { classes: ['normal', 'imbalance', 'bearing'] },
      },
    },
  })
  expect(result.metrics.test.confusion.matrix).toHaveLength(3)

  const runs = await runCli(projectPath, '--json', 'runs')
  expect(JSON.parse(runs.stdout)).toMatchObject([{ id: 1, status: 'complete', preset: 'dense' }])
  const table = await runCli(projectPath, 'runs')
  expect(table.stdout).toMatch(/^ID\s+STATUS\s+MODEL\s+DATASET/)
})

test('a config with an unknown key gets one clear error line before anything trains', async () => {
  const run = await runCli(projectPath, 'train', '--config', config({ dataset: {}, epochs: 5 }))
  expect(run.code).toBe(1)
  expect(run.stderr).toMatch(/^tinyloop: Invalid arguments for training\.start: .*epochs/)
  expect(run.stderr.trim().split('\n')).toHaveLength(1)
})

test('a tanh layer trains with a warning that it cannot be deployed, and the card says why', async () => {
  const file = config({
    dataset: { windowMs: 1000, strideMs: 500, features: { kind: 'stats' } },
    model: { layers: [{ type: 'dense', units: 8, activation: 'tanh' }] },
    training: { epochs: 2 },
  })
  const run = await runCli(projectPath, '--json', 'train', '--config', file)
  expect(run.code, run.stderr).toBe(0)
  const { runId, estimate } = JSON.parse(run.stdout)
  expect(estimate.warnings).toEqual([expect.stringContaining('Layer 1 (dense) uses tanh')])
  expect(run.stderr).toMatch(/^Warning: Layer 1 \(dense\) uses tanh/m)
  const card = await runCli(projectPath, 'card', String(runId))
  expect(card.code).toBe(1)
  expect(card.stderr).toMatch(/tanh/)
})
