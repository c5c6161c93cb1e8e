import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { crc32 } from '../../src-main/device/protocol/crc32.js'
import { seedTrainedDemo } from '../helpers/trained-project.js'
import { startServe, watchConsole } from './fixtures.js'

const SHOTS = 'tests/e2e/screenshots'
const HOST_PORT = 'native/build/firmware/ports/host/tinyloop-fw-host'

/** Whether the flash's progress bar was ever on screen, sampled every frame from now. */
async function watchProgress(page: Page): Promise<() => Promise<boolean>> {
  await page.evaluate(`window.__flashing = false; window.__stopFlashing = false; (function loop() {
    if (document.querySelector('.device .progress [role=progressbar]')) window.__flashing = true
    if (!window.__stopFlashing) requestAnimationFrame(loop)
  })()`)
  return async () =>
    (await page.evaluate('window.__stopFlashing = true; window.__flashing')) as boolean
}

test.beforeAll(() => {
  // CI builds the firmware first (.ci/run); elsewhere the test builds it (incremental).
  if (existsSync(HOST_PORT)) return
  const build = spawnSync('npm', ['run', 'build:native'], { encoding: 'utf8' })
  expect(build.status, build.stdout + build.stderr).toBe(0)
})

test('flashes a run’s model to the virtual board from the Deploy view, and refuses a port being recorded', async ({
  page,
}) => {
  test.setTimeout(180_000)
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-flash-'))
  // Runs 1 and 2 of the dense preset, and run 3 of about 256 KB, which takes 3 s to flash.
  const server = await startServe(
    seedTrainedDemo(dir, {
      runs: 2,
      extraRuns: [
        {
          layers: [
            { type: 'dense', units: 1024 },
            { type: 'dense', units: 196 },
          ],
          epochs: 1,
        },
      ],
    }),
  )
  try {
    const problems = watchConsole(page)
    mkdirSync(SHOTS, { recursive: true })
    await page.goto(server.url)
    await page.keyboard.press('Alt+5')
    await page.getByRole('combobox', { name: 'Run' }).selectOption('2')

    // The host port is proposed; it starts on first use and says hello: no model yet.
    const card = page.getByRole('region', { name: 'Device' })
    await expect(card.locator('.virtual')).toHaveText('virtual')
    await expect(card.getByRole('combobox', { name: /Port/ })).toHaveValue('virtual:host')
    const hello = card.getByTestId('device-hello')
    await expect(hello).toContainText('host, firmware', { timeout: 20_000 })
    await expect(hello).toContainText(/[0-9a-f]{16}/)
    await expect(card.getByTestId('active-model')).toHaveText('none yet')

    // F flashes run 2, with its progress on screen, and the device runs it.
    const progressShown = await watchProgress(page)
    await page.keyboard.press('f')
    const result = card.getByTestId('flash-result')
    await expect(result).toContainText('Run 2 flashed in', { timeout: 30_000 })
    expect(await progressShown()).toBe(true)
    await expect(result).toContainText('= the image’s CRC-32')
    const activeCrc = /active model ([0-9a-f]{8})/.exec(await result.innerText())?.[1]
    await expect(card.getByTestId('active-model')).toContainText('this run’s model')
    await expect(card.getByTestId('active-model')).toContainText(`${activeCrc} (slot A, run 2,`)

    // The CRC is the one of the image the Deploy view exports: the same bytes.
    const [image] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the Model image' }).click(),
    ])
    const bytes = readFileSync(await image.path())
    expect((crc32(new Uint8Array(bytes)) >>> 0).toString(16).padStart(8, '0')).toBe(activeCrc)
    await expect(result).toContainText(`${bytes.length.toLocaleString('en-US')} bytes`)
    await page.locator('main').evaluate((main) => main.scrollTo(0, 0))
    await page.screenshot({ path: `${SHOTS}/deploy-flash-light.png` })

    // Run 1 is not the device's model until it is flashed, by the button this time.
    await page.getByRole('combobox', { name: 'Run' }).selectOption('1')
    await expect(card.getByTestId('active-model')).toContainText('not run 1’s')
    await card.getByRole('button', { name: /Flash run 1/ }).click()
    await expect(result).toContainText('Run 1 flashed in', { timeout: 30_000 })
    await expect(card.getByTestId('active-model')).toContainText('(slot B, run 1,')
    await expect(card.getByTestId('active-model')).toContainText('this run’s model')

    // The same virtual board records in Capture like any board, marked as virtual; while it
    // records, a flash to it is refused in words.
    await page.keyboard.press('Alt+1')
    const board = page.locator('[data-device="virtual:host"]')
    await expect(board.locator('.virtual')).toHaveText('virtual')
    await board.click()
    await page.keyboard.press('r')
    await expect(page.locator('.counters .state')).toContainText('Recording', { timeout: 10_000 })
    await expect(page.locator('.counters')).toContainText('TinyLoop binary frames')
    await page.waitForTimeout(1500)
    const samples = Number(
      (await page.locator('.counters dd').nth(1).innerText()).replace(/,/g, ''),
    )
    expect(samples).toBeGreaterThan(200)
    await page.screenshot({ path: `${SHOTS}/capture-virtual-board-light.png` })
    await page.keyboard.press('Alt+5')
    await page.keyboard.press('f')
    const refusal = card.locator('[data-failure]')
    await expect(refusal).toHaveAttribute('data-failure', 'busy')
    await expect(refusal).toContainText('stop recording on virtual:host first')
    await page.keyboard.press('Alt+1')
    await page.getByRole('button', { name: /Stop/ }).click()
    await expect(page.locator('.counters .state')).toContainText('Stopped')

    // The large model: its progress, stage by stage, while 256 KB go over the line.
    await page.keyboard.press('Alt+5')
    await page.getByRole('combobox', { name: 'Run' }).selectOption('3')
    await expect(card.getByTestId('active-model')).toContainText('not run 3’s')
    await page.keyboard.press('f')
    const progress = card.locator('.progress')
    await expect(progress).toHaveAttribute('data-stage', 'sending', { timeout: 20_000 })
    await expect(progress.locator('.bytes')).toHaveText(/^[1-9][\d,]* of 25\d,\d{3} bytes$/)
    const bar = progress.getByRole('progressbar', { name: 'Flash progress' })
    await expect(bar).toHaveAttribute('aria-valuemax', /^25\d{4}$/)
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThan(0)
    await expect(progress.getByTestId('time-left')).toHaveText(/^about \d s left$/)
    await expect(card.getByRole('button', { name: 'Cancel' })).toBeVisible()
    await page.screenshot({ path: `${SHOTS}/deploy-flash-progress-light.png` })
    await expect(result).toContainText('Run 3 flashed in', { timeout: 30_000 })
    await expect(card.getByTestId('active-model')).toContainText('this run’s model')

    // Cancelled half-way, the device keeps run 3's model.
    await page.getByRole('combobox', { name: 'Run' }).selectOption('1')
    await page.getByRole('combobox', { name: 'Run' }).selectOption('3')
    await expect(card.getByTestId('active-model')).toContainText('this run’s model')
    await page.keyboard.press('f')
    await expect(progress).toHaveAttribute('data-stage', 'sending', { timeout: 20_000 })
    await card.getByRole('button', { name: 'Cancel' }).click()
    await expect(card.locator('[data-failure]')).toHaveAttribute('data-failure', 'cancelled')
    await expect(card.locator('[data-failure]')).toContainText('keeps its previous model')
    await expect(card.getByTestId('active-model')).toContainText('this run’s model')

    // Dark theme, after a reload: the device still runs run 3's model; then run 1 goes back.
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.reload()
    await page.locator('.rail [data-view="deploy"]').click()
    await page.getByRole('combobox', { name: 'Run' }).selectOption('3')
    await expect(card.getByTestId('active-model')).toContainText('this run’s model', {
      timeout: 20_000,
    })
    await page.getByRole('combobox', { name: 'Run' }).selectOption('1')
    await card.getByRole('button', { name: /Flash run 1/ }).click()
    await expect(result).toContainText('Run 1 flashed in', { timeout: 30_000 })
    await expect(card.getByTestId('active-model')).toContainText('this run’s model')
    await page.screenshot({ path: `${SHOTS}/deploy-flash-dark.png` })
    expect(problems).toEqual([])
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
