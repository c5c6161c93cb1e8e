/**
 * The live view with a device's predictions (docs/loop.md, "Live on the device"): the demo
 * project at the fastest rate at which the firmware classifies a 1 s window (1,000 Hz, 3
 * channels: its windows hold 1,024 samples at most; it streams up to 3,200 Hz without a model), a
 * dense model trained on it and
 * flashed to the host port from the Deploy view, which then streams and classifies at that rate
 * (two predictions a second). In Chromium against `tinyloop serve`: frame intervals
 * (requestAnimationFrame) while the Deploy view's live panel draws the signal, the class band and
 * the probabilities, beside the same page idle in the same run, as the live-view benchmark
 * measures them.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { chromium } from '@playwright/test'
import { buildFirmware } from '../tests/helpers/host-port.js'
import { frameIntervals, frameStats as stats } from './frames.js'

const RATE_HZ = 1000

export async function livePredictions() {
  buildFirmware()
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-bench-live-predictions-'))
  const project = join(dir, 'bench.tinyloop')
  const env = { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') }
  const cli = (...args: string[]) => {
    const run = spawnSync(process.execPath, ['bin/tinyloop.js', '--project', project, ...args], {
      env,
      encoding: 'utf8',
    })
    if (run.status !== 0) throw new Error(`tinyloop ${args.join(' ')}: ${run.stderr}`)
  }
  cli('demo', '--minutes', '4', '--recordings', '2', '--rate', String(RATE_HZ))
  const config = join(dir, 'train.json')
  writeFileSync(
    config,
    JSON.stringify({
      dataset: { windowMs: 1000, strideMs: 500, features: { kind: 'spectral', bands: 16 } },
      model: { preset: 'dense' },
      training: { epochs: 20 },
    }),
  )
  cli('train', '--config', config)
  const server = spawn(
    process.execPath,
    ['bin/tinyloop.js', '--project', project, 'serve', '--port', '0'],
    {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  )
  const url = await new Promise<string>((resolve) =>
    createInterface({ input: server.stdout! }).once('line', resolve),
  )
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.goto(url)
    await page.keyboard.press('Alt+5')
    await page.getByTestId('device-hello').waitFor({ timeout: 30_000 })
    await page.keyboard.press('f')
    await page.getByTestId('flash-result').waitFor({ timeout: 60_000 })
    const live = page.getByRole('region', { name: 'Live on the device' })
    await live.scrollIntoViewIfNeeded()
    const idle = stats(await frameIntervals(page))
    await page.keyboard.press('l')
    await live.getByTestId('live-class').waitFor({ timeout: 30_000 })
    await page.waitForTimeout(2000)
    const count = async () =>
      Number((await live.getByTestId('live-prediction-count').innerText()).replace(/\D/g, ''))
    const before = await count()
    const started = performance.now()
    const watching = stats(await frameIntervals(page))
    const predictionsPerS = ((await count()) - before) / ((performance.now() - started) / 1000)
    const status = await live.getByTestId('live-status').innerText()
    const latency = await live.getByTestId('live-latency').innerText()
    await page.keyboard.press('l')
    return {
      benchmark: 'live-predictions',
      description:
        "rAF frame intervals in Chromium (software rendering, headless) while the Deploy view watches the host firmware live at the fastest rate it classifies 1 s windows at, with the model's predictions, beside the idle page",
      rateHz: RATE_HZ,
      channels: 3,
      predictionsPerS: Number(predictionsPerS.toFixed(2)),
      deviceLatency: latency,
      liveStatus: status,
      idle,
      watching,
      medianRatioToIdle: Number((watching.medianMs / idle.medianMs).toFixed(2)),
    }
  } finally {
    await browser.close()
    server.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 500))
    rmSync(dir, { recursive: true, force: true })
  }
}
