import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test, expect, watchConsole } from './fixtures.js'

const SHOTS = 'tests/e2e/screenshots'

for (const scheme of ['light', 'dark'] as const) {
  test(`records the demo device live and lists the recording (${scheme})`, async ({
    page,
    served,
  }) => {
    const problems = watchConsole(page)
    await page.emulateMedia({ colorScheme: scheme })
    await page.goto(served.url)
    await page.locator('[data-device="demo"]').click()
    await expect(page.locator('[data-device="demo"]')).toHaveAttribute('aria-selected', 'true')
    await page.keyboard.press('r')
    await expect(page.locator('.counters .state')).toContainText('Recording', { timeout: 10_000 })
    await expect(page.locator('.counters')).toContainText('400 Hz')
    await expect(page.locator('.plot canvas')).toHaveCount(1)
    await expect(page.locator('.topbar .device')).toContainText('Demo device')
    await page.waitForTimeout(2500)
    mkdirSync(SHOTS, { recursive: true })
    await page.screenshot({ path: `${SHOTS}/capture-recording-${scheme}.png` })
    const samples = Number(
      (await page.locator('.counters dd').nth(1).innerText()).replace(/,/g, ''),
    )
    expect(samples).toBeGreaterThan(400)
    await page.getByRole('button', { name: /Stop/ }).click()
    await expect(page.locator('.counters .state')).toContainText('Stopped')
    const row = page.locator('.recordings tbody tr').first()
    await expect(row).toContainText('complete')
    await expect(row).toContainText('400 Hz')
    await expect(page.locator('.rail [data-view="capture"] .status')).toHaveText('1 recording')
    expect(problems).toEqual([])
  })
}

test('imports a CSV file and exports it again from the recordings list', async ({
  page,
  served,
}) => {
  const csv = join(served.dataDir, 'pump-run.csv')
  writeFileSync(
    csv,
    'timestamp_ms,ax,ay\n' +
      Array.from({ length: 200 }, (_, i) => `${i * 10},${i},${-i}`).join('\n') +
      '\n',
  )
  writeFileSync(join(served.dataDir, 'broken.csv'), 'ax,ay\n1,2\n3\n')
  await page.goto(served.url)
  await page.getByRole('button', { name: 'Import…' }).click()
  await page.getByLabel(/Files or folders/).fill(`${csv}\n${join(served.dataDir, 'broken.csv')}`)
  await page.getByLabel(/Rate for CSV/).fill('100')
  await page.getByLabel('Class of every file').fill('pump running')
  await page.getByRole('button', { name: 'Import', exact: true }).click()
  const results = page.getByRole('list', { name: 'Import results' })
  await expect(results).toContainText('200 samples · ax, ay')
  await expect(results).toContainText(/broken\.csv.*line 3/s)
  await page.getByRole('button', { name: 'Done' }).click()

  const row = page.locator('.recordings tbody tr', { hasText: 'pump-run' })
  await expect(row).toContainText('imported')
  await expect(row).toContainText('100 Hz')
  await row.getByRole('button', { name: /Export/ }).click()
  const out = join(served.dataDir, 'out.csv')
  await page.getByLabel(/File to write/).fill(out)
  await page.getByRole('button', { name: 'Export', exact: true }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Wrote 200 samples' })).toBeVisible()
  const lines = readFileSync(out, 'utf8').trim().split('\n')
  expect(lines).toHaveLength(201)
  expect(lines[0]).toBe('timestamp_ms,ax,ay')
  // Exporting again onto the same file is refused unless asked to replace it.
  await page.getByRole('button', { name: 'Export', exact: true }).click()
  await expect(page.getByRole('alert')).toContainText(/exists/)
  await page.keyboard.press('Escape')

  // The recording's name opens it on the labeling timeline.
  await row.locator('.link').click()
  await expect(page.locator('main')).toHaveAttribute('data-view', 'label')
  await expect(page.getByRole('option', { name: /pump-run/ })).toHaveAttribute(
    'aria-selected',
    'true',
  )
  // The class given to every imported file is the recording's own class.
  const recordingClass = page.getByLabel('Recording’s class')
  await expect(recordingClass.locator('option:checked')).toHaveText('pump running')
})

test('a recording in progress grows on the labeling timeline', async ({ page, served }) => {
  await page.goto(served.url)
  await page.locator('[data-device="demo"]').click()
  await page.keyboard.press('r')
  await expect(page.locator('.counters .state')).toContainText('Recording', { timeout: 10_000 })
  await page.waitForTimeout(2500)
  await page.locator('.recordings tbody tr').first().locator('.link').click()
  await expect(page.locator('main')).toHaveAttribute('data-view', 'label')
  const range = page.locator('.readout span').first()
  await expect(range).toHaveText(/^0:00\.\d{3} – 0:0\d\.\d{3}$/)
  const endOf = async () => {
    const [, end] = (await range.innerText()).split(' – ')
    const [m, s] = (end ?? '').split(':')
    return Number(m) * 60 + Number(s)
  }
  const before = await endOf()
  await expect.poll(endOf, { timeout: 8000 }).toBeGreaterThan(before + 1.5)
})
