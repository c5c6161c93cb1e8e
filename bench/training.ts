/**
 * Seconds per training epoch for each preset on 5,000 windows of the demo machine, on
 * TensorFlow.js's WebAssembly backend (what TinyLoop uses) against its plain JavaScript CPU
 * backend, side by side in one run (interleaved, the median of each run's later epochs). The
 * runs go through the services and the real trainer process, as the app's do. Then the UI while
 * training: frame intervals of the Train view in Chromium during a run of `tinyloop serve`,
 * beside the same page idle.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DatasetConfigInput, TrainConfigInput } from '../src-preload/contract/index.js'
import { localClient } from '../src-main/rpc/local-client.js'
import { createServices } from '../src-main/services.js'
import type { Backend } from '../src-main/training/engine.js'
import { chromium } from '@playwright/test'
import { startServe } from '../tests/helpers/serve-process.js'
import { wsClient } from '../tests/helpers/ws-client.js'
import { frameIntervals, frameStats } from './frames.js'

const WINDOWS = 5000
/** Epochs per run; the first (the backend's warm-up) is left out of the figures. */
const EPOCHS = { wasm: 3, cpu: 2 }

const PRESETS: { preset: 'dense' | 'conv1d'; features: DatasetConfigInput['features'] }[] = [
  { preset: 'dense', features: { kind: 'spectral', bands: 16 } },
  { preset: 'conv1d', features: { kind: 'raw' } },
]

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}

export async function training() {
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-bench-training-'))
  const projectPath = join(dir, 'bench.tinyloop')
  const servicesFor = (backend: Backend) =>
    createServices({
      mode: 'cli',
      userDataDir: join(dir, 'data'),
      projectPath,
      trainingBackend: backend,
    })
  try {
    // 1 s windows every 0.5 s: 5,000 windows need about 2,500 s of signal.
    const setup = servicesFor('wasm')
    await localClient(setup.dispatch).call('data.demo', {
      minutes: Math.ceil((WINDOWS * 0.5) / 60),
      recordings: 6,
      seed: 1,
    })
    await setup.close()

    const results: Record<
      string,
      { wasm: number[]; cpu: number[]; windows: number; params: number }
    > = {}
    for (const { preset, features } of PRESETS) {
      const dataset: DatasetConfigInput = {
        windowMs: 1000,
        strideMs: 500,
        features,
        split: { ratios: [0.8, 0.1, 0.1] },
      }
      const counter = servicesFor('wasm')
      const preview = await localClient(counter.dispatch).call('dataset.preview', {
        config: dataset,
      })
      await counter.close()
      results[preset] = { wasm: [], cpu: [], windows: preview.windows.length, params: 0 }
      for (const backend of ['cpu', 'wasm', 'cpu', 'wasm'] as const) {
        const services = servicesFor(backend)
        const client = localClient(services.dispatch)
        const run = await client.call('training.start', {
          dataset,
          model: { preset },
          training: { epochs: EPOCHS[backend], earlyStopping: { enabled: false, patience: 10 } },
        } satisfies TrainConfigInput)
        await services.training.settled()
        const detail = await client.call('runs.get', { id: run.id })
        await services.close()
        if (detail.status !== 'complete')
          throw new Error(`${preset} on ${backend}: ${detail.error}`)
        const entry = results[preset]!
        // The first epoch includes the backend's warm-up: the later ones are what a run costs.
        entry[backend].push(...detail.curves.slice(1).map((p) => p.seconds))
        entry.params = detail.params
      }
    }
    const epochs = Object.fromEntries(
      Object.entries(results).map(([preset, r]) => {
        const wasm = median(r.wasm)
        const cpu = median(r.cpu)
        return [
          preset,
          {
            windows: r.windows,
            params: r.params,
            wasmSecondsPerEpoch: Number(wasm.toFixed(3)),
            cpuSecondsPerEpoch: Number(cpu.toFixed(3)),
            speedup: Number((cpu / wasm).toFixed(1)),
            epochsMeasured: { wasm: r.wasm.length, cpu: r.cpu.length },
          },
        ]
      }),
    )
    return { secondsPerEpoch: epochs, uiWhileTraining: await uiWhileTraining(projectPath) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Frame intervals of the Train view, idle and while a conv1d run trains in the server. */
async function uiWhileTraining(projectPath: string) {
  const served = await startServe(projectPath)
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.goto(served.url)
    await page.locator('.rail [data-view="train"]').click()
    await page.waitForTimeout(1000)
    const idle = frameStats(await frameIntervals(page))
    const client = await wsClient(served.port, served.token)
    const started = await client.call('training.start', {
      dataset: { windowMs: 1000, strideMs: 500, features: { kind: 'raw' } },
      model: { preset: 'conv1d' },
      training: { epochs: 100, earlyStopping: { enabled: false, patience: 10 } },
    })
    if (!started.ok) throw new Error(JSON.stringify(started))
    const runId = (started.value as { id: number }).id
    await page.waitForTimeout(2000)
    const training = frameStats(await frameIntervals(page))
    await client.call('training.cancel', { runId })
    client.close()
    return {
      description:
        'rAF frame intervals of the Train view in Chromium (headless, software rendering) while a conv1d run trains in the server, beside the idle page',
      idle,
      training,
      medianRatioToIdle: Number((training.medianMs / idle.medianMs).toFixed(2)),
    }
  } finally {
    await browser.close()
    await served.stop()
  }
}
