import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, expect } from '@playwright/test'
import { openProject } from '../../src-main/store/index.js'
import { startServe, watchConsole } from './fixtures.js'

// Screenshots of every view in light and dark, over a project with a few recordings, written to
// tests/e2e/screenshots/ to be looked at (they are not compared pixel by pixel).
const SHOTS = 'tests/e2e/screenshots'
const VIEWS = ['capture', 'label', 'dataset', 'train', 'deploy'] as const

/** A project as a technician would have it after a morning on site: three recordings. */
function seedProject(file: string): void {
  const project = openProject(file)
  const recordings = [
    { name: 'P-101 baseline', device: 'Nano 33 BLE · 4B2F', minutes: 12, tags: ['pump'] },
    { name: 'P-101 bearing noise', device: 'Nano 33 BLE · 4B2F', minutes: 7.5, tags: ['pump'] },
    { name: 'Fan F-7 night shift', device: 'ESP32-S3 · 91C0', minutes: 95, tags: ['fan', 'hvac'] },
  ]
  const rate = 400
  recordings.forEach((r, i) => {
    const id = project.recordings.create({
      name: r.name,
      device: r.device,
      tags: r.tags,
      startedAt: Date.UTC(2026, 10, 27, 7 + i, 12 * i, 0),
      status: 'complete',
    })
    const stream = project.streams.create(id, {
      name: 'accelerometer',
      rateHz: rate,
      channels: ['ax', 'ay', 'az'].map((name) => ({ name, unit: 'g' })),
    })
    const total = Math.round(r.minutes * 60 * rate)
    const chunk = 4000
    for (let start = 0; start < total; start += chunk) {
      const n = Math.min(chunk, total - start)
      const data = new Float32Array(n * 3)
      for (let k = 0; k < n; k++) {
        const t = (start + k) / rate
        data[k * 3] = Math.sin(2 * Math.PI * 29.5 * t) * 0.2
        data[k * 3 + 1] = Math.cos(2 * Math.PI * 29.5 * t) * 0.15
        data[k * 3 + 2] = 1 + Math.sin(2 * Math.PI * 59 * t) * 0.05
      }
      project.samples.appendChunks(stream, [{ t0Us: (start * 1e6) / rate, dtUs: 1e6 / rate, data }])
    }
  })
  project.close()
}

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`${scheme} theme`, () => {
    test.use({ colorScheme: scheme })

    test(`every view, with recordings (${scheme})`, async ({ page }) => {
      const dir = mkdtempSync(join(tmpdir(), 'tinyloop-shots-'))
      const file = join(dir, 'Plant 4 vibration.tinyloop')
      seedProject(file)
      const server = await startServe(file)
      try {
        const problems = watchConsole(page)
        mkdirSync(SHOTS, { recursive: true })
        await page.goto(server.url)
        await expect(page.locator('.recordings tbody tr')).toHaveCount(3)
        await expect(page.locator('.rail [data-view="capture"] .status')).toHaveText('3 recordings')
        await expect(page.locator('.recordings')).toContainText('1:35:00.000')
        for (const view of VIEWS) {
          await page.locator(`.rail [data-view="${view}"]`).click()
          await expect(page.locator('main')).toHaveAttribute('data-view', view)
          // train-*.png are train.spec.ts's, after a run; here Train has no dataset version yet.
          const name = view === 'train' ? 'train-no-dataset' : view
          await page.screenshot({ path: `${SHOTS}/${name}-${scheme}.png` })
        }
        await page.locator('.topbar .project').click()
        await expect(page.getByRole('dialog')).toBeVisible()
        await page.screenshot({ path: `${SHOTS}/switcher-${scheme}.png` })
        await page.keyboard.press('Escape')
        await page.keyboard.press('Control+k')
        await page.screenshot({ path: `${SHOTS}/palette-${scheme}.png` })
        expect(problems).toEqual([])
      } finally {
        await server.stop()
      }
    })

    test(`empty project (${scheme})`, async ({ page }) => {
      const server = await startServe()
      try {
        await page.goto(server.url)
        await expect(page.getByText('No recordings in this project yet.')).toBeVisible()
        await expect(page.locator('[data-device="demo"]')).toBeVisible()
        await page.screenshot({ path: `${SHOTS}/empty-capture-${scheme}.png` })
      } finally {
        await server.stop()
      }
    })
  })
}
