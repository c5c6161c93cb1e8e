import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventName, TrainConfigInput } from '../../../src-preload/contract/index.js'
import { localClient, type LocalClient } from '../../../src-main/rpc/local-client.js'
import { createServices, type Services } from '../../../src-main/services.js'

// Training through the services, as the app and the CLI do it, with the real trainer process
// (forked; TensorFlow.js on WebAssembly) on a small labeled demo project.

let dir: string
let services: Services
let client: LocalClient
let spectral: number
let raw: number

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-training-'))
  services = createServices({
    mode: 'web',
    userDataDir: join(dir, 'data'),
    projectPath: join(dir, 'demo.tinyloop'),
  })
  client = localClient(services.dispatch)
  await client.call('data.demo', { minutes: 6, recordings: 4, seed: 3 })
  const windows = { windowMs: 1000, strideMs: 500 }
  spectral = (
    await client.call('dataset.save', {
      name: 'spectral',
      config: { ...windows, features: { kind: 'spectral', bands: 16 } },
    })
  ).id
  raw = (
    await client.call('dataset.save', {
      name: 'raw',
      config: { ...windows, features: { kind: 'raw' } },
    })
  ).id
}, 60_000)

afterAll(async () => {
  await services.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Everything the services emit while `work` runs, with when it came. */
function recordEvents() {
  const seen: { event: EventName; payload: unknown; at: number }[] = []
  const stop = services.events.subscribe((event, payload) =>
    seen.push({ event, payload, at: Date.now() }),
  )
  return { seen, stop }
}

/** Starts a run and resolves with its details once it has ended. */
async function train(config: TrainConfigInput, onProgress?: (runId: number) => void) {
  const ended = new Promise<number>((resolve) => {
    const stop = services.events.subscribe((event, payload) => {
      const p = payload as { runId: number; status: string }
      if (event === 'training.onProgress') onProgress?.(p.runId)
      if (event === 'runs.onChanged' && p.status !== 'running') {
        stop()
        resolve(p.runId)
      }
    })
  })
  const run = await client.call('training.start', config)
  expect(run.status).toBe('running')
  expect(await ended).toBe(run.id)
  return client.call('runs.get', { id: run.id })
}

describe('a run', () => {
  it('reports progress per epoch at most 4 times a second and stores curves, metrics and weights', async () => {
    const events = recordEvents()
    const started = Date.now()
    const run = await train({ dataset: { version: spectral }, training: { epochs: 8 } })
    events.stop()
    const progress = events.seen.filter((e) => e.event === 'training.onProgress')
    const points = progress.flatMap((e) => (e.payload as { points: { epoch: number }[] }).points)
    expect(points.map((p) => p.epoch)).toEqual(run.curves.map((p) => p.epoch))
    expect(run.curves.map((p) => p.epoch)).toEqual(
      Array.from({ length: run.curves.length }, (_, i) => i + 1),
    )
    // One message when it starts and one when it ends, and at most one per 250 ms between.
    const seconds = (Date.now() - started) / 1000
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 3)
    expect(run).toMatchObject({
      status: 'complete',
      preset: 'dense',
      datasetVersionId: spectral,
      datasetName: 'spectral v1',
      classes: ['normal', 'imbalance', 'bearing'],
      datasetChanged: false,
    })
    expect(run.metrics.test?.confusion.classes).toEqual(['normal', 'imbalance', 'bearing'])
    const kinds = services.projects
      .project()
      .runs.get(run.id)
      ?.artifacts.map((a) => a.kind)
    expect(kinds).toEqual(['calibration.f32', 'model.json', 'weights.f32'])
    expect((await client.call('runs.list', {}))[0]).toMatchObject({
      id: run.id,
      status: 'complete',
    })
  })

  it('gives the same weights for the same dataset, config and seed, bit for bit', async () => {
    const config = { dataset: { version: spectral }, training: { epochs: 5, seed: 9 } }
    const a = await train(config)
    const b = await train(config)
    const runs = services.projects.project().runs
    const weights = (id: number) => Buffer.from(runs.getArtifact(id, 'weights.f32') ?? [])
    expect(weights(a.id).length).toBeGreaterThan(1000)
    expect(weights(a.id).equals(weights(b.id))).toBe(true)
  })

  it('is one at a time: a second start says a run is in progress', async () => {
    const first = await client.call('training.start', {
      dataset: { version: spectral },
      training: { epochs: 200, earlyStopping: { enabled: false, patience: 10 } },
    })
    await expect(
      client.call('training.start', { dataset: { version: spectral } }),
    ).rejects.toMatchObject({ code: 'BUSY', message: expect.stringMatching(/in progress/) })
    await client.call('training.cancel', { runId: first.id })
    await services.training.settled()
    expect((await client.call('runs.get', { id: first.id })).status).toBe('cancelled')
  })

  it('whose trainer dies is recorded as failed with the reason, and the services go on', async () => {
    let killed = false
    const run = await train(
      {
        dataset: { version: spectral },
        training: { epochs: 500, earlyStopping: { enabled: false, patience: 10 } },
      },
      () => {
        if (killed) return
        const pid = services.training.trainerPid
        if (pid) {
          killed = true
          process.kill(pid, 'SIGKILL')
        }
      },
    )
    expect(run.status).toBe('failed')
    expect(run.error).toMatch(/stopped unexpectedly \(killed by SIGKILL\)/)
    expect(await client.call('recordings.list', {})).toHaveLength(4)
  })
})

describe('a config', () => {
  it.each([
    ['with an unknown key', { dataset: { version: 1 }, modle: {} }, /Unrecognized key/],
    [
      'whose conv kernel is longer than the window',
      {
        dataset: { windowMs: 1000, features: { kind: 'raw', rawLength: 3 } },
        model: { preset: 'conv1d' },
      },
      /kernel of 5 is longer than the 3 time steps/,
    ],
    [
      'with an empty split',
      { dataset: { windowMs: 1000, split: { ratios: [1, 0, 0] } } },
      /The validation split has no windows/,
    ],
    [
      // Minute-long windows that must lie wholly in a fault: the faults are shorter, so every
      // window is normal.
      'with one class',
      { dataset: { windowMs: 60_000, strideMs: 10_000, labelPolicy: { minOverlap: 1 } } },
      /The dataset has one class: a classifier needs two or more/,
    ],
  ])('%s gets one clear error, and nothing is trained', async (_name, config, message) => {
    const before = (await client.call('runs.list', {})).length
    await expect(client.call('training.start', config as TrainConfigInput)).rejects.toThrow(message)
    expect(await client.call('runs.list', {})).toHaveLength(before)
  })
})

describe('on the demo project, with the default split and settings', () => {
  it.each([
    { preset: 'dense' as const, version: () => spectral },
    { preset: 'conv1d' as const, version: () => raw },
  ])(
    'the $preset preset reaches at least 95% test accuracy',
    async ({ preset, version }) => {
      const run = await train({ dataset: { version: version() }, model: { preset } })
      expect(run.status).toBe('complete')
      expect(run.metrics.test?.accuracy).toBeGreaterThanOrEqual(0.95)
    },
    120_000,
  )
})
