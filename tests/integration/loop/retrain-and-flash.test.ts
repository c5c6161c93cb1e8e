import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { crc32 } from '../../../src-main/device/protocol/crc32.js'
import { localClient } from '../../../src-main/rpc/local-client.js'
import { createServices, type Services } from '../../../src-main/services.js'
import { createInterpreter, readTflite } from '../../../src-main/tflite/index.js'
import type { EventPayload, LoopResult } from '../../../src-preload/contract/index.js'
import {
  buildFirmware,
  expectRunning,
  startHostPort,
  startTap,
  withClient,
  type HostPortProcess,
} from '../../helpers/firmware.js'
import { seedTrainedDemo } from '../../helpers/trained-project.js'

// Retrain and flash end to end: the firmware's host port on a real pseudo-terminal, the CLI as
// its own process and the services in this one, a real trainer process, the project's SQLite
// file. Each case checks the device afterwards with the app's own DeviceClient: which model is
// active (its hello) and that it answers INPUT as the app's interpreter does. The host port runs
// at 57,600 baud so that a flash lasts long enough to be cancelled half-way.
const BAUD = 57_600

let dir: string
let project: string
let env: NodeJS.ProcessEnv
let board: HostPortProcess
const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0')

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['bin/tinyloop.js', '--project', project, ...args], {
    env,
    encoding: 'utf8',
  })
}

/** The run's model as the device should run it: its image's CRC and the app's interpreter. */
function expected(runId: number) {
  const tflite = join(dir, `run-${runId}.tflite`)
  const image = join(dir, `run-${runId}.tlmi`)
  expect(cli('export', String(runId), '--format', 'tflite', '-o', tflite, '--force').status).toBe(0)
  expect(cli('export', String(runId), '--format', 'image', '-o', image, '--force').status).toBe(0)
  const interpreter = createInterpreter(readTflite(new Uint8Array(readFileSync(tflite))))
  return {
    crc: crc32(new Uint8Array(readFileSync(image))),
    interpreter,
    features: interpreter.input.shape[1] ?? 0,
  }
}

/** The services on the project, in this process, for cases that cancel at a chosen moment. */
async function withServices<T>(
  work: (services: Services) => Promise<T>,
  options: { loopConfirmTimeoutMs?: number } = {},
): Promise<T> {
  const services = createServices({
    mode: 'cli',
    userDataDir: join(dir, 'data'),
    projectPath: project,
    ...options,
  })
  try {
    return await work(services)
  } finally {
    await services.close()
  }
}

/** Moves the edges of the first label of every recording by a second: the dataset differs. */
async function editLabels(services: Services) {
  const client = localClient(services.dispatch)
  for (const recording of await client.call('recordings.list', {})) {
    const list = await client.call('labels.list', { recordingId: recording.id })
    const label = list.labels[0]
    if (!label) continue
    await client.call('labels.update', {
      id: label.id,
      startUs: label.startUs + 1_000_000,
      endUs: label.endUs,
    })
  }
}

const activeCrc = () =>
  withClient(board.link, async (c) => {
    const hello = await c.hello()
    return hello.slots[hello.active - 1]?.crc32
  })

/** The device's active slot, asked on its own link: the image's CRC and the run it came from. */
const activeSlot = () =>
  withClient(board.link, async (c) => {
    const hello = await c.hello()
    return hello.slots[hello.active - 1]
  })

beforeAll(async () => {
  buildFirmware()
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-loop-'))
  env = { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') }
  project = seedTrainedDemo(dir, { epochs: 40 })
  board = await startHostPort({ state: join(dir, 'fw'), link: join(dir, 'ttyFW'), baud: BAUD })
  const flashed = cli('flash', '1', '--port', board.link)
  expect(flashed.status, flashed.stderr).toBe(0)
}, 120_000)

afterAll(async () => {
  await board?.stop()
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true })
})

