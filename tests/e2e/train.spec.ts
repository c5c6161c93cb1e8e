import { mkdirSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { formatTimeUs } from '../../src-renderer/lib/timeline/viewport.js'
import { startServe, watchConsole } from './fixtures.js'

const SHOTS = 'tests/e2e/screenshots'

/** The epochs the curves showed, sampled every frame from before the run starts. */
async function watchCurves(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(`window.__epochs = []; (function loop() {
    const shown = document.querySelector('.curves')?.getAttribute('data-epochs')
    if (shown !== undefined && shown !== null && window.__epochs.at(-1) !== Number(shown))
      window.__epochs.push(Number(shown))
    if (!window.__stopEpochs) requestAnimationFrame(loop)
  })()`)
  return async () =>
    (await page.evaluate('window.__stopEpochs = true; window.__epochs')) as number[]
}

const runHead = (page: Page) => page.locator('.run-head')
const trainButton = (page: Page) => page.locator('.view-header button.start')

async function openTrain(page: Page) {
  await page.locator('.rail [data-view="train"]').click()
  await expect(page.locator('main')).toHaveAttribute('data-view', 'train')
}

test('the loop on the demo project: train, watch it learn, open a mistake, cancel a long run', async ({
  page,
}) => {
  test.setTimeout(150_000)
  const server = await startServe()
  try {
    const problems = watchConsole(page)
    mkdirSync(SHOTS, { recursive: true })
    await page.goto(server.url)

    // A newcomer starts from Capture's empty state.
    await page.getByRole('button', { name: 'Try the demo project' }).click()
    const added = page.getByRole('status').filter({ hasText: /Added \d+ demo recordings/ })
    await expect(added).toBeVisible({ timeout: 20_000 })
    const demoRecordings = Number((await added.innerText()).match(/Added (\d+)/)?.[1])
    await expect(page.locator('.recordings tbody tr')).toHaveCount(demoRecordings)

    // The Train view asks for a dataset version first, and leads to the Dataset view.
    await openTrain(page)
    await expect(page.getByText('No dataset versions yet')).toBeVisible()
    await page.getByRole('button', { name: 'Go to Dataset' }).click()
    await expect(page.locator('.summary')).toContainText(/[\d,]+ windows/, { timeout: 20_000 })
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await expect(page.getByText('Saved anomalies v1.')).toBeVisible()

    // The newest version is picked, the model sized for the board before anything is trained.
    await openTrain(page)
    await expect(page.getByLabel('Dataset version')).toHaveText(/anomalies v1/)
    await expect(page.getByRole('radio', { name: /Dense.*suits the features/ })).toHaveAttribute(
      'aria-checked',
      'true',
    )
    await expect(page.locator('.gauge')).toContainText(/[\d,]+ parameters · int8 estimates/)
    await expect(page.locator('[data-meter="Flash"]')).toContainText(/≈ [\d.]+ kB of/)
    await expect(page.locator('[data-fits="true"]')).toContainText('Fits the Arduino Nano 33 BLE')
    await page.getByLabel('Board').selectOption('samd21')
    await expect(page.locator('.gauge [data-fits]')).toContainText('SAMD21')
    await page.getByLabel('Board').selectOption('nano33ble')

    // Train with the keyboard: the curves grow epoch by epoch, then the evaluation follows.
    const epochsShown = await watchCurves(page)
    await page.keyboard.press('Control+Enter')
    await expect(runHead(page)).toContainText('Run 1')
    await expect(runHead(page).getByText('complete')).toBeVisible({ timeout: 60_000 })
    const grew = await epochsShown()
    const final = Number(await page.locator('.curves').getAttribute('data-epochs'))
    console.log(`curves showed epochs ${grew.join(', ')} of ${final}`)
    expect(final).toBeGreaterThan(5)
    expect(grew.filter((n) => n > 0 && n < final).length).toBeGreaterThan(0)
    await expect(page.getByTestId('diagnosis')).not.toBeEmpty()
    const matrix = page.getByRole('img', { name: /Confusion matrix/ })
    await expect(matrix).toBeVisible()
    await expect(matrix.locator('[data-cell]')).toHaveCount(9)
    await expect(page.locator('.evaluation .data-table tbody tr')).toHaveCount(3)
    await expect(page.getByTestId('test-accuracy')).toContainText(/\d+\.\d%/)
    await expect(page.locator('.rail [data-view="train"] .status')).toHaveText(/run 1: \d+\.\d%/)

    // A model too small to learn much, for few epochs: it gets test windows wrong.
    await page.getByRole('button', { name: 'Remove layer 3' }).click()
    await page.getByRole('button', { name: 'Remove layer 2' }).click()
    await page.getByLabel('Layer 1 units').fill('1')
    await page.getByLabel('Layer 1 units').press('Tab')
    await expect(page.getByRole('button', { name: 'Edited · reset' })).toBeVisible()
    await expect(page.locator('.layers [data-layer]')).toHaveCount(1)
    await page.locator('.settings summary').click()
    await page.getByLabel('Epochs', { exact: true }).fill('2')
    await page.getByLabel('Epochs', { exact: true }).press('Tab')
    await trainButton(page).click()
    await expect(runHead(page)).toContainText('Run 2')
    await expect(runHead(page).getByText('complete')).toBeVisible({ timeout: 60_000 })
    await expect(page.locator('.runs tbody tr').first()).toContainText('custom')
    const mistake = page.locator('.mistakes li button').first()
    await expect(mistake).toBeVisible()
    const recordingId = await mistake.getAttribute('data-recording')
    const startUs = Number(await mistake.getAttribute('data-start-us'))
    const endUs = Number(await mistake.getAttribute('data-end-us'))

    // It opens on the Label view, on its recording, zoomed to the window with its width around.
    await mistake.click()
    await expect(page.locator('main')).toHaveAttribute('data-view', 'label')
    await expect(page.locator(`.picker [data-recording="${recordingId}"]`)).toHaveAttribute(
      'aria-selected',
      'true',
    )
    const width = endUs - startUs
    const fromUs = Math.max(0, startUs - width)
    await expect(page.locator('.readout span').first()).toHaveText(
      `${formatTimeUs(fromUs)} – ${formatTimeUs(fromUs + 3 * width)}`,
    )
    await expect(page.locator('.readout .level')).toHaveText(/raw samples|envelope level/)
    await expect(page.getByLabel('Recording’s class')).toHaveText(/normal \(project default\)/)
    await page.screenshot({ path: `${SHOTS}/train-mistake-on-label-light.png` })

    // A long run is cancelled, and kept as cancelled.
    await openTrain(page)
    await page.getByRole('button', { name: 'Edited · reset' }).click()
    await page.locator('.settings summary').click()
    await page.getByLabel('Epochs', { exact: true }).fill('1000')
    await page.getByLabel('Epochs', { exact: true }).press('Tab')
    await page.getByLabel('Stop early').uncheck()
    await trainButton(page).click()
    await expect(runHead(page)).toContainText('Run 3')
    await expect(page.getByTestId('epoch')).toHaveText(/epoch [2-9]\d* of 1000/, {
      timeout: 30_000,
    })
    await page.getByRole('button', { name: 'Cancel', exact: true }).click()
    await expect(runHead(page).getByText('cancelled')).toBeVisible({ timeout: 20_000 })
    await expect(trainButton(page)).toBeEnabled()
    await expect(page.locator('.runs tbody tr')).toHaveCount(3)
    await expect(page.locator('.runs tbody tr').first()).toContainText('cancelled')
    await page.getByRole('button', { name: 'Defaults' }).click()
    await page.locator('.settings summary').click()

    // Clicking a run in the table reopens it, with its curves and evaluation.
    await page.locator('.runs [data-run="1"]').click()
    await expect(runHead(page)).toContainText('Run 1')
    await expect(page.getByRole('img', { name: /Confusion matrix/ })).toBeVisible()
    await expect(page.locator('[data-fits="true"]')).toBeVisible()
    await page.locator('main').evaluate((main) => main.scrollTo(0, 0))
    await page.screenshot({ path: `${SHOTS}/train-light.png` })

    // The dark theme, after a reload: the runs are the project's, not the page's.
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.reload()
    await openTrain(page)
    await expect(runHead(page)).toContainText('Run 3')
    await page.locator('.runs [data-run="1"] button').press('Enter')
    await expect(runHead(page)).toContainText('Run 1')
    await expect(page.getByRole('img', { name: /Confusion matrix/ })).toBeVisible()
    await expect(page.locator('[data-fits="true"]')).toBeVisible()
    await page.locator('main').evaluate((main) => main.scrollTo(0, 0))
    await page.screenshot({ path: `${SHOTS}/train-dark.png` })
    expect(problems).toEqual([])
  } finally {
    await server.stop()
  }
})
