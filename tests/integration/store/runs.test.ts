import { join } from 'node:path'
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
