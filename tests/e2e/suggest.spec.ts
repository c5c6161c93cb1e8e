import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { seedTrainedDemo } from '../helpers/trained-project.js'
import { startServe, watchConsole } from './fixtures.js'

const SHOTS = 'tests/e2e/screenshots'

/** The trained demo project with recording 2's labels removed (one import with --replace). */
function projectWithUnlabeledRecording(dir: string): string {
  const file = seedTrainedDemo(dir, { minutes: 12, epochs: 20 })
  const empty = join(dir, 'empty.csv')
  writeFileSync(empty, 'start_ms,end_ms,label\n')
  execFileSync(
    process.execPath,
    [
      'bin/tinyloop.js',
      '--project',
      file,
      'labels',
      'import',
      empty,
      '--recording',
      '2',
      '--replace',
    ],
    { env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') }, stdio: 'pipe' },
  )
  return file
}

for (const scheme of ['light', 'dark'] as const) {
  test(`suggested labels: suggest with run 1, accept with A, reject with R, undo (${scheme})`, async ({
    page,
  }) => {
    test.setTimeout(120_000)
    const dir = mkdtempSync(join(tmpdir(), 'tinyloop-suggest-e2e-'))
    const server = await startServe(projectWithUnlabeledRecording(dir))
    try {
      const problems = watchConsole(page)
      await page.emulateMedia({ colorScheme: scheme })
      await page.goto(server.url)
      await page.keyboard.press('Alt+2')
      await page.locator('[data-recording="2"]').click()
      await expect(page.locator('.readout .level')).toHaveText(/envelope level \d|raw samples/)
      await expect(page.locator('.list li[data-label]')).toHaveCount(0)

      const bar = page.getByTestId('suggestions')
      await expect(bar.getByRole('combobox')).toHaveText(/run 1 · dense/)
      await bar.getByRole('button', { name: 'Suggest labels' }).click()
      await expect(bar).toContainText(/\d+ suggestions? from run 1/, { timeout: 20_000 })
      const count = Number((await bar.locator('.count').innerText()).match(/^(\d+)/)?.[1])
      expect(count).toBeGreaterThanOrEqual(2)

      // N visits the first suggestion: named with its class, span and confidence.
      await page.keyboard.press('n')
      const selected = page.getByTestId('suggestion-selected')
      await expect(selected).toHaveText(/(imbalance|bearing) \d:\d\d\.\d{3} – \d:\d\d\.\d{3}, \d+%/)
      mkdirSync(SHOTS, { recursive: true })
      await page.screenshot({ path: `${SHOTS}/label-suggestions-${scheme}.png` })

      // A accepts it: a label now, of the suggestion's class, by the model.
      const className = (await selected.innerText()).trim().split(' ')[0]!
      await page.keyboard.press('a')
      await expect(page.locator('.list li[data-label]')).toHaveCount(1)
      await expect(page.locator('.list li[data-label]').first()).toContainText(className)
      await expect(bar).toContainText(`${count - 1} suggestion`)
      await expect(bar.getByRole('status')).toContainText('Accepted as a label (Ctrl+Z undoes it)')

      // R rejects the next one: it goes, and no label comes of it.
      if (count >= 2) {
        await expect(selected).toBeVisible()
        await page.keyboard.press('r')
        await expect(bar).toContainText(`${count - 2} suggestion`)
        await expect(page.locator('.list li[data-label]')).toHaveCount(1)
      }

      // Ctrl+Z takes the accepted label back.
      await page.keyboard.press('Control+z')
      await expect(page.locator('.list li[data-label]')).toHaveCount(0)

      // Suggest again: all of them back, and Ctrl+Enter accepts those at or above 90%.
      await bar.getByRole('button', { name: 'Suggest labels' }).click()
      await expect(bar.locator('.count')).toHaveText(
        `${count} suggestion${count === 1 ? '' : 's'} from run 1`,
      )
      const above = Number(
        (await bar.getByRole('button', { name: /^Accept \d+/ }).innerText()).match(/(\d+)/)?.[1],
      )
      expect(above).toBeGreaterThan(0)
      await page.keyboard.press('Control+Enter')
      await expect(page.locator('.list li[data-label]')).toHaveCount(above)
      await expect(page.getByRole('button', { name: 'Undo', exact: true })).toHaveAttribute(
        'title',
        /Undo: accept/,
      )
      if (scheme === 'dark')
        await page.screenshot({ path: `${SHOTS}/label-suggestions-accepted-dark.png` })
      await page.keyboard.press('Control+z')
      await expect(page.locator('.list li[data-label]')).toHaveCount(0)
      expect(problems).toEqual([])
    } finally {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
}
