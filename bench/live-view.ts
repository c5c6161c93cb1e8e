/**
 * The live view while recording 3 channels at 4 kHz from the demo device, in Chromium against
 * `tinyloop serve`: frame intervals (requestAnimationFrame) during recording, beside the same page
 * idle in the same run. The view should keep the display's frame rate.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { chromium, type Page } from '@playwright/test'

const MEASURE_MS = 5000

/** Collects requestAnimationFrame intervals in the page (plain source: no bundler helpers). */
const FRAME_INTERVALS = `(ms) => new Promise((resolve) => {
  const intervals = []
  let last = performance.now()
  const end = last + ms
  const frame = (now) => {
    intervals.push(now - last)
    last = now
    if (now < end) requestAnimationFrame(frame)
    else resolve(intervals)
  }
  requestAnimationFrame(frame)
})`

async function frameIntervals(page: Page): Promise<number[]> {
  return page.evaluate(`(${FRAME_INTERVALS})(${MEASURE_MS})`) as Promise<number[]>
}

function stats(intervals: number[]) {
  const sorted = [...intervals].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  return {
    frames: intervals.length,
    fps: Number((intervals.length / (MEASURE_MS / 1000)).toFixed(1)),
    medianMs: Number(at(0.5).toFixed(2)),
    p95Ms: Number(at(0.95).toFixed(2)),
    maxMs: Number(at(1).toFixed(2)),
    over50Ms: intervals.filter((i) => i > 50).length,
  }
}

export async function liveView() {
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-bench-live-'))
  const server = spawn(
    process.execPath,
    ['bin/tinyloop.js', '--project', join(dir, 'bench.tinyloop'), 'serve', '--port', '0'],
    { env: { ...process.env, TINYLOOP_USER_DATA: dir }, stdio: ['ignore', 'pipe', 'ignore'] },
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
    await page.locator('[data-device="demo"]').click()
    await page.getByPlaceholder(/auto/).fill('4000')
    const idle = stats(await frameIntervals(page))
    await page.getByRole('button', { name: /Record/ }).click()
    await page.locator('.plot canvas').waitFor()
    await page.waitForTimeout(3000)
    const recording = stats(await frameIntervals(page))
    const samples = await page.locator('.counters dd').nth(1).innerText()
    await page.getByRole('button', { name: /Stop/ }).click()
    return {
      benchmark: 'live-view',
      description:
        'rAF frame intervals in Chromium (software rendering, headless) while recording the 4 kHz demo device, beside the idle page',
      rateHz: 4000,
      channels: 3,
      samplesWhenMeasured: Number(samples.replace(/,/g, '')),
      idle,
      recording,
      medianRatioToIdle: Number((recording.medianMs / idle.medianMs).toFixed(2)),
    }
  } finally {
    await browser.close()
    server.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
}