describe('tinyloop retrain-and-flash', () => {
  it('goes from changed labels to live predictions of the new model in one command', async () => {
    await withServices(editLabels)
    const before = hex((await activeCrc()) ?? 0)
    const run = cli('--json', 'retrain-and-flash', '--port', board.link)
    expect(run.status, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout) as LoopResult
    expect(result.outcome).toBe('flashed')
    expect(result.stages.map((s) => s.stage)).toEqual([
      'dataset',
      'training',
      'quantizing',
      'verifying',
      'comparing',
      'flashing',
      'confirming',
    ])
    for (const stage of result.stages) expect(stage.seconds).toBeGreaterThanOrEqual(0)
    expect(result.old?.runId).toBe(1)
    expect(result.new?.runId).toBe(2)
    expect(result.old?.testAccuracy).toBeGreaterThan(0)
    expect(result.new?.testAccuracy).toBeGreaterThan(0)
    expect(result.runtimes.find((r) => r.runtime === 'LiteRT.js')?.status).toBe('identical')
    expect(result.activeCrc32).toBe(result.imageCrc32)
    expect(result.imageCrc32).not.toBe(before)
    expect(result.live?.className).toMatch(/normal|imbalance|bearing/)
    expect(run.stderr).toMatch(/training\s+\d+%\s+epoch \d+ of 40/)
    expect(run.stderr).toMatch(/live predictions\s+100%/)

    // The new version's data is today's: the old run's dataset has changed, the new one's not.
    const runs = JSON.parse(cli('--json', 'runs').stdout) as {
      id: number
      datasetChanged: boolean
    }[]
    expect(runs.find((r) => r.id === 1)?.datasetChanged).toBe(true)
    expect(runs.find((r) => r.id === 2)?.datasetChanged).toBe(false)

    // The device runs run 2 and streams its predictions.
    const model = expected(2)
    expect(hex(model.crc)).toBe(result.imageCrc32)
    await withClient(board.link, async (client) => {
      await expectRunning(client, model)
      const live = new Promise<number>((resolve) =>
        client.onUnsolicited((f) => f.type === 'INFERENCE' && resolve(f.modelCrc32)),
      )
      await client.start()
      expect(await live).toBe(model.crc)
      await client.stop()
    })
  }, 120_000)

  it('stops before flashing a model that scores worse, exit 3; --force flashes it', async () => {
    // Every bearing label gone: the new model cannot tell a bearing fault, the device's can.
    await withServices(async (services) => {
      const client = localClient(services.dispatch)
      const classes = await client.call('classes.list', {})
      const bearing = classes.find((c) => c.name === 'bearing')
      for (const recording of await client.call('recordings.list', {})) {
        const list = await client.call('labels.list', { recordingId: recording.id })
        for (const label of list.labels.filter((l) => l.classId === bearing?.id))
          await client.call('labels.delete', { id: label.id })
      }
    })
    const before = await activeCrc()
    const stopped = cli('--json', 'retrain-and-flash', '--port', board.link)
    expect(stopped.status, stopped.stderr).toBe(3)
    const worse = JSON.parse(stopped.stdout) as LoopResult
    expect(worse.outcome).toBe('worse')
    expect(worse.new!.testAccuracy!).toBeLessThan(worse.old!.testAccuracy!)
    expect(stopped.stderr).toMatch(/scores worse on its test split .* --force/)
    expect(await activeCrc()).toBe(before)
    expect(worse.stages.map((s) => s.stage)).not.toContain('flashing')

    const forced = cli('--json', 'retrain-and-flash', '--port', board.link, '--force')
    expect(forced.status, forced.stderr).toBe(0)
    const result = JSON.parse(forced.stdout) as LoopResult
    expect(result.outcome).toBe('flashed')
    expect(result.activeCrc32).toBe(result.imageCrc32)
    await withClient(board.link, (client) => expectRunning(client, expected(result.new!.runId)))
  }, 180_000)

  for (const stage of ['training', 'flashing'] as const) {
    it(`cancelled during ${stage}, leaves the previous model active and working`, async () => {
      const before = await activeCrc()
      const result = await withServices(async (services) => {
        const client = localClient(services.dispatch)
        let asked = false
        services.events.subscribe((event, payload) => {
          const p = payload as EventPayload<'loop.onProgress'>
          if (
            event !== 'loop.onProgress' ||
            asked ||
            p.stage !== stage ||
            p.fraction <= (stage === 'training' ? 0 : 0.2)
          )
            return
          asked = true
          void client.call('loop.cancel', { port: board.link })
        })
        return client.call('loop.retrainAndFlash', { port: board.link, force: true })
      })
      expect(result.outcome).toBe('cancelled')
      expect(result.stoppedAt).toBe(stage)
      expect(result.activeCrc32).toBe(hex(before ?? 0))
      const runs = JSON.parse(cli('--json', 'runs').stdout) as { id: number; status: string }[]
      const previous = runs.find((r) => hex(expected(r.id).crc) === hex(before ?? 0))
      expect(previous).toBeDefined()
      if (stage === 'training') expect(runs[0]?.status).toBe('cancelled')
      await withClient(board.link, (client) => expectRunning(client, expected(previous!.id)))
    }, 180_000)
  }

  it('Ctrl+C during training cancels: exit 1, the run kept as cancelled, the device on its model', async () => {
    const before = await activeCrc()
    const child = spawn(
      process.execPath,
      ['bin/tinyloop.js', '--project', project, 'retrain-and-flash', '--port', board.link],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stderr = ''
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    const training = new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString()
        if (/training\s+[1-9]\d?%\s+epoch/.test(stderr)) resolve()
      }),
    )
    await Promise.race([training, exited])
    child.kill('SIGINT')
    expect(await exited).toBe(1)
    expect(stderr).toMatch(/tinyloop: Cancelled during training; the device keeps its model\./)
    const runs = JSON.parse(cli('--json', 'runs').stdout) as { id: number; status: string }[]
    expect(runs[0]?.status).toBe('cancelled')
    expect(await activeCrc()).toBe(before)
    const previous = runs.find((r) => r.status === 'complete' && expected(r.id).crc === before)
    await withClient(board.link, (client) => expectRunning(client, expected(previous!.id)))
  }, 180_000)

  it('a stage that fails (the device goes away mid-flash) leaves the previous model working', async () => {
    const before = await activeCrc()
    const child = spawn(
      process.execPath,
      [
        'bin/tinyloop.js',
        '--project',
        project,
        'retrain-and-flash',
        '--port',
        board.link,
        '--force',
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stderr = ''
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    const flashing = new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString()
        if (/flashing\s+[1-9]\d?%\s+sending/.test(stderr)) resolve()
      }),
    )
    await Promise.race([flashing, exited])
    expect(stderr).toMatch(/flashing\s+[1-9]\d?%\s+sending/)
    await board.kill()
    expect(await exited).toBe(1)
    expect(stderr).toMatch(
      /tinyloop: The (device went away|device stopped answering|flash failed)\b.*previous model/,
    )
    board = await startHostPort({ state: join(dir, 'fw'), link: join(dir, 'ttyFW'), baud: BAUD })
    expect(await activeCrc()).toBe(before)
    const runs = JSON.parse(cli('--json', 'runs').stdout) as { id: number }[]
    const previous = runs.find((r) => expected(r.id).crc === before)
    await withClient(board.link, (client) => expectRunning(client, expected(previous!.id)))
  }, 180_000)

  it('no live prediction of the new model within the timeout: the previous model is flashed back and keeps working', async () => {
    // The app's cable runs through a relay (a pseudo-terminal of its own) that passes every
    // byte both ways but the device's INFERENCE frames: the new model is flashed and runs, yet
    // the app never sees it predict. The labels change, so the new model is another.
    await withServices(editLabels)
    const before = await activeSlot()
    expect(before?.state).toBe(1)
    const previous = before!.modelId
    expect(expected(previous).crc).toBe(before!.crc32)
    const link = join(dir, 'ttyRelay')
    const relay = await startTap(board.link, link, { drop: ['INFERENCE'] })
    const stages = new Set<string>()
    let runId: number | null = null
    let failure: unknown
    try {
      failure = await withServices(
        async (services) => {
          services.events.subscribe((event, payload) => {
            if (event !== 'loop.onProgress') return
            const p = payload as EventPayload<'loop.onProgress'>
            stages.add(p.stage)
            runId = p.runId ?? runId
          })
          const client = localClient(services.dispatch)
          return client.call('loop.retrainAndFlash', { port: link, force: true }).then(
            (result) => result,
            (err: unknown) => err,
          )
        },
        { loopConfirmTimeoutMs: 3_000 },
      )
    } finally {
      await relay.close()
    }
    expect(failure).toBeInstanceOf(Error)
    const message = (failure as Error).message
    expect(message).toMatch(
      /^No prediction of the model [0-9a-f]{8} came from .* in 3 s of streaming\./,
    )
    expect(message).toContain(` from ${link} in `)
    expect(message).toMatch(/ Run \d+'s model was flashed back; the device runs it again\.$/)
    expect(message).toContain(` Run ${previous}'s model was flashed back`)
    // It got as far as confirming a new model, which the device did predict with, unseen.
    expect([...stages]).toEqual(expect.arrayContaining(['flashing', 'confirming']))
    expect(runId).not.toBeNull()
    expect(runId).not.toBe(previous)
    expect(expected(runId!).crc).not.toBe(before!.crc32)
    expect(relay.dropped).toBeGreaterThan(0)

    // Asked on its own link: run `previous`'s image is active and classifies, on INPUT and live.
    const model = expected(previous)
    expect((await activeSlot())?.crc32).toBe(model.crc)
    await withClient(board.link, async (client) => {
      await expectRunning(client, model)
      const live = new Promise<number>((resolve) =>
        client.onUnsolicited((f) => f.type === 'INFERENCE' && resolve(f.modelCrc32)),
      )
      await client.start()
      expect(await live).toBe(model.crc)
      await client.stop()
    })
  }, 120_000)
})
