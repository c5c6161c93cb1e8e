import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { localClient } from '../../src-main/rpc/local-client.js'
import { createServices } from '../../src-main/services.js'
import { seedTrainedDemo } from '../helpers/trained-project.js'
import { startServe, watchConsole } from './fixtures.js'

const SHOTS = 'tests/e2e/screenshots'
const HOST_PORT = 'native/build/firmware/ports/host/tinyloop-fw-host'

/** The stages seen running, sampled every frame from now, in the order they showed. */
async function watchStages(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(`window.__stages = []; window.__stopStages = false; (function loop() {
    const li = document.querySelector('[data-testid=retrain-stages] li[data-state=running]')
    const stage = li && li.getAttribute('data-stage')
    if (stage && window.__stages[window.__stages.length - 1] !== stage) window.__stages.push(stage)
    if (!window.__stopStages) requestAnimationFrame(loop)
  })()`)
  return async () =>
    (await page.evaluate('window.__stopStages = true; window.__stages')) as string[]
}

test.beforeAll(() => {
  if (existsSync(HOST_PORT)) return
  const build = spawnSync('npm', ['run', 'build:native'], { encoding: 'utf8' })
  expect(build.status, build.stdout + build.stderr).toBe(0)
})

test('Retrain and flash on the demo project: the stages, then the new run on the virtual board', async ({
  page,
}) => {
  test.setTimeout(180_000)
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-retrain-'))
  const server = await startServe(seedTrainedDemo(dir, { epochs: 60 }))
  try {
    const problems = watchConsole(page)
    mkdirSync(SHOTS, { recursive: true })
    await page.goto(server.url)
    await page.keyboard.press('Alt+5')

    // Run 1 goes to the virtual board first: the model on the device.
    const device = page.getByRole('region', { name: 'Device' })
    await expect(device.getByTestId('device-hello')).toContainText('host, firmware', {
      timeout: 20_000,
    })
    await page.keyboard.press('f')
    await expect(device.getByTestId('flash-result')).toContainText('Run 1 flashed in', {
      timeout: 30_000,
    })
    await expect(device.getByTestId('active-model')).toContainText('this run’s model')
    const oldCrc = /([0-9a-f]{8}) \(slot/.exec(
      await device.getByTestId('active-model').innerText(),
    )?.[1]

    // One click: every stage runs in turn, each with its time.
    const panel = page.getByRole('region', { name: 'Retrain and flash' })
    const stagesSeen = await watchStages(page)
    await panel.getByRole('button', { name: 'Retrain and flash' }).click()
    await expect(panel.getByRole('button', { name: 'Cancel' })).toBeVisible()
    const result = panel.getByTestId('retrain-result')
    await expect(result).toContainText('Run 2 is on the device', { timeout: 120_000 })
    const seen = await stagesSeen()
    expect(seen).toContain('training')
    expect(seen.indexOf('training')).toBeLessThan(seen.indexOf('flashing'))
    const rows = panel.getByTestId('retrain-stages').locator('li')
    await expect(rows).toHaveCount(7)
    for (const row of await rows.all()) {
      await expect(row).toHaveAttribute('data-state', 'done')
      await expect(row.locator('.time')).toHaveText(/^\d+(\.\d)? s$/)
    }
    await expect(result).toContainText(
      /Test accuracy \d+\.\d% of \d+ windows → \d+\.\d% of \d+ windows/,
    )
    await expect(result).toContainText('= the new image’s CRC-32')
    await expect(result).toContainText(/first live prediction: (normal|imbalance|bearing)/)
    const newCrc = /Active model ([0-9a-f]{8})/.exec(await result.innerText())?.[1]
    expect(oldCrc).toMatch(/^[0-9a-f]{8}$/)
    expect(newCrc).toMatch(/^[0-9a-f]{8}$/)
    expect(newCrc).not.toBe(oldCrc)

    // The view follows the new run; the Device card says the device runs it.
    await expect(page.getByRole('heading', { name: 'Run 2 · int8 model' })).toBeVisible()
    await expect(device.getByTestId('active-model')).toContainText('this run’s model', {
      timeout: 20_000,
    })
    await expect(device.getByTestId('active-model')).toContainText(`${newCrc} (slot`)
    // The Device card's own flash of run 1 is history: it is not shown as the device's state.
    await expect(device.getByTestId('flash-result')).toBeHidden()
    // The pipeline's check of the new file is the card's.
    await expect(page.getByText('Verified in LiteRT.js')).toBeVisible()
    await page.screenshot({ path: `${SHOTS}/deploy-retrain-light.png` })
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.screenshot({ path: `${SHOTS}/deploy-retrain-dark.png` })
    expect(problems).toEqual([])
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

/** Deletes every label of `className` in the project (before the server opens it). */
async function deleteLabels(dir: string, project: string, className: string) {
  const services = createServices({
    mode: 'cli',
    userDataDir: join(dir, 'data'),
    projectPath: project,
  })
  try {
    const client = localClient(services.dispatch)
    const id = (await client.call('classes.list', {})).find((c) => c.name === className)?.id
    for (const recording of await client.call('recordings.list', {})) {
      const list = await client.call('labels.list', { recordingId: recording.id })
      for (const label of list.labels.filter((l) => l.classId === id))
        await client.call('labels.delete', { id: label.id })
    }
  } finally {
    await services.close()
  }
}

test('asks before flashing a model that scores worse; Flash anyway flashes it', async ({
  page,
}) => {
  test.setTimeout(180_000)
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-retrain-worse-'))
  const project = seedTrainedDemo(dir, { epochs: 60 })
  // Run 1 learnt the bearing faults; today's labels have none: a new model cannot tell them.
  await deleteLabels(dir, project, 'bearing')
  const server = await startServe(project)
  try {
    const problems = watchConsole(page)
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
    await expect(device.getByTestId('active-model')).toContainText('this run’s model')
    const oldCrc = /([0-9a-f]{8}) \(slot/.exec(
      await device.getByTestId('active-model').innerText(),
    )?.[1]
    expect(oldCrc).toMatch(/^[0-9a-f]{8}$/)

    const panel = page.getByRole('region', { name: 'Retrain and flash' })
    await panel.getByRole('button', { name: 'Retrain and flash' }).click()
    const dialog = page.getByRole('dialog', { name: 'The new model scores worse' })
    await expect(dialog).toBeVisible({ timeout: 120_000 })
    const scores = dialog.getByTestId('worse-scores')
    await expect(scores).toContainText(/On the device\s*run 1: \d+\.\d% of \d+ windows/)
    await expect(scores).toContainText(/New\s*run 2: \d+\.\d% of \d+ windows/)
    const [old, next] = [...(await scores.innerText()).matchAll(/(\d+\.\d)%/g)].map((m) =>
      Number(m[1]),
    )
    expect(next).toBeLessThan(old!)
    // Nothing was flashed: the device still runs run 1.
    await expect(
      panel.getByTestId('retrain-stages').locator('li[data-stage=flashing]'),
    ).toHaveAttribute('data-state', 'pending')
    await page.screenshot({ path: `${SHOTS}/deploy-retrain-worse-light.png` })
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.screenshot({ path: `${SHOTS}/deploy-retrain-worse-dark.png` })
    await page.emulateMedia({ colorScheme: 'light' })
    // The Device card asked the device again when the pipeline stopped.
    await expect(device.getByTestId('active-model')).toContainText(`${oldCrc} (slot`)

    await dialog.getByRole('button', { name: 'Flash anyway' }).click()
    await expect(dialog).toBeHidden()
    const result = panel.getByTestId('retrain-result')
    await expect(result).toContainText('Run 2 is on the device', { timeout: 60_000 })
    await expect(result).toContainText('= the new image’s CRC-32')
    const rows = panel.getByTestId('retrain-stages').locator('li')
    for (const row of await rows.all()) await expect(row).toHaveAttribute('data-state', 'done')
    await expect(device.getByTestId('active-model')).toContainText('this run’s model', {
      timeout: 20_000,
    })
    expect(problems).toEqual([])
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
