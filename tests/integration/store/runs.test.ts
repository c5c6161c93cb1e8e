import { hostname } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { expect, test } from 'vitest'
import { openProject } from '../../../src-main/store/open.js'
import { useTempDir } from './helpers.js'

const tempDir = useTempDir()

test('a run keeps its config, metrics, curves and artifacts across a reopen', () => {
  const file = join(tempDir(), 'runs.tinyloop')
  let project = openProject(file)
  const config = { model: 'cnn-small', epochs: 30, windowMs: 1000, classes: ['normal', 'fault'] }
  const datasetRef = { recordings: [1, 2], split: { seed: 7, validation: 0.2 } }
  const first = project.runs.create({ config, datasetRef })
  const second = project.runs.create({ config: { ...config, epochs: 5 } })
  project.runs.update(first, {
    status: 'complete',
    metrics: { accuracy: 0.97, f1: { normal: 0.98, fault: 0.95 } },
    curves: { loss: [0.9, 0.4, 0.2], valLoss: [1, 0.5, 0.3] },
  })
  const tflite = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) % 256)
  project.runs.putArtifact(first, 'model-int8.tflite', tflite)
  project.runs.putArtifact(first, 'normalization.json', new TextEncoder().encode('{"mean":[0]}'))
  project.runs.putArtifact(first, 'normalization.json', new TextEncoder().encode('{"mean":[1]}'))
  project.close()

  project = openProject(file)
  expect(project.runs.get(first)).toEqual({
    id: first,
    createdAt: expect.any(Number),
    status: 'complete',
    config,
    metrics: { accuracy: 0.97, f1: { normal: 0.98, fault: 0.95 } },
    curves: { loss: [0.9, 0.4, 0.2], valLoss: [1, 0.5, 0.3] },
    datasetRef,
    datasetId: null,
    startedAt: null,
    endedAt: null,
    error: null,
    artifacts: [
      { kind: 'model-int8.tflite', size: 5000 },
      { kind: 'normalization.json', size: 12 },
    ],
  })
  expect(
    Buffer.from(project.runs.getArtifact(first, 'model-int8.tflite') ?? []).equals(tflite),
  ).toBe(true)
  expect(new TextDecoder().decode(project.runs.getArtifact(first, 'normalization.json'))).toBe(
    '{"mean":[1]}',
  )
  expect(project.runs.getArtifact(second, 'model-int8.tflite')).toBeUndefined()
  expect(project.runs.list().map((run) => [run.id, run.status])).toEqual([
    [second, 'queued'],
    [first, 'complete'],
  ])
  expect(() => project.runs.update(999, { status: 'failed' })).toThrow('Run 999 does not exist')
  project.close()
})

test('a run left running by a process that died is marked interrupted at the next open', () => {
  const file = join(tempDir(), 'interrupted.tinyloop')
  let project = openProject(file)
  const alive = project.runs.create({ config: {}, status: 'running' })
  const dead = project.runs.create({ config: {}, status: 'running' })
  const quiet = project.runs.create({ config: {}, status: 'running' })
  project.close()
  // As if the processes that ran them were gone, or had stopped writing a minute ago.
  const db = new Database(file)
  db.prepare('UPDATE runs SET owner = ? WHERE id = ?').run(`${hostname()}:999999999`, dead)
  db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ?').run(Date.now() - 60_000, quiet)
  db.close()

  project = openProject(file)
  expect(project.needsRecovery()).toBe(true)
  project.recoverInterrupted()
  expect(project.runs.get(alive)?.status).toBe('running')
  for (const id of [dead, quiet]) {
    expect(project.runs.get(id)).toMatchObject({
      status: 'interrupted',
      error: expect.stringMatching(/stopped before it ended/),
      endedAt: expect.any(Number),
    })
  }
  expect(project.needsRecovery()).toBe(false)
  project.close()
})
