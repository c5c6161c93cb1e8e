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
import { chromium } from '@playwright/test'
import { frameIntervals, frameStats as stats } from './frames.js'

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
