import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { openProject } from '../../src-main/store/index.js'
import { startServe, watchConsole } from './fixtures.js'

const SHOTS = 'tests/e2e/screenshots'

/**
 * Two one-hour recordings at 200 Hz with a louder stretch every 10 minutes, labeled 'anomaly'
 * through the real `tinyloop labels import`.
 */
function seed(dir: string): string {
  const file = join(dir, 'Pumps.tinyloop')
  const project = openProject(file)
  const ids: number[] = []
  for (const name of ['Pump A', 'Pump B']) {
    const id = project.recordings.create({
      name,
      tags: ['pump', name === 'Pump A' ? 'site-1' : 'site-2'],
      status: 'complete',
      startedAt: Date.UTC(2026, 10, 27, 8),
    })
    const stream = project.streams.create(id, {
      name: 'device',
      rateHz: 200,
      channels: ['ax', 'ay', 'az'].map((n) => ({ name: n })),
    })
    const n = 3600 * 200
    const chunks = []
    for (let at = 0; at < n; at += 4096) {
      const m = Math.min(4096, n - at)
      const data = new Float32Array(m * 3)
      for (let i = 0; i < m; i++) {
        const t = (at + i) / 200
        const loud = t % 600 >= 300 && t % 600 < 360 ? 3 : 1
        data[i * 3] = loud * 0.2 * Math.sin(2 * Math.PI * 24.5 * t)
        data[i * 3 + 1] = 0.1 * Math.cos(2 * Math.PI * 12 * t)
        data[i * 3 + 2] = 1
      }
      chunks.push({ t0Us: at * 5000, dtUs: 5000, data })
    }
    project.samples.appendChunks(stream, chunks)
    project.samples.finish(stream)
    ids.push(id)
  }
  project.close()
  const csv = join(dir, 'labels.csv')
  writeFileSync(
    csv,
    'start_ms,end_ms,label\n' +
      Array.from(
        { length: 6 },
        (_, k) => `${(k * 600 + 300) * 1000},${(k * 600 + 360) * 1000},anomaly`,
      ).join('\n') +
      '\n',
  )
  for (const id of ids) {
    execFileSync(
      process.execPath,
      ['bin/tinyloop.js', '--project', file, 'labels', 'import', csv, '--recording', String(id)],
      {
        env: { ...process.env, TINYLOOP_USER_DATA: dir },
      },
    )
  }
  return file
}

for (const scheme of ['light', 'dark'] as const) {
  test(`dataset preview follows the settings without freezing (${scheme})`, async ({ page }) => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyloop-dataset-'))
    const server = await startServe(seed(dir))
    try {
      const problems = watchConsole(page)
      await page.emulateMedia({ colorScheme: scheme })
      await page.goto(server.url)
      await page.locator('.rail [data-view="dataset"]').click()
      const summary = page.locator('.summary')
      // 2 recordings x 1 h, 1 s windows every 0.5 s: about 2 x 7199 windows.
      await expect(summary).toContainText(/1[34],\d{3} windows/, { timeout: 15_000 })
      await expect(page.locator('.counts [data-class="anomaly"]')).toBeVisible()
      await expect(page.locator('.counts [data-class="normal"]')).toBeVisible()

      // Drag the window-size slider: the page keeps drawing frames while previews recompute.
      const slider = page.locator('input[type="range"]').first()
      const box = (await slider.boundingBox())!
      await page.evaluate(
        `window.__frames = []; (function loop(last) { requestAnimationFrame((now) => { window.__frames.push(now - last); if (!window.__stop) loop(now) }) })(performance.now())`,
      )
      await page.mouse.move(box.x + 5, box.y + box.height / 2)
      await page.mouse.down()
      for (let i = 1; i <= 20; i++) {
        await page.mouse.move(box.x + 5 + (i * (box.width - 10)) / 20, box.y + box.height / 2)
        await page.waitForTimeout(40)
      }
      await page.mouse.up()
      const frames = (await page.evaluate('window.__stop = true; window.__frames')) as number[]
      console.log(
        `slider drag: ${frames.length} frames, longest ${Math.round(Math.max(...frames))} ms`,
      )
      expect(Math.max(...frames)).toBeLessThan(500) // never frozen for half a second
      await expect(summary).toContainText(/[\d,]+ windows/)
      await expect(summary).not.toContainText('updating', { timeout: 15_000 })
      // 5 s windows every 0.5 s now: fewer windows than before.
      const windows = Number((await summary.locator('strong').innerText()).replace(/[^\d]/g, ''))
      expect(windows).toBeLessThan(14_398)
      expect(windows).toBeGreaterThan(10_000)

      // Choosing recordings by tag: one of the two pumps, so about half the windows.
      await page.getByLabel('Choose recordings by').selectOption('tag')
      await page.getByLabel('Tag', { exact: true }).selectOption('site-1')
      await expect(summary).not.toContainText('updating', { timeout: 15_000 })
      const oneSite = Number((await summary.locator('strong').innerText()).replace(/[^\d]/g, ''))
      expect(Math.abs(oneSite - windows / 2)).toBeLessThan(windows * 0.05)
      await page.getByLabel('Choose recordings by').selectOption('list')

      mkdirSync(SHOTS, { recursive: true })
      await page.screenshot({ path: `${SHOTS}/dataset-preview-${scheme}.png`, fullPage: true })
      expect(problems).toEqual([])
    } finally {
      await server.stop()
    }
  })
}
