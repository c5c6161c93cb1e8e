import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectWithRecording } from '../helpers/project-files.js'
import { test, expect, startServe, watchConsole } from './fixtures.js'

const VIEWS = [
  { id: 'capture', title: 'Capture', empty: 'No recordings in this project yet.' },
  { id: 'label', title: 'Label', empty: 'Nothing to label yet' },
  { id: 'dataset', title: 'Dataset', empty: 'No recordings to build a dataset from' },
  { id: 'train', title: 'Train', empty: 'Nothing to train on yet' },
  { id: 'deploy', title: 'Deploy', empty: 'No model to deploy yet' },
]

test('the tokened URL opens the app shell on the project', async ({ page, served }) => {
  const problems = watchConsole(page)
  await page.goto(served.url)
  await expect(page.locator('.topbar .project .name')).toHaveText('Pump station')
  await expect(page.locator('.statusbar')).toContainText(served.projectPath)
  await expect(page.locator('.statusbar')).toContainText('Web mode · connected')
  await expect(page.locator('.rail .step')).toHaveCount(5)
  await expect(page.getByRole('heading', { name: 'Capture', level: 1 })).toBeVisible()
  expect(problems).toEqual([])
})

test('without the token the page and the WebSocket are refused', async ({
  page,
  request,
  served,
}) => {
  const bare = await request.get(`${served.origin}/`)
  expect(bare.status()).toBe(401)
  expect(await bare.text()).toContain('access token')
  const wrong = await request.get(`${served.origin}/?token=not-the-token`)
  expect(wrong.status()).toBe(403)
  const asset = await request.get(`${served.origin}/favicon.svg`)
  expect(asset.status()).toBe(401)

  // A page on the same origin without the token cannot open the contract's WebSocket.
  await page.route(`${served.origin}/probe`, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<p>probe</p>' }),
  )
  await page.goto(`${served.origin}/probe`)
  const outcome = await page.evaluate(
    (wsUrl) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(wsUrl)
        ws.onopen = () => resolve('open')
        ws.onerror = () => resolve('refused')
      }),
    `${served.origin.replace('http', 'ws')}/rpc`,
  )
  expect(outcome).toBe('refused')
})

test('each view opens from the rail and from Alt+1..5, with an empty state', async ({
  page,
  served,
}) => {
  await page.goto(served.url)
  for (const [i, view] of VIEWS.entries()) {
    await page.locator(`.rail [data-view="${view.id}"]`).click()
    await expect(page.getByRole('heading', { name: view.title, level: 1 })).toBeVisible()
    await expect(page.getByText(view.empty)).toBeVisible()
    await expect(page.locator(`.rail [data-view="${view.id}"]`)).toHaveAttribute(
      'aria-current',
      'page',
    )
    await page.keyboard.press(`Alt+${((i + 1) % VIEWS.length) + 1}`)
    await expect(page.locator('main')).toHaveAttribute(
      'data-view',
      VIEWS[(i + 1) % VIEWS.length]!.id,
    )
  }
  // Empty states lead to the previous step of the loop.
  await page.locator('.rail [data-view="deploy"]').click()
  await page.getByRole('button', { name: 'Go to Train' }).click()
  await expect(page.locator('main')).toHaveAttribute('data-view', 'train')
})

test('the command palette reaches views by keyboard', async ({ page, served }) => {
  await page.goto(served.url)
  await expect(page.locator('.topbar .project .name')).toHaveText('Pump station')
  await page.keyboard.press('Control+k')
  await page.keyboard.type('data')
  await page.keyboard.press('Enter')
  await expect(page.locator('main')).toHaveAttribute('data-view', 'dataset')
  // Actions too: the class editor, which lists the classes a new project starts with.
  await page.keyboard.press('Control+k')
  await page.keyboard.type('edit classes')
  await page.keyboard.press('Enter')
  const editor = page.getByRole('dialog', { name: 'Classes' })
  await expect(editor.locator('tr[data-class="anomaly"]')).toBeVisible()
  await expect(editor.locator('tr[data-class="normal"]')).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(page.locator('main')).toHaveAttribute('data-view', 'label')

  await page.keyboard.press('Control+k')
  await page.keyboard.type('zzz')
  await expect(page.getByText('No command matches')).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(page.getByRole('dialog')).toHaveCount(0)
})

test('projects are created, switched and reopened from the switcher', async ({ page, served }) => {
  await page.goto(served.url)
  await expect(page.locator('.topbar .project .name')).toHaveText('Pump station')

  await page.locator('.topbar .project').click()
  await page.getByRole('dialog').getByRole('button', { name: 'New project…' }).click()
  const second = join(served.dataDir, 'Compressor B')
  await page.getByLabel('Where to create the project file').fill(second)
  await page.getByRole('button', { name: 'Create project' }).click()
  await expect(page.locator('.topbar .project .name')).toHaveText('Compressor B')
  await expect(page.locator('.statusbar')).toContainText(`${second}.tinyloop`)

  // Creating over an existing file is refused with a sentence, and nothing changes.
  await page.keyboard.press('Control+Shift+N')
  await page.getByLabel('Where to create the project file').fill(served.projectPath)
  await page.getByRole('button', { name: 'Create project' }).click()
  await expect(page.getByRole('alert')).toContainText('already exists')
  await expect(page.locator('.topbar .project .name')).toHaveText('Compressor B')
  await page.keyboard.press('Escape')

  // Opening something that is not a project is refused and leaves the current one open.
  await page.keyboard.press('Control+o')
  await page.getByLabel('Project file').fill(join(process.cwd(), 'package.json'))
  await page.getByRole('button', { name: 'Open project' }).click()
  await expect(page.getByRole('alert')).toContainText('not a TinyLoop project')
  await page.keyboard.press('Escape')

  // The recent list has both; open the first one again.
  await page.locator('.topbar .project').click()
  await expect(page.locator('.recent li')).toHaveCount(2)
  await page.locator('.recent li', { hasText: 'Pump station' }).locator('.open-recent').click()
  await expect(page.locator('.topbar .project .name')).toHaveText('Pump station')

  // After a reload the server still has the same project open.
  await page.reload()
  await expect(page.locator('.topbar .project .name')).toHaveText('Pump station')
})

test('a project the user may not write opens read-only, and says so', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-readonly-'))
  const folder = join(dir, 'shared')
  mkdirSync(folder)
  const file = join(folder, 'Line 1 archive.tinyloop')
  projectWithRecording(file, { name: 'archived run', samples: 6000 })
  chmodSync(file, 0o444)
  chmodSync(folder, 0o555)
  const server = await startServe(file, { unprivileged: true })
  try {
    await page.goto(server.url)
    await expect(page.locator('.topbar .project .name')).toHaveText('Line 1 archive')
    await expect(page.locator('.topbar .read-only')).toHaveText('Read-only')
    await page.locator('.rail [data-view="label"]').click()
    const over = page.getByTestId('timeline').locator('.u-over')
    await expect(over).toBeVisible()
    const box = (await over.boundingBox())!
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 5 })
    await page.mouse.up()
    await expect(page.getByRole('alert')).toContainText(
      'Line 1 archive.tinyloop is open read-only, because TinyLoop may not write it',
    )
    await page.screenshot({ path: 'tests/e2e/screenshots/read-only-project.png' })
  } finally {
    await server.stop()
    chmodSync(folder, 0o755)
    rmSync(dir, { recursive: true, force: true })
  }
})
