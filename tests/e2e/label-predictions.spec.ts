import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { openProject } from '../../src-main/store/open.js'
import type { Prediction, PredictionTrack } from '../../src-main/store/predictions.js'
import { HOST_PORT_BINARY, buildFirmware, startHostPort } from '../helpers/host-port.js'
import { writeInterpretedTrack } from '../helpers/prediction-tracks.js'
import { seedTrainedDemo } from '../helpers/trained-project.js'
import { startServe, watchConsole } from './fixtures.js'

const SHOTS = 'tests/e2e/screenshots'
/** The demo project's default class: the time no label covers. */
const DEFAULT_CLASS = 'normal'

test.beforeAll(() => {
  // CI builds the firmware first (.ci/run); elsewhere the test builds it (incremental).
  if (!existsSync(HOST_PORT_BINARY)) buildFirmware()
})

/**
 * The trained demo (runs 1 and 2), and a recording made the real way: run 1 flashed to the
 * firmware's host port, recorded from it in binary frames, so the recorder stores the board's
 * predictions. A second track on that recording, and one on demo recording 1, are run 2's and
 * run 1's int8 models through the app's interpreter (tests/helpers/prediction-tracks.ts).
 */
async function seed(dir: string) {
  const file = seedTrainedDemo(dir, { runs: 2 })
  // First, as it also keeps run 1's int8 model in the project (as the Deploy view's card does):
  // `tinyloop flash` opens the project read-only, and a recording names the model a board runs
  // only by a run whose int8 model was kept.
  const demo = writeInterpretedTrack(file, 1, 1)
  const cli = (...args: string[]) =>
    JSON.parse(
      execFileSync(process.execPath, ['bin/tinyloop.js', '--project', file, '--json', ...args], {
        env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') },
        encoding: 'utf8',
      }),
    ) as Record<string, unknown>
  const host = await startHostPort({ state: join(dir, 'board'), link: join(dir, 'tty-board') })
  let bench: number
  let deviceCrc: string
  try {
    deviceCrc = cli('flash', '1', '--port', host.link).crc32 as string
    const recorded = cli(
      ...['record', '--port', host.link, '--format', 'binary', '--duration', '6'],
      ...['--name', 'Pump on the bench'],
    )
    bench = recorded.recordingId as number
  } finally {
    await host.stop()
  }
  const interpreted = writeInterpretedTrack(file, bench, 2)
  return { file, bench, deviceCrc, interpreted, demo }
}

/** A recording's tracks and their predictions, and its labels, as the project file has them. */
function stored(file: string, recordingId: number) {
  const project = openProject(file, { create: false, readonly: true })
  try {
    const tracks = project.predictions.tracks(recordingId).map((track) => ({
      track,
      predictions: project.predictions.range(track.id, 0, Number.MAX_SAFE_INTEGER),
    }))
    const labels = project.labels.list(recordingId).map((l) => ({
      startUs: l.startUs,
      endUs: l.endUs,
      name: project.classes.get(l.classId)?.name,
    }))
    return { tracks, labels }
  } finally {
    project.close()
  }
}

/** The caption's agreement, worked out here from the stored predictions and labels. */
function agreementText(
  { track, predictions }: { track: PredictionTrack; predictions: Prediction[] },
  labels: { startUs: number; endUs: number; name: string | undefined }[],
): string {
  let windows = 0
  let agreeing = 0
  for (const p of predictions) {
    if (p.classIndex === null) continue
    const centre = p.endUs - (track.windowUs as number) / 2
    const label = labels.find((l) => l.startUs <= centre && centre < l.endUs)
    windows++
    if (track.classes[p.classIndex] === (label?.name ?? DEFAULT_CLASS)) agreeing++
  }
  const percent = Math.floor((agreeing / windows) * 100)
  return `device agrees with labels on ${percent}% of ${windows.toLocaleString('en-US')} windows`
}

