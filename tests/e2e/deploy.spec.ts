import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import { expect, test, type Download, type Page } from '@playwright/test'
import { seedTrainedDemo } from '../helpers/trained-project.js'
import { startServe, watchConsole } from './fixtures.js'

const SHOTS = 'tests/e2e/screenshots'

/** Whether the check's progress was ever on screen, sampled every frame from now. */
async function watchProgress(page: Page): Promise<() => Promise<boolean>> {
  await page.evaluate(`window.__progress = false; (function loop() {
    if (document.querySelector('.verification .progress')) window.__progress = true
    if (!window.__stopProgress) requestAnimationFrame(loop)
  })()`)
  return async () =>
    (await page.evaluate('window.__stopProgress = true; window.__progress')) as boolean
}

const bytesOf = async (download: Download) => readFileSync(await download.path())
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

test('a trained run’s int8 model: its card, the check in LiteRT.js and Arm NN, its exports', async ({
  page,
}) => {
  test.setTimeout(120_000)
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-deploy-'))
  const server = await startServe(seedTrainedDemo(dir))
  try {
    const problems = watchConsole(page)
    mkdirSync(SHOTS, { recursive: true })
    await page.goto(server.url)
    await expect(page.locator('.rail [data-view="deploy"] .status')).toHaveText('run 1 ready')
    await page.keyboard.press('Alt+5')
    await expect(page.locator('main')).toHaveAttribute('data-view', 'deploy')

    // The newest completed run, quantized on first sight, measured on its own int8 bytes.
    await expect(page.getByRole('combobox', { name: 'Run' })).toHaveText(/Run 1 · dense/)
    await expect(page.getByTestId('int8-accuracy')).toHaveText(/^\d+\.\d% int8 on test$/, {
      timeout: 20_000,
    })
    await expect(page.getByTestId('float-accuracy')).toHaveText(/^float \d+\.\d%$/)
    await expect(page.getByTestId('agreement')).toHaveText(/^\d+\.\d% top-1 agreement$/)
    for (const split of ['val', 'test']) {
      await expect(page.locator(`.accuracy [data-split="${split}"] td`)).toHaveCount(6)
    }
    const flash = page.locator('[data-fact="flash"]')
    const size = Number((await flash.innerText()).match(/([\d,]+) bytes/)?.[1]?.replace(/,/g, ''))
    const hash = (await flash.locator('[title^="SHA-256"]').getAttribute('title'))?.slice(8)
    expect(size).toBeGreaterThan(1000)
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    await expect(page.locator('[data-fact="arena"]')).toContainText('lower bound')
    await expect(page.locator('.facts')).toContainText('FULLY_CONNECTED')
    await expect(page.locator('.boards tbody tr')).toHaveCount(4)
    await expect(page.locator('.boards [data-board="samd21"]')).toContainText(/of 248 KB/)
    await expect(page.locator('.boards [data-board="nano33ble"]')).toContainText(/≈ [\d.]+ ms/)
    await expect(page.locator('.rail [data-view="deploy"] .status')).toHaveText(
      /^run 1: [\d.]+ KB int8$/,
    )

    // Not verified until a check of this very file says so; V runs it, with its progress shown.
    await expect(page.getByTestId('verified')).toHaveCount(0)
    await expect(page.locator('.verification')).toContainText('Not checked yet')
    const progressShown = await watchProgress(page)
    await page.keyboard.press('v')
    await expect(page.getByTestId('verified')).toHaveText('Verified in LiteRT.js and Arm NN', {
      timeout: 30_000,
    })
    expect(await progressShown()).toBe(true)
    for (const runtime of ['LiteRT.js', 'Arm NN']) {
      await expect(page.locator(`[data-runtime="${runtime}"]`)).toHaveAttribute(
        'data-status',
        'identical',
      )
    }
    await expect(page.locator('.verification')).toContainText(hash!.slice(0, 12))
    await expect(page.locator('.rail [data-view="deploy"] .status')).toHaveText('run 1, verified')
    await page.locator('main').evaluate((main) => main.scrollTo(0, 0))
    await page.screenshot({ path: `${SHOTS}/deploy-card-light.png` })

    // The .tflite downloads (E) with the card's size and hash: the bytes that were checked.
    const [tflite] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('e')])
    expect(tflite.suggestedFilename()).toBe('tinyloop-run-1.tflite')
    const model = await bytesOf(tflite)
    expect(model.length).toBe(size)
    expect(sha256(model)).toBe(hash)
    // What the user then does with it: `tinyloop inspect` reads the downloaded file.
    const downloaded = join(dir, 'downloaded.tflite')
    writeFileSync(downloaded, model)
    const inspected = JSON.parse(
      execFileSync(process.execPath, ['bin/tinyloop.js', 'inspect', downloaded, '--json'], {
        encoding: 'utf8',
      }),
    ) as { sizeBytes: number; operatorCodes: { name: string }[]; tensors: { type: string }[] }
    expect(inspected.sizeBytes).toBe(size)
    expect(inspected.operatorCodes.map((o) => o.name)).toEqual(['FULLY_CONNECTED', 'SOFTMAX'])
    expect(inspected.tensors[0]?.type).toBe('INT8')
    await expect(page.locator('[data-format="tflite"] [role="status"]')).toHaveText(
      /^Downloaded tinyloop-run-1\.tflite \([\d.]+ KB\)\.$/,
    )

    // The C files and the Arduino library come zipped, with the same model inside.
    const [c] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the C files' }).click(),
    ])
    const cFiles = unzipSync(await bytesOf(c))
    expect(Object.keys(cFiles).sort()).toEqual(
      ['tinyloop_features.c', 'tinyloop_features.h', 'tinyloop_model.c', 'tinyloop_model.h'].map(
        (f) => `tinyloop-run-1-c/${f}`,
      ),
    )
    const header = new TextDecoder().decode(cFiles['tinyloop-run-1-c/tinyloop_model.h'])
    expect(header).toContain(`#define TINYLOOP_MODEL_BYTES ${size}u`)
    const [arduino] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the Arduino library' }).click(),
    ])
    expect(Object.keys(unzipSync(await bytesOf(arduino)))).toContain(
      'TinyLoopModel/examples/TinyLoopClassifier/TinyLoopClassifier.ino',
    )

    // A bundle written on the server's disk: refused over files already there unless allowed.
    const bundle = join(dir, 'bundle')
    await page.getByRole('button', { name: 'Write to a path on the server instead…' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByRole('radio', { name: /Bundle/ }).check()
    await dialog.getByLabel(/Folder to write into/).fill(bundle)
    await dialog.getByRole('button', { name: 'Write', exact: true }).click()
    await expect(dialog.getByRole('status')).toHaveText(
      `Wrote 6 files into ${bundle}: model.tflite, metadata.json, tinyloop_model.h, ` +
        'tinyloop_model.c, tinyloop_features.h, tinyloop_features.c.',
    )
    expect(sha256(readFileSync(join(bundle, 'model.tflite')))).toBe(hash)
    await dialog.getByRole('button', { name: 'Write', exact: true }).click()
    await expect(dialog.getByRole('alert')).toContainText(`${bundle} is not empty`)
    await dialog.getByLabel('Replace files already in it').check()
    await dialog.getByRole('button', { name: 'Write', exact: true }).click()
    await expect(dialog.getByRole('status')).toContainText('Wrote 6 files')
    await page.keyboard.press('Escape')
    await expect(dialog).toHaveCount(0)
    expect(existsSync(join(bundle, 'metadata.json'))).toBe(true)

    // The check is kept with the run: after a reload, in the dark theme, the badge is there.
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.reload()
    await page.locator('.rail [data-view="deploy"]').click()
    await expect(page.getByTestId('verified')).toHaveText('Verified in LiteRT.js and Arm NN', {
      timeout: 20_000,
    })
    await page.screenshot({ path: `${SHOTS}/deploy-card-dark.png` })
    expect(problems).toEqual([])
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('with no completed run, Deploy says what to do and leads to Train', async ({ page }) => {
  const server = await startServe()
  try {
    await page.goto(server.url)
    await page.locator('.rail [data-view="deploy"]').click()
    await expect(page.getByText('No model to deploy yet')).toBeVisible()
    await expect(page.locator('.rail [data-view="deploy"] .status')).toHaveText('no model')
    await expect(page.getByRole('button', { name: 'Try the demo project' })).toBeVisible()
    await page.getByRole('button', { name: 'Go to Train' }).click()
    await expect(page.locator('main')).toHaveAttribute('data-view', 'train')
  } finally {
    await server.stop()
  }
})
