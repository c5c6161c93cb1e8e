import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { seedTrainedDemo } from '../helpers/trained-project.js'
import { startServe, watchConsole } from './fixtures.js'

const SHOTS = 'tests/e2e/screenshots'
const HOST_PORT = 'native/build/firmware/ports/host/tinyloop-fw-host'

test.beforeAll(() => {
  if (existsSync(HOST_PORT)) return
  const build = spawnSync('npm', ['run', 'build:native'], { encoding: 'utf8' })
  expect(build.status, build.stdout + build.stderr).toBe(0)
})

const count = async (page: Page, testId: string) =>
  Number((await page.getByTestId(testId).innerText()).replace(/[^\d]/g, ''))

test('watches the device live from the Deploy view, then checks recordings for drift', async ({
  page,
}) => {
  test.setTimeout(180_000)
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-live-'))
  const file = seedTrainedDemo(dir, { minutes: 8 })
  // New data from the field: the machine as it trained (another seed), and with its sensor
  // turned 30° (unlabeled, as a technician brings it back).
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, ['bin/tinyloop.js', '--project', file, ...args], {
      env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') },
    })
  cli('demo', '--minutes', '4', '--recordings', '1', '--seed', '7')
  cli('demo', '--minutes', '4', '--recordings', '1', '--seed', '9', '--drift', 'mount')
  const server = await startServe(file)
  try {
    const problems = watchConsole(page)
    mkdirSync(SHOTS, { recursive: true })
    await page.setViewportSize({ width: 1400, height: 1000 })
    await page.goto(server.url)
    await page.keyboard.press('Alt+5')
    const device = page.getByRole('region', { name: 'Device' })
    await expect(device.getByTestId('device-hello')).toContainText('host, firmware', {
      timeout: 20_000,
    })
    await page.keyboard.press('f')
    await expect(device.getByTestId('flash-result')).toContainText('Run 1 flashed in', {
      timeout: 30_000,
    })

    // L watches live: the device's predictions arrive beside its samples, with its latency.
    const live = page.getByRole('region', { name: 'Live on the device' })
    await page.keyboard.press('l')
    await expect(live.getByTestId('live-status')).toContainText('Recording', { timeout: 10_000 })
    await expect(live.getByTestId('live-class')).toHaveAttribute(
      'data-class',
      /^(normal|imbalance|bearing)$/,
      { timeout: 20_000 },
    )
    await expect(live.getByTestId('live-latency')).toHaveText(/^\d[\d,]* µs/)
    await expect(live).toContainText('run 1')
    const first = await count(page, 'live-prediction-count')
    await page.waitForTimeout(4000)
    // Two predictions a second (a 1 s window every 0.5 s).
    expect(await count(page, 'live-prediction-count')).toBeGreaterThanOrEqual(first + 5)
    // The probabilities plot and the class band are drawn.
    await expect(live.locator('[data-testid=live-predictions] .plot canvas')).toHaveCount(1)
    await live.screenshot({ path: `${SHOTS}/deploy-live-light.png` })
    await page.emulateMedia({ colorScheme: 'dark' })
    await live.screenshot({ path: `${SHOTS}/deploy-live-dark.png` })
    await page.emulateMedia({ colorScheme: 'light' })

    // While it records, the port cannot be flashed (in words); L again stops and keeps it.
    await page.keyboard.press('f')
    await expect(device.locator('[data-failure]')).toHaveAttribute('data-failure', 'busy')
    await page.keyboard.press('l')
    await expect(live.getByTestId('live-status')).toContainText('Stopped', { timeout: 10_000 })
    const stored = await count(page, 'live-prediction-count')
    expect(stored).toBeGreaterThanOrEqual(first + 5)

    // The live recording is short: too little to tell, with how much more to record.
    const drift = page.getByRole('region', { name: 'Drift check' })
    await live.getByRole('button', { name: 'Check drift on this recording' }).click()
    const verdict = drift.getByTestId('drift-verdict')
    await expect(verdict).toHaveAttribute('data-verdict', 'too little data', { timeout: 20_000 })
    await expect(verdict).toContainText(/Record at least \d+ s more/)

    // The undrifted recording passes; the remounted sensor is caught, and named as such.
    const pick = async (name: RegExp) => {
      const options = await drift.getByRole('combobox').locator('option').allTextContents()
      const label = options.find((o) => name.test(o))
      expect(label, options.join('\n')).toBeDefined()
      await drift.getByRole('combobox').selectOption({ label: label! })
      // Keys go to the view, not the list.
      await drift.getByRole('combobox').blur()
    }
    await pick(/^5 · Demo machine 1 /)
    await page.keyboard.press('d')
    await expect(verdict).toHaveAttribute('data-verdict', 'no drift', { timeout: 20_000 })
    await expect(drift.locator('figure.histogram')).toHaveCount(0)
    await pick(/sensor remounted/)
    await page.keyboard.press('d')
    await expect(verdict).toHaveAttribute('data-verdict', 'drift', { timeout: 20_000 })
    await expect(verdict).toHaveAttribute('data-cause', 'mounting')
    await expect(verdict).toContainText('check its mounting')
    // A chart per moved feature (six at most), training against the recording.
    const charts = drift.locator('figure.histogram')
    expect(await charts.count()).toBeGreaterThanOrEqual(2)
    await expect(charts.first()).toHaveAttribute('data-state', 'moved')
    await expect(drift.getByRole('table', { name: 'Class mix' })).toContainText('normal')
    await drift.screenshot({ path: `${SHOTS}/deploy-drift-light.png` })
    await page.emulateMedia({ colorScheme: 'dark' })
    await drift.screenshot({ path: `${SHOTS}/deploy-drift-dark.png` })
    await page.emulateMedia({ colorScheme: 'light' })

    // Capture shows the same live predictions while it records the board.
    await page.keyboard.press('Alt+1')
    await page.locator('[data-device="virtual:host"]').click()
    await page.keyboard.press('r')
    // The new recording's own predictions (the stopped one's panel goes when it starts).
    await expect(page.locator('.counters .state')).toContainText('Recording', { timeout: 20_000 })
    await expect(page.getByTestId('live-predictions').getByTestId('live-class')).toBeVisible({
      timeout: 20_000,
    })
    await expect.poll(() => count(page, 'live-prediction-count')).toBeGreaterThanOrEqual(4)
    await expect
      .poll(() => count(page, 'live-prediction-count'), { timeout: 10_000 })
      .toBeLessThan(stored)
    await page.screenshot({ path: `${SHOTS}/capture-live-predictions-light.png` })
    await page.getByRole('button', { name: /Stop/ }).click()
    await expect(page.locator('.counters .state')).toContainText('Stopped')
    expect(problems).toEqual([])
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