/** The plot area of the timeline (uPlot's overlay). */
async function plotBox(page: Page) {
  const box = await page.getByTestId('timeline').locator('.u-over').boundingBox()
  if (!box) throw new Error('no plot')
  return box
}

/** The timeline's window, µs, from the readout (m:ss.mmm – m:ss.mmm). */
async function viewport(page: Page): Promise<{ fromUs: number; toUs: number }> {
  const text = await page.locator('.readout > span').first().innerText()
  const [fromUs, toUs] = text.split(' – ').map((t) => {
    const [m, s] = t.split(':')
    return (Number(m) * 60 + Number(s)) * 1e6
  })
  return { fromUs: fromUs as number, toUs: toUs as number }
}

/** Points at `us` on the timeline. */
async function hover(page: Page, us: number) {
  const box = await plotBox(page)
  const { fromUs, toUs } = await viewport(page)
  await page.mouse.move(box.x + (box.width * (us - fromUs)) / (toUs - fromUs), box.y + 40)
}

/** Alt+drag over a span: the timeline zooms to it. */
async function zoomTo(page: Page, fromUs: number, toUs: number) {
  const box = await plotBox(page)
  const whole = await viewport(page)
  const xOf = (us: number) =>
    box.x + (box.width * (Math.min(us, whole.toUs) - whole.fromUs)) / (whole.toUs - whole.fromUs)
  const y = box.y + 60
  await page.keyboard.down('Alt')
  await page.mouse.move(xOf(fromUs), y)
  await page.mouse.down()
  await page.mouse.move((xOf(fromUs) + xOf(toUs)) / 2, y, { steps: 4 })
  await page.mouse.move(xOf(toUs), y, { steps: 4 })
  await page.mouse.up()
  await page.keyboard.up('Alt')
}

async function openRecording(page: Page, id: number) {
  await page.locator(`[data-recording="${id}"]`).click()
  await expect(page.locator('.readout .level')).toHaveText(/envelope level \d|raw samples/)
}

