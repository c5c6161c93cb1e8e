import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { openProject } from '../../src-main/store/index.js'
import { startServe, watchConsole } from './fixtures.js'

/** A board that sends its accelerometer at 100 Hz and its temperature at 1 Hz, for a minute. */
function seedTwoStreams(file: string): void {
  const project = openProject(file)
  const id = project.recordings.create({ name: 'Compressor C-2', status: 'complete' })
  for (const [name, rateHz, channels] of [
    ['accel', 100, ['ax', 'ay', 'az']],
    ['climate', 1, ['temp_c']],
  ] as const) {
    const stream = project.streams.create(id, {
      name,
      rateHz,
      channels: channels.map((c) => ({ name: c })),
    })
    const n = 60 * rateHz
    const data = Float32Array.from({ length: n * channels.length }, (_, i) => i % 7)
    project.samples.appendChunks(stream, [{ t0Us: 0, dtUs: 1e6 / rateHz, data }])
    project.samples.finish(stream)
  }
  project.close()
}

test('a recording with two streams exports the one chosen; a dataset exports its windows', async ({
  page,
}) => {
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-export-'))
  const file = join(dir, 'Compressors.tinyloop')
  seedTwoStreams(file)
  const server = await startServe(file)
  try {
    const problems = watchConsole(page)
    await page.goto(server.url)
    await page.getByRole('button', { name: 'Export Compressor C-2' }).click()
    // The fastest stream comes first; the slow one is picked here.
    const stream = page.getByLabel('Stream')
    await expect(stream).toHaveValue(/\d+/)
    await expect(stream.locator('option').first()).toHaveText(/accel \(ax, ay, az, 100 Hz\)/)
    await stream.selectOption({ label: 'climate (temp_c, 1 Hz)' })
    const csv = join(dir, 'climate.csv')
    await page.getByLabel(/File to write/).fill(csv)
    await page.getByRole('button', { name: 'Export', exact: true }).click()
    await expect(page.getByRole('status').filter({ hasText: 'Wrote 60 samples' })).toBeVisible()
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toBe('timestamp_ms,temp_c')
    await page.keyboard.press('Escape')

    // The Dataset view writes the windows of its settings, as NumPy arrays with a sidecar.
    await page.locator('.rail [data-view="dataset"]').click()
    await expect(page.locator('.summary')).toContainText(/[\d,]+ windows/, { timeout: 15_000 })
    await page.getByRole('button', { name: 'Export windows…' }).click()
    await page.getByLabel(/File to write/).fill(join(dir, 'windows'))
    await page.getByRole('radio', { name: /NumPy/ }).check()
    await expect(page.getByLabel(/File to write/)).toHaveValue(join(dir, 'windows.npz'))
    await page.getByRole('button', { name: 'Export', exact: true }).click()
    await expect(
      page.getByRole('status').filter({ hasText: /Wrote [\d,]+ windows/ }),
    ).toContainText('windows.json')
    const sidecar = JSON.parse(readFileSync(join(dir, 'windows.json'), 'utf8')) as object
    expect(Object.keys(sidecar).length).toBeGreaterThan(0)
    expect(problems).toEqual([])
  } finally {
    await server.stop()
  }
})
