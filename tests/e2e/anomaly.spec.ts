import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { expect, test, type Page } from '@playwright/test'
import { startServe, watchConsole } from './fixtures.js'

const SHOTS = 'tests/e2e/screenshots'

const trainButton = (page: Page) => page.locator('.view-header button.start')
const HOST_PORT = 'native/build/firmware/ports/host/tinyloop-fw-host'

test.beforeAll(() => {
  if (existsSync(HOST_PORT)) return
  const build = spawnSync('npm', ['run', 'build:native'], { encoding: 'utf8' })
  expect(build.status, build.stdout + build.stderr).toBe(0)
})

test('trains both anomaly models on the demo project and shows their scores, threshold and ROC', async ({
  page,
}) => {
  test.setTimeout(150_000)
  const server = await startServe()
  try {
    const problems = watchConsole(page)
    mkdirSync(SHOTS, { recursive: true })
    await page.setViewportSize({ width: 1400, height: 1000 })
    await page.goto(server.url)
    await page.getByRole('button', { name: 'Try the demo project' }).click()
    await expect(page.getByRole('status').filter({ hasText: /Added \d+ demo/ })).toBeVisible({
      timeout: 20_000,
    })
    await page.locator('.rail [data-view="dataset"]').click()
    await expect(page.locator('.summary')).toContainText(/[\d,]+ windows/, { timeout: 20_000 })
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    await expect(page.getByText(/Saved .* v1\./)).toBeVisible()
    await page.locator('.rail [data-view="train"]').click()

    // An anomaly model: the normal class is the project's default; no layers, no size gauge.
    await page.getByRole('radio', { name: 'Anomaly: Gaussian' }).click()
    const choice = page.getByTestId('anomaly-choice')
    await expect(choice.getByRole('checkbox', { name: /normal \(default class\)/ })).toBeChecked()
    await expect(choice.getByRole('checkbox', { name: /bearing/ })).not.toBeChecked()
    await expect(page.locator('.gauge')).toHaveCount(0)
    await trainButton(page).click()
    const evaluation = page.getByRole('region', { name: 'Evaluation' })
    await expect(evaluation.getByTestId('test-auc')).toContainText(/^(1\.000|0\.9[5-9]\d)/, {
      timeout: 30_000,
    })
    await expect(evaluation).toContainText('gaussian on')
    await expect(evaluation).toContainText('windows of normal')
    // The scores of normal and faulty windows, the threshold among them, the ROC curve.
    const histogram = evaluation.getByTestId('score-histogram')
    expect(await histogram.locator('rect.normal').count()).toBeGreaterThan(3)
    expect(await histogram.locator('rect.anomalous').count()).toBeGreaterThan(3)
    await expect(histogram.getByTestId('threshold-line')).toHaveCount(1)
    await expect(evaluation.getByTestId('roc').locator('path.curve')).toHaveAttribute('d', /^M/)
    await expect(
      evaluation.getByRole('table', { name: 'Anomaly detection by split' }),
    ).toContainText('Test')
    await expect(page.locator('.runs [data-run="1"]')).toContainText(/AUC (1\.000|0\.9\d\d)/)
    await page.screenshot({ path: `${SHOTS}/train-anomaly-gaussian-light.png` })

    // The autoencoder trains in the background with its reconstruction curve, best F1 threshold.
    await page.getByRole('radio', { name: 'Anomaly: autoencoder' }).click()
    await choice.getByRole('combobox', { name: 'Threshold' }).selectOption('f1')
    await trainButton(page).click()
    await expect(page.locator('.runs [data-run="2"]')).toContainText(/AUC (1\.000|0\.9[5-9]\d)/, {
      timeout: 90_000,
    })
    await page.locator('.runs [data-run="2"]').click()
    await expect(evaluation).toContainText('the best F1 on the validation windows')
    await expect(page.locator('.curves figure')).toHaveCount(1)
    await expect(page.locator('.curves')).toContainText('Reconstruction error')
    // No classifier's diagnosis: it has no accuracy to read.
    await expect(page.getByTestId('diagnosis')).toHaveCount(0)
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.reload()
    await page.locator('.rail [data-view="train"]').click()
    await page.locator('.runs [data-run="2"]').click()
    await expect(evaluation.getByTestId('score-histogram')).toBeVisible()
    await page.screenshot({ path: `${SHOTS}/train-anomaly-autoencoder-dark.png` })

    // Deploy shows what goes to the device: its evaluation, and the device to flash it to.
    await page.locator('.rail [data-view="deploy"]').click()
    const card = page.getByTestId('anomaly-card')
    await expect(card).toContainText('Run 2 · int8 autoencoder anomaly model')
    await expect(card.getByTestId('test-auc')).toContainText(/^(1\.000|0\.9\d\d)/)
    await expect(page.getByRole('combobox', { name: 'Run' })).toContainText('anomaly, test AUC')
    await expect(page.getByRole('button', { name: 'Retrain and flash' })).toHaveCount(0)
    await page.screenshot({ path: `${SHOTS}/deploy-anomaly-dark.png`, fullPage: true })

    // Flashed to the firmware's host port, it sends a score per window: the live score line.
    const device = page.getByRole('region', { name: 'Device' })
    await expect(device.getByTestId('device-hello')).toContainText('host, firmware', {
      timeout: 20_000,
    })
    await page.keyboard.press('f')
    await expect(device.getByTestId('flash-result')).toContainText('Run 2 flashed in', {
      timeout: 30_000,
    })
    const live = page.getByRole('region', { name: 'Live on the device' })
    await page.keyboard.press('l')
    await expect(live.getByTestId('live-score')).toHaveText(/^score \d/, { timeout: 20_000 })
    await expect(live.getByTestId('live-class')).toHaveAttribute('data-class', /^(normal|anomaly)$/)
    await expect(live).toContainText('anomaly score per window against its threshold')
    await page.waitForTimeout(3000)
    await live.screenshot({ path: `${SHOTS}/deploy-anomaly-live-dark.png` })
    await page.keyboard.press('l')
    await expect(live.getByTestId('live-status')).toContainText('Stopped', { timeout: 10_000 })
    expect(problems).toEqual([])
  } finally {
    await server.stop()
  }
})
