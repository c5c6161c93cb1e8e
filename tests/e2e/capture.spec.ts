import { mkdirSync } from 'node:fs'
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
