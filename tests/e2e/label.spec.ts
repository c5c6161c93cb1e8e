import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test as base, type Page } from '@playwright/test'
import { openProject } from '../../src-main/store/index.js'
import { startServe, watchConsole } from './fixtures.js'

const SHOTS = 'tests/e2e/screenshots'

/**
 * A 100 Hz, 3-channel recording (10 minutes by default) with a louder stretch from 4:00 to 4:30
 * and, in longer ones, every 20 minutes.
 */
function seed(file: string, minutes = 10): number {
  const project = openProject(file)
  const id = project.recordings.create({
    name: 'Fan F-7 night shift',
    status: 'complete',
    startedAt: Date.UTC(2026, 10, 27, 2),
  })
  const stream = project.streams.create(id, {
    name: 'device',
    rateHz: 100,
    channels: ['ax', 'ay', 'az'].map((name) => ({ name })),
  })
  const n = minutes * 60 * 100
  const data = new Float32Array(n * 3)
  for (let i = 0; i < n; i++) {
    const t = i / 100
    const loud = t % 1200 >= 240 && t % 1200 < 270 ? 4 : 1
    data[i * 3] = loud * 0.2 * Math.sin(2 * Math.PI * 7.3 * t)
    data[i * 3 + 1] = 0.15 * Math.cos(2 * Math.PI * 3.1 * t)
    data[i * 3 + 2] = 1 + 0.05 * Math.sin(2 * Math.PI * 11 * t)
  }
  const chunk = 4096
  const chunks = []
  for (let at = 0; at < n; at += chunk) {
    chunks.push({
      t0Us: at * 10_000,
      dtUs: 10_000,
      data: data.slice(at * 3, Math.min(n, at + chunk) * 3),
    })
  }
  project.samples.appendChunks(stream, chunks)
  project.samples.finish(stream)
  project.close()
  return id
}

/** Each test gets `tinyloop serve` on a fresh project with the seeded recording. */
const test = base.extend<{ minutes: number; served: { url: string; dir: string } }>({
  minutes: [10, { option: true }],
  served: async ({ minutes }, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyloop-label-'))
    const file = join(dir, 'Fans.tinyloop')
    seed(file, minutes)
    const server = await startServe(file)
    await use({ url: server.url, dir })
    await server.stop()
  },
})

async function openLabelView(page: Page, url: string) {
  await page.goto(url)
  await page.locator('.rail [data-view="label"]').click()
  await expect(page.getByTestId('timeline').locator('canvas')).toHaveCount(1)
  // The signal has arrived (the readout names the level it came from).
  await expect(page.locator('.readout .level')).toHaveText(/envelope level \d|raw samples/)
}

/** The plot area of the timeline (uPlot's overlay), for pointer gestures at fractions of it. */
async function plotBox(page: Page) {
  const over = page.getByTestId('timeline').locator('.u-over')
  await expect(over).toBeVisible()
  const box = await over.boundingBox()
  if (!box) throw new Error('no plot')
  return box
}

async function addClass(page: Page, name: string) {
  await page.getByRole('button', { name: '+ Class' }).click()
  await page.getByLabel('New class name').fill(name)
  await page.keyboard.press('Enter')
  await expect(page.locator(`.palette [data-class="${name}"]`)).toHaveAttribute(
    'aria-checked',
    'true',
  )
}

async function dragAcross(page: Page, from: number, to: number) {
  const box = await plotBox(page)
  const y = box.y + box.height / 2
  await page.mouse.move(box.x + box.width * from, y)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width * ((from + to) / 2), y, { steps: 4 })
  await page.mouse.move(box.x + box.width * to, y, { steps: 4 })
  await page.mouse.up()
}