test("the Label view draws a recording's device predictions under the signal, with the model, the agreement with labels, a track choice and a hide toggle", async ({
  page,
}) => {
  test.setTimeout(240_000)
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-label-predictions-'))
  const seeded = await seed(dir)
  const server = await startServe(seeded.file)
  try {
    const problems = watchConsole(page)
    await page.goto(server.url)
    await page.keyboard.press('Alt+2')
    await openRecording(page, seeded.bench)

    const { tracks } = stored(seeded.file, seeded.bench)
    const [device, interpreted] = tracks
    if (!device || !interpreted) throw new Error('the bench recording should have two tracks')
    // The board's own track: run 1's model, by the CRC it was flashed with, a window every 0.5 s.
    expect(device.track).toMatchObject({ runId: 1, windowUs: 1e6 })
    expect(device.track.modelCrc32.toString(16).padStart(8, '0')).toBe(seeded.deviceCrc)
    expect(device.track.count).toBeGreaterThanOrEqual(8)

    // The newest track first: run 2's, with its count and the agreement over the whole recording.
    const lane = page.getByTestId('predictions')
    const caption = page.getByTestId('predictions-caption')
    const timeline = page.getByTestId('timeline')
    await expect(caption).toContainText(`run 2 · CRC ${seeded.interpreted.crc32}`)
    await expect(caption).toContainText(`${interpreted.track.count} predictions`)
    await expect(timeline).toHaveAttribute('data-predictions', String(interpreted.track.count))
    await expect(page.getByTestId('predictions-agreement')).toHaveText(
      agreementText(interpreted, []),
    )

    // The select offers both models; the board's track by its run and CRC.
    const select = lane.getByRole('combobox', { name: 'Model' })
    await expect(select.locator('option')).toHaveText([
      `run 1 · CRC ${seeded.deviceCrc} · ${device.track.count} predictions`,
      `run 2 · CRC ${seeded.interpreted.crc32} · ${interpreted.track.count} predictions`,
    ])
    await select.selectOption({
      label: `run 1 · CRC ${seeded.deviceCrc} · ${device.track.count} predictions`,
    })
    await expect(caption).toContainText(`run 1 · CRC ${seeded.deviceCrc}`)
    await expect(caption).toContainText(`${device.track.count} predictions`)
    await expect(timeline).toHaveAttribute('data-predictions', String(device.track.count))
    await expect(page.getByTestId('predictions-agreement')).toHaveText(agreementText(device, []))

    // The readout names the prediction under the pointer: the middle window's centre.
    const middle = device.predictions[Math.floor(device.predictions.length / 2)] as Prediction
    await hover(page, middle.endUs - 0.5e6)
    const name = device.track.classes[middle.classIndex as number]
    await expect(page.getByTestId('prediction-under-cursor')).toHaveText(
      `device ${name} ${Math.round((middle.probability as number) * 100)}% · ` +
        `latency ${middle.latencyUs.toLocaleString('en-US')} µs`,
    )

    // A label drawn over the middle: the agreement follows, window by window.
    await page.locator('.palette [data-class="imbalance"]').click()
    const box = await plotBox(page)
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2, { steps: 4 })
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 4 })
    await page.mouse.up()
    await expect(page.locator('.list li[data-label]')).toHaveCount(1)
    const { labels } = stored(seeded.file, seeded.bench)
    expect(labels).toHaveLength(1)
    await expect(page.getByTestId('predictions-agreement')).toHaveText(
      agreementText(device, labels),
    )
    expect(agreementText(device, labels)).not.toBe(agreementText(device, []))

    // Hidden: no lane, no fetches' numbers; and it stays hidden on another recording.
    const toggle = lane.getByRole('button', { name: 'Predictions' })
    await expect(toggle).toHaveAttribute('aria-pressed', 'true')
    await toggle.click()
    await expect(toggle).toHaveAttribute('aria-pressed', 'false')
    await expect(caption).toContainText('hidden')
    await expect(timeline).not.toHaveAttribute('data-predictions')
    await expect(page.getByTestId('prediction-under-cursor')).toHaveCount(0)

    // A recording without predictions shows nothing of the lane.
    await openRecording(page, 2)
    await expect(lane).toHaveCount(0)
    await expect(timeline).not.toHaveAttribute('data-predictions')

    // Demo recording 1: one track (no select), still hidden until shown again.
    await openRecording(page, 1)
    const demo = stored(seeded.file, 1)
    const [demoTrack] = demo.tracks
    if (!demoTrack) throw new Error('demo recording 1 should have a track')
    await expect(toggle).toHaveAttribute('aria-pressed', 'false')
    await expect(select).toHaveCount(0)
    await toggle.click()
    await expect(caption).toContainText(`run 1 · CRC ${seeded.demo.crc32}`)
    await expect(timeline).toHaveAttribute('data-predictions', String(demoTrack.track.count))
    await expect(page.getByTestId('predictions-agreement')).toHaveText(
      agreementText(demoTrack, demo.labels),
    )

    // Zoomed to the labeled fault (Alt+drag) and pointing into it, in both themes (the charts
    // take their colours when built: dark after a reload, the lane shown again as a new session).
    const fault = demo.labels[0]
    if (!fault) throw new Error('demo recording 1 should have a labeled fault')
    mkdirSync(SHOTS, { recursive: true })
    for (const scheme of ['light', 'dark'] as const) {
      if (scheme === 'dark') {
        await page.emulateMedia({ colorScheme: 'dark' })
        await page.reload()
        await page.keyboard.press('Alt+2')
        await openRecording(page, 1)
        await expect(toggle).toHaveAttribute('aria-pressed', 'true')
      }
      await zoomTo(page, fault.startUs - 12e6, fault.endUs + 4e6)
      await expect(caption).toContainText('windows in view')
      await hover(page, (fault.startUs + fault.endUs) / 2)
      await expect(page.getByTestId('prediction-under-cursor')).toContainText('device ')
      await page.screenshot({ path: `${SHOTS}/label-predictions-${scheme}.png` })
    }
    expect(problems).toEqual([])
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})
