import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { spectralOf, SpectralScratch } from '../../../src-main/dataset/features.js'
import { normalize } from '../../../src-main/dataset/normalization.js'
import { readModelImage } from '../../../src-main/device/model-image.js'
import { crc32 } from '../../../src-main/device/protocol/crc32.js'
import { localClient } from '../../../src-main/rpc/local-client.js'
import { createServices } from '../../../src-main/services.js'
import { openProject } from '../../../src-main/store/open.js'
import { createInterpreter, quantizeInput, readTflite } from '../../../src-main/tflite/index.js'
import type { EventPayload, Prediction } from '../../../src-preload/contract/index.js'
import { buildFirmware, startHostPort } from '../../helpers/firmware.js'
import { seedTrainedDemo } from '../../helpers/trained-project.js'

// Live inference end to end: a run trained by the CLI, flashed to the firmware's host port on a
// real pseudo-terminal, recorded with its model active through the app's services; the stored
// predictions (and `tinyloop monitor`'s) equal the app's own int8 predictions of the same
// windows cut from the recorded samples: features -> normalize -> quantizeInput -> interpreter.

let dir: string
let project: string

beforeAll(() => {
  buildFirmware()
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-predictions-'))
  project = seedTrainedDemo(dir, { epochs: 4 })
  // As trained, before any test made (and kept) run 1's int8 file in it.
  copyFileSync(project, join(dir, 'fresh.tinyloop'))
}, 600_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0')

/** The app's own int8 outputs of each prediction's window, cut from the recorded samples. */
function appOutputs(recordingId: number, image: Uint8Array, predictions: readonly Prediction[]) {
  const model = readModelImage(image)
  const interpreter = createInterpreter(readTflite(model.tflite))
  const stored = openProject(project, { create: false, readonly: true })
  try {
    const [stream] = stored.streams.list(recordingId)
    if (!stream) throw new Error('the recording has no stream')
    const { t, data } = stored.samples.read(stream.id, 0, Number.MAX_SAFE_INTEGER)
    const dtUs = 1e6 / stream.rateHz
    const channels = stream.channels.length
    const columns = Array.from({ length: channels }, (_, c) =>
      Float32Array.from({ length: t.length }, (_, i) => data[i * channels + c] as number),
    )
    const scratch = new SpectralScratch()
    return predictions.map((p) => {
      // The window's last sample is one period before its end.
      const last = t.findIndex((time) => Math.abs(time - (p.endUs - dtUs)) < dtUs / 2)
      const from = last + 1 - model.windowSamples
      if (last < 0 || from < 0) return null
      // Only windows recorded without a gap compare.
      if (
        Math.abs((t[last] as number) - (t[from] as number) - (model.windowSamples - 1) * dtUs) > 1
      )
        return null
      const row = new Float64Array(model.featureCount)
      columns.forEach((column, c) =>
        spectralOf(column, from, last + 1, model.bands, scratch, row, c * model.bands),
      )
      const normalized = model.normalization
        ? normalize(Float32Array.from(row), model.normalization)
        : Float32Array.from(row)
      return Array.from(interpreter.run(quantizeInput(normalized, interpreter.input)))
    })
  } finally {
    stored.close()
  }
}

it("stores the device's predictions with the recording, equal to the app's int8 predictions of the same windows", async () => {
  const link = join(dir, 'tty-record')
  const host = await startHostPort({ state: join(dir, 'state-record'), link })
  const services = createServices({
    mode: 'cli',
    userDataDir: join(dir, 'data'),
    projectPath: project,
  })
  const client = localClient(services.dispatch)
  const live: EventPayload<'predictions.onLive'>[] = []
  services.events.subscribe((event, payload) => {
    if (event === 'predictions.onLive') live.push(payload as (typeof live)[number])
  })
  try {
    const flashed = await client.call('device.flash', { runId: 1, port: link })
    expect(flashed.ok).toBe(true)
    const started = await client.call('capture.start', {
      deviceId: link,
      format: 'binary',
      durationS: 4.5,
    })
    const recordingId = started.recordingId
    for (let waited = 0; waited < 15_000; waited += 100) {
      if ((await client.call('capture.sessions', {})).length === 0) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const [track, ...others] = await client.call('predictions.tracks', { recordingId })
    expect(others).toEqual([])
    expect(track).toMatchObject({
      recordingId,
      modelCrc32: flashed.crc32,
      runId: 1,
      classes: readModelImage(await imageOf(1)).classes,
      windowUs: 1e6,
    })
    // Windows of 1 s every 0.5 s over about 4 s: at least 5.
    expect(track?.count).toBeGreaterThanOrEqual(5)
    const { predictions } = await client.call('predictions.range', {
      trackId: track?.id ?? -1,
      fromUs: 0,
      toUs: 1e9,
    })
    expect(predictions).toHaveLength(track?.count ?? -1)
    // The live events carried the same predictions, with the model named.
    expect(live.flatMap((e) => e.predictions.map((p) => p.endUs))).toEqual(
      predictions.map((p) => p.endUs),
    )
    // The same image the device runs: the run's, by its CRC.
    const image = await imageOf(1)
    const { outputScale, outputZeroPoint } = readModelImage(image)
    expect(live.at(-1)?.models).toEqual([
      {
        modelCrc32: flashed.crc32,
        runId: 1,
        classes: track?.classes,
        windowUs: 1e6,
        outputScale,
        outputZeroPoint,
        threshold: null,
      },
    ])
    expect(hex(crc32(image))).toBe(flashed.crc32)
    const expected = appOutputs(recordingId, image, predictions)
    const compared = predictions.filter((_, i) => expected[i] !== null)
    expect(compared.length).toBeGreaterThanOrEqual(5)
    predictions.forEach((p, i) => {
      if (expected[i] === null) return
      expect(p.outputs).toEqual(expected[i])
      const model = readModelImage(image)
      const best = p.outputs.indexOf(Math.max(...p.outputs))
      expect(p.classIndex).toBe(best)
      expect(p.probability).toBeCloseTo(
        model.outputScale * ((p.outputs[best] as number) - model.outputZeroPoint),
        9,
      )
      expect(p.latencyUs).toBeGreaterThan(0)
    })
    // Window ends are on the recording's time axis, by the device's clock: the first window
    // ends 400 samples (1 s at 400 Hz) after the first sample, the next ones a stride (0.5 s) apart.
    expect(predictions.map((p) => p.endUs)).toEqual(predictions.map((_, i) => 1e6 + i * 5e5))
  } finally {
    await services.close()
    await host.stop()
  }
}, 120_000)

/** The run's model image as `tinyloop export --format image` writes it. */
async function imageOf(runId: number): Promise<Uint8Array> {
  const out = join(dir, `run-${runId}.tlmi`)
  const result = spawnSync(
    process.execPath,
    [
      'bin/tinyloop.js',
      '--project',
      project,
      'export',
      String(runId),
      '--format',
      'image',
      '-o',
      out,
      '--force',
    ],
    { env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') }, encoding: 'utf8' },
  )
  expect(result.status, result.stderr).toBe(0)
  const { readFileSync } = await import('node:fs')
  return new Uint8Array(readFileSync(out))
}

it("`tinyloop monitor` prints the device's predictions as JSON lines, equal to the app's and to those stored", async () => {
  const link = join(dir, 'tty-monitor')
  // The board of the test above: its slots keep run 1's model.
  const host = await startHostPort({ state: join(dir, 'state-record'), link })
  try {
    const result = spawnSync(
      process.execPath,
      [
        'bin/tinyloop.js',
        '--project',
        project,
        '--json',
        'monitor',
        '--port',
        link,
        '--duration',
        '3.5',
      ],
      { env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') }, encoding: 'utf8' },
    )
    expect(result.status, result.stderr).toBe(0)
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines.length).toBeGreaterThanOrEqual(4)
    const image = await imageOf(1)
    const classes = readModelImage(image).classes
    const recordingId = lines[0]?.recordingId as number
    const predictions = lines.map((l) => ({
      endUs: (l.timeS as number) * 1e6,
      outputs: l.outputs as number[],
      classIndex: classes.indexOf(l.class as string),
      probability: l.probability as number,
      score: null,
      latencyUs: l.latencyUs as number,
      instructions: l.instructions as number,
    }))
    expect(lines.every((l) => l.modelCrc32 === hex(crc32(image)))).toBe(true)
    const expected = appOutputs(recordingId, image, predictions)
    expect(expected.filter((e) => e !== null).length).toBeGreaterThanOrEqual(4)
    predictions.forEach((p, i) => {
      if (expected[i] !== null) expect(p.outputs).toEqual(expected[i])
      expect(p.classIndex).toBe(p.outputs.indexOf(Math.max(...p.outputs)))
      expect(p.latencyUs).toBeGreaterThan(0)
    })
    const stored = openProject(project, { create: false, readonly: true })
    try {
      const [track] = stored.predictions.tracks(recordingId)
      const rows = stored.predictions.range(track?.id ?? -1, 0, 1e12)
      expect(rows.map((r) => [r.endUs, r.outputs])).toEqual(
        predictions.map((p) => [Math.round(p.endUs), p.outputs]),
      )
    } finally {
      stored.close()
    }
  } finally {
    await host.stop()
  }
}, 120_000)

it('names the classes of a model flashed by `tinyloop flash`, which keeps no int8 file in the project', async () => {
  const fresh = join(dir, 'fresh.tinyloop')
  const link = join(dir, 'tty-fresh')
  const host = await startHostPort({ state: join(dir, 'state-fresh'), link })
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['bin/tinyloop.js', '--project', fresh, '--json', ...args], {
      env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') },
      encoding: 'utf8',
    })
  try {
    const flashed = cli('flash', '1', '--port', link)
    expect(flashed.status, flashed.stderr).toBe(0)
    const monitored = cli('monitor', '--port', link, '--duration', '3')
    expect(monitored.status, monitored.stderr).toBe(0)
    const lines = monitored.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines.length).toBeGreaterThanOrEqual(3)
    for (const line of lines) expect(['normal', 'imbalance', 'bearing']).toContain(line.class)
    const stored = openProject(fresh, { create: false, readonly: true })
    try {
      const [track] = stored.predictions.tracks(lines[0]?.recordingId as number)
      expect(track?.runId).toBe(1)
      expect(track?.classes.length).toBe(3)
    } finally {
      stored.close()
    }
  } finally {
    await host.stop()
  }
}, 120_000)