test.describe('labeling on the timeline', () => {
  test('drag creates, an edge resizes, a hotkey relabels, undo/redo, and it all persists', async ({
    page,
    served,
  }) => {
    const problems = watchConsole(page)
    await openLabelView(page, served.url)
    const items = page.locator('.list li[data-label]')
    await expect(items).toHaveCount(0)

    // The whole 10 minutes are shown: 40% to 45% is 4:00 to 4:30.
    await dragAcross(page, 0.4, 0.45)
    await expect(items).toHaveCount(1)
    await expect(items.first()).toContainText('anomaly')
    await expect(items.first()).toContainText(/4:0\d\.\d{3} – 4:3\d\.\d{3}/)

    // Resize: drag the end edge from 45% to 50%.
    await dragAcross(page, 0.45, 0.5)
    await expect(items).toHaveCount(1)
    await expect(items.first()).toContainText(/– 5:0\d\.\d{3}/)

    // A second class (it gets hotkey 2), then relabel the region with that key.
    await addClass(page, 'bearing')
    await items.first().locator('.item').click()
    await page.keyboard.press('2')
    await expect(items.first().locator('.name')).toHaveText('bearing')
    const relabeled = 'bearing'

    await page.keyboard.press('Control+z')
    await expect(items.first().locator('.name')).toHaveText('anomaly')
    await page.keyboard.press('Control+Shift+z')
    await expect(items.first().locator('.name')).toHaveText(relabeled)

    await page.reload()
    await page.locator('.rail [data-view="label"]').click()
    await expect(items).toHaveCount(1)
    await expect(items.first().locator('.name')).toHaveText(relabeled)
    // Undo history survives the reload too.
    await page.keyboard.press('Control+z')
    await expect(items.first().locator('.name')).toHaveText('anomaly')
    // Who changed what: every action, undo and redo included, with who made it.
    await page.getByText('History: who changed what').click()
    const history = page.getByRole('list', { name: 'Label history' }).locator('li')
    await expect(history).toHaveCount(6) // create, resize, relabel, undo, redo, undo
    await expect(history.first()).toContainText(/undo/i)
    await expect(history.first()).toContainText('(web)')
    expect(problems).toEqual([])
  })

  test('keyboard only: in and out points, Enter, navigation and delete', async ({
    page,
    served,
  }) => {
    await openLabelView(page, served.url)
    const items = page.locator('.list li[data-label]')
    // With no pointer over the plot, [ and ] mark the centre of the window: pan between them.
    await page.keyboard.press('z') // zoom in around the centre (2:30 to 7:30)
    await page.keyboard.press('[')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press(']')
    await page.keyboard.press('Enter')
    await expect(items).toHaveCount(1)
    await page.keyboard.press('f')
    await page.keyboard.press('Escape')
    await page.keyboard.press('n')
    await expect(items.first()).toHaveClass(/selected/)
    await page.keyboard.press('Delete')
    await expect(items).toHaveCount(0)
    await page.keyboard.press('Control+z')
    await expect(items).toHaveCount(1)
  })

  test('classes are renamed, recoloured and deleted from the class editor', async ({
    page,
    served,
  }) => {
    await openLabelView(page, served.url)
    await dragAcross(page, 0.4, 0.45)
    await addClass(page, 'spare')
    await page.getByRole('button', { name: 'Edit…' }).click()
    const editor = page.getByRole('dialog', { name: 'Classes' })
    await editor.getByLabel('Name of anomaly').fill('imbalance')
    await editor.getByLabel('Name of anomaly').press('Tab')
    await expect(page.locator('.list li[data-label] .name')).toHaveText('imbalance')
    await editor.getByLabel('Colour of imbalance').fill('#123456')
    await expect(page.locator('.palette [data-class="imbalance"] i')).toHaveCSS(
      'background-color',
      'rgb(18, 52, 86)',
    )
    // A class with labels cannot be deleted; an unused one can.
    await expect(editor.getByRole('button', { name: 'Delete imbalance' })).toBeDisabled()
    await editor.getByRole('button', { name: 'Delete spare' }).click()
    await expect(editor.locator('tr[data-class="spare"]')).toHaveCount(0)
    await page.keyboard.press('Escape')
    await expect(page.locator('.palette [data-class="spare"]')).toHaveCount(0)
    await expect(page.locator('.palette [data-class="imbalance"]')).toBeVisible()
  })

  test('Alt+drag zooms to the span, Shift+drag pans, F fits', async ({ page, served }) => {
    await openLabelView(page, served.url)
    const range = page.locator('.readout span').first()
    await expect(range).toHaveText('0:00.000 – 10:00.000')
    await page.keyboard.down('Alt')
    await dragAcross(page, 0.4, 0.5)
    await page.keyboard.up('Alt')
    await expect(range).toHaveText(/^4:00\.\d{3} – 5:00\.\d{3}$/)
    await expect(page.locator('.list li[data-label]')).toHaveCount(0) // zooming made no label
    await page.keyboard.down('Shift')
    await dragAcross(page, 0.5, 0.25) // drag the signal left: later times come into view
    await page.keyboard.up('Shift')
    await expect(range).toHaveText(/^4:1\d\.\d{3} – 5:1\d\.\d{3}$/)
    await page.keyboard.press('f')
    await expect(range).toHaveText('0:00.000 – 10:00.000')
  })

  test('label files: export as CSV, import CSV, and a bad file imports nothing', async ({
    page,
    served,
  }) => {
    await openLabelView(page, served.url)
    const items = page.locator('.list li[data-label]')
    await dragAcross(page, 0.4, 0.45)
    await expect(items).toHaveCount(1)
    const download = page.waitForEvent('download')
    await page.getByLabel('Export labels').selectOption('csv')
    const csv = readFileSync(await (await download).path(), 'utf8')
    expect(csv.split('\n')[0]).toBe('start_ms,end_ms,label')
    expect(csv).toMatch(/^24\d{4}(\.\d+)?,27\d{4}(\.\d+)?,anomaly$/m)

    const good = join(served.dir, 'more.csv')
    writeFileSync(good, 'start_ms,end_ms,label\n420000,430000,anomaly\n500000,510000,bearing\n')
    await page.locator('input[type="file"]').setInputFiles(good)
    await expect(page.getByRole('status').filter({ hasText: 'Imported 2 labels' })).toBeVisible()
    await expect(items).toHaveCount(3)

    const bad = join(served.dir, 'bad.csv')
    writeFileSync(bad, 'start_ms,end_ms,label\n1000,2000,anomaly\n9000,8000,anomaly\n')
    await page.locator('input[type="file"]').setInputFiles(bad)
    await expect(page.getByRole('alert')).toContainText('line 3')
    await expect(items).toHaveCount(3)
  })

  test('label files too large for one message are refused in words, on a live connection', async ({
    page,
    served,
  }) => {
    await openLabelView(page, served.url)
    const input = page.locator('input[type="file"]')
    const alert = page.getByRole('alert')
    // Over the label file limit: refused before it is read.
    await input.setInputFiles({
      name: 'huge.csv',
      mimeType: 'text/csv',
      buffer: Buffer.alloc(20_000_000, 0x61),
    })
    await expect(alert).toContainText(
      'huge.csv is 20.0 MB; label files up to 15 MiB can be imported.',
    )
    // Within it, but six times larger once escaped for the socket: refused by the page itself,
    // where the server used to drop the connection (code 1009) and the page said "connection lost".
    await input.setInputFiles({
      name: 'controls.csv',
      mimeType: 'text/csv',
      buffer: Buffer.alloc(14 * 1024 * 1024, 0x01),
    })
    await expect(alert).toContainText('controls.csv was not imported: This request is larger than')
    const good = join(served.dir, 'after.csv')
    writeFileSync(good, 'start_ms,end_ms,label\n420000,430000,anomaly\n')
    await input.setInputFiles(good)
    await expect(page.getByRole('status').filter({ hasText: 'Imported 1 labels' })).toBeVisible()
  })

  test.describe('a 3-hour recording', () => {
    test.use({ minutes: 180 })
    for (const scheme of ['light', 'dark'] as const) {
      test(`screenshots of a 3-hour recording zoomed out and in with labels (${scheme})`, async ({
        page,
        served,
      }) => {
        await page.emulateMedia({ colorScheme: scheme })
        await openLabelView(page, served.url)
        // The louder stretches are at 4:00 + k x 20:00: label three of them, one as 'bearing'.
        for (const k of [0, 3])
          await dragAcross(page, (240 + 1200 * k) / 10_800, (360 + 1200 * k) / 10_800)
        await addClass(page, 'bearing')
        await dragAcross(page, (240 + 1200 * 6) / 10_800, (360 + 1200 * 6) / 10_800)
        await expect(page.locator('.list li[data-label]')).toHaveCount(3)
        mkdirSync(SHOTS, { recursive: true })
        await page.screenshot({ path: `${SHOTS}/label-zoomed-out-${scheme}.png` })
        await page.locator('.list li[data-label]').nth(1).locator('.item').click()
        for (let i = 0; i < 2; i++) await page.keyboard.press('z')
        await expect(page.locator('.readout')).toContainText('raw samples')
        await page.screenshot({ path: `${SHOTS}/label-zoomed-in-${scheme}.png` })
      })
    }
  })
})
