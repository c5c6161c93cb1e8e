import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DeviceRefusedError, DeviceTimeoutError } from '../../../src-main/device/device-client.js'
import { crc32 } from '../../../src-main/device/protocol/crc32.js'
import { encodeFrame, toHex } from '../../../src-main/device/protocol/frames.js'
import { localClient } from '../../../src-main/rpc/local-client.js'
import { seededRandom } from '../../../src-main/seeded-random.js'
import { createServices } from '../../../src-main/services.js'
import type { EventPayload } from '../../../src-preload/contract/index.js'
import { createInterpreter, readTflite } from '../../../src-main/tflite/index.js'
import {
  buildFirmware,
  expectRunning,
  lineWriter,
  startHostPort,
  startTap,
  withClient,
  type ExpectedModel,
  type HostPortProcess,
} from '../../helpers/firmware.js'
import { seedTrainedDemo } from '../../helpers/trained-project.js'

// Flashing end to end: `bin/tinyloop.js flash` (the CLI, the device service, DeviceClient) with
// the images of runs trained by the CLI, to the firmware's host port on a real pseudo-terminal.
// Transfers are cut at random offsets by killing the CLI, by garbage on the line and by kill -9
// of the host port; each leaves the previous model active and working, and a retry succeeds.
// The host port runs at 57,600 baud here so that a transfer lasts long enough (about 0.85 s) to
// be cut anywhere, with room for a busy machine; throughput at 921,600 baud is the benchmark's
// (bench/flash.ts).
const BAUD = 57_600

let dir: string
let project: string
let env: NodeJS.ProcessEnv
/** Runs 1 and 2 (the dense preset), by run id; run 3 is larger than a slot. */
const models = new Map<number, ExpectedModel & { image: Uint8Array }>()

const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0')

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['bin/tinyloop.js', '--project', project, ...args], {
    env,
    encoding: 'utf8',
  })
}

/** `tinyloop --json flash RUN --port PORT` as its own process, its stderr followed line by line. */
function flash(run: number, port: string) {
  const child = spawn(
    process.execPath,
    ['bin/tinyloop.js', '--project', project, '--json', 'flash', String(run), '--port', port],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stdout = ''
  let stderr = ''
  const waiters: { pattern: RegExp; resolve: () => void }[] = []
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
    for (const w of waiters.filter((x) => x.pattern.test(stderr))) {
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve()
    }
  })
  const done = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  return {
    child,
    done: done.then((exit) => ({ ...exit, stdout, stderr })),
    /** What it has said on stderr so far. */
    stderr: () => stderr,
    /** Resolves when stderr has shown `pattern`. */
    saw: (pattern: RegExp) =>
      new Promise<void>((resolve) =>
        pattern.test(stderr) ? resolve() : waiters.push({ pattern, resolve }),
      ),
  }
}

async function flashed(run: number, port: string) {
  const result = await flash(run, port).done
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout) as {
    ok: boolean
    bytes: number
    crc32: string
    seconds: number
    activeCrc32: string
    slot: string
    resentChunks: number
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

beforeAll(() => {
  buildFirmware()
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-flash-'))
  env = { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') }
  project = seedTrainedDemo(dir, {
    runs: 2,
    // 48 → 1024 → 256 → 3: about 310 KB of int8 weights, more than a 256 KiB slot.
    extraRuns: [
      {
        layers: [
          { type: 'dense', units: 1024 },
          { type: 'dense', units: 256 },
        ],
        epochs: 1,
      },
    ],
  })
  for (const run of [1, 2]) {
    const image = join(dir, `run-${run}.tlmi`)
    const tflite = join(dir, `run-${run}.tflite`)
    for (const [format, path] of [
      ['image', image],
      ['tflite', tflite],
    ]) {
      const out = cli('export', String(run), '--format', format as string, '-o', path as string)
      expect(out.status, out.stderr).toBe(0)
    }
    const bytes = new Uint8Array(readFileSync(image))
    const interpreter = createInterpreter(readTflite(new Uint8Array(readFileSync(tflite))))
    models.set(run, {
      image: bytes,
      crc: crc32(bytes),
      interpreter,
      features: interpreter.input.shape.reduce((a, b) => a * b, 1),
    })
  }
}, 300_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const model = (run: number) => models.get(run) as ExpectedModel & { image: Uint8Array }

describe('tinyloop flash, to the host port', () => {
  it("flashes a trained run's image: JSON with its size and CRC, progress on stderr, and the device runs it", async () => {
    const host = await startHostPort({ state: join(dir, 'state-one'), link: join(dir, 'tty-one') })
    try {
      const run = flash(1, host.link)
      const result = await run.done
      expect(result.code, result.stderr).toBe(0)
      const json = JSON.parse(result.stdout) as Record<string, unknown>
      expect(json).toMatchObject({
        ok: true,
        runId: 1,
        bytes: model(1).image.length,
        crc32: hex(model(1).crc),
        activeCrc32: hex(model(1).crc),
        slot: 'A',
        resentChunks: 0,
      })
      expect(json.seconds).toBeGreaterThan(0)
      expect(json.seconds).toBeLessThan(5)
      // Staged progress: connecting, the bytes acknowledged, then the device's check.
      const lines = result.stderr.trim().split('\n')
      expect(lines[0]).toBe(
        `connecting  0 of ${model(1).image.length.toLocaleString('en-US')} bytes`,
      )
      expect(lines.some((l) => /^sending {2}[\d,]+ of /.test(l))).toBe(true)
      expect(lines.at(-1)).toMatch(/^the device checks the model {2}/)
      await withClient(host.link, (client) => expectRunning(client, model(1), 4))

      // `tinyloop board` says the same, and that run 1 is the active model and run 2 is not.
      const board = JSON.parse(cli('--json', 'board', '--port', host.link, '--run', '1').stdout)
      expect(board).toMatchObject({
        board: 'host',
        active: { slot: 'A', crc32: hex(model(1).crc), modelId: 1, state: 'valid' },
        image: { runId: 1, active: true },
      })
      const other = JSON.parse(cli('--json', 'board', '--port', host.link, '--run', '2').stdout)
      expect(other.image).toMatchObject({ runId: 2, active: false, crc32: hex(model(2).crc) })
    } finally {
      await host.stop()
    }
  }, 60_000)

  it("refuses a model larger than a slot with the device's message, exit code 1, and keeps the model", async () => {
    const host = await startHostPort({ state: join(dir, 'state-big'), link: join(dir, 'tty-big') })
    try {
      await flashed(2, host.link)
      const result = await flash(3, host.link).done
      expect(result.code).toBe(1)
      expect(result.stdout).toBe('')
      const message = result.stderr.trim().split('\n').at(-1)
      // The device's own words, and the slot's size from the NAK's detail.
      expect(message).toBe(
        'tinyloop: The device refused MODEL_BEGIN (TOO_LARGE): the model image is larger than a model slot (a slot holds 262,144 bytes).',
      )
      await withClient(host.link, (client) => expectRunning(client, model(2), 2))
    } finally {
      await host.stop()
    }
  }, 60_000)

  it('survives 21 transfers cut at random offsets (CLI killed, garbage, kill -9 of the host port), each leaving the previous model and followed by a retry that succeeds', async () => {
    const state = join(dir, 'state-cuts')
    const link = join(dir, 'tty-cuts')
    let host: HostPortProcess = await startHostPort({ state, link, baud: BAUD })
    try {
      await flashed(1, link)
      let current = 1
      const random = seededRandom(12)
      const cutAfter: number[] = []
      /** About where the line was when cut: the bytes it carried since the transfer began. */
      const cutNear: number[] = []
      for (let i = 0; i < 21; i++) {
        const other = current === 1 ? 2 : 1
        const how = (['cli', 'garbage', 'host'] as const)[i % 3]
        // From the moment the CLI says it is connecting: the hello and MODEL_BEGIN take a few
        // ms, the image about 0.85 s at 57,600 baud. Cut somewhere in its first 70%.
        const delay = 15 + random() * 600
        const run = flash(other, link)
        await run.saw(/^connecting/m)
        await sleep(delay)
        const acknowledged = [...run.stderr().matchAll(/sending {2}([\d,]+)/g)].at(-1)?.[1]
        cutAfter.push(Number(acknowledged?.replace(/,/g, '') ?? 0))
        cutNear.push(Math.max(0, Math.round(((delay - 15) / 1000) * (BAUD / 10))))
        if (how === 'host') {
          await host.kill()
          const ended = await run.done
          // The CLI sees its device gone: exit code 1 and why, on one line.
          expect(ended.code, ended.stderr).toBe(1)
          expect(ended.stderr).toMatch(/^tinyloop: .+/m)
          host = await startHostPort({ state, link, baud: BAUD })
        } else {
          run.child.kill('SIGKILL')
          const ended = await run.done
          expect(ended.signal, `cut ${i} came too late: ${ended.stderr}`).toBe('SIGKILL')
          if (how === 'garbage') {
            // Half a chunk frame and garbage left on the line by the dead program.
            const line = lineWriter(link)
            const wire = encodeFrame({
              type: 'MODEL_CHUNK',
              seq: 77,
              offset: 2044,
              bytes: toHex(model(other).image.subarray(2044, 2544)),
            })
            line.write(wire.subarray(0, wire.length >> 1))
            line.write(new Uint8Array([0x13, 0x37, 0x00, 0xde, 0xad, 0x00, 0xff]))
            line.close()
          }
        }
        await withClient(link, (client) => expectRunning(client, model(current), 2))

        // The retry, with garbage injected on the line while it runs after a garbage cut.
        const retry = flash(other, link)
        if (how === 'garbage') {
          await retry.saw(/^connecting/m)
          await sleep(60 + random() * 500)
          const line = lineWriter(link)
          line.write(new Uint8Array([0xaa, 0xbb, 0xcc, 0x00, 0x55]))
          line.close()
        }
        const done = await retry.done
        expect(done.code, done.stderr).toBe(0)
        const json = JSON.parse(done.stdout) as { activeCrc32: string; crc32: string }
        expect(json.activeCrc32).toBe(hex(model(other).crc))
        expect(json.crc32).toBe(json.activeCrc32)
        current = other
      }
      // The cuts fell at different places of the image, not all at its start.
      console.log(
        `cuts near byte ${cutNear.join(' ')}; acknowledged by then: ${cutAfter.join(' ')}`,
      )
      expect(new Set(cutAfter).size).toBeGreaterThan(1)
      await withClient(link, (client) => expectRunning(client, model(current), 4))
    } finally {
      await host.stop()
    }
  }, 300_000)

  it('cancels on Ctrl+C: the device is told to forget the transfer and keeps its model', async () => {
    const link = join(dir, 'tty-cancel')
    const host = await startHostPort({ state: join(dir, 'state-cancel'), link, baud: BAUD })
    try {
      await flashed(1, link)
      const run = flash(2, link)
      await run.saw(/^sending/m)
      run.child.kill('SIGINT')
      const ended = await run.done
      expect(ended.code).toBe(1)
      expect(ended.stderr).toMatch(
        /tinyloop: The flash was cancelled; the device keeps its previous model\./,
      )
      await withClient(link, (client) => expectRunning(client, model(1), 2))
      expect((await flashed(2, link)).activeCrc32).toBe(hex(model(2).crc))
    } finally {
      await host.stop()
    }
  }, 60_000)
})

describe('the device service', () => {
  it('flashes one at a time per port, holds recordings off a port being flashed, and lets a hello wait its turn', async () => {
    const link = join(dir, 'tty-service')
    const host = await startHostPort({ state: join(dir, 'state-service'), link, baud: BAUD })
    const services = createServices({
      mode: 'cli',
      userDataDir: join(dir, 'data-service'),
      projectPath: project,
    })
    const client = localClient(services.dispatch)
    const progress: EventPayload<'device.onFlashProgress'>[] = []
    services.events.subscribe((event, payload) => {
      if (event === 'device.onFlashProgress') progress.push(payload as (typeof progress)[number])
    })
    try {
      const first = client.call('device.flash', { runId: 1, port: link })
      await expect(client.call('device.flash', { runId: 2, port: link })).rejects.toMatchObject({
        code: 'BUSY',
        message: `A flash to ${link} is already in progress.`,
      })
      await expect(
        client.call('capture.start', { deviceId: link, durationS: 1 }),
      ).rejects.toMatchObject({
        code: 'BUSY',
        message: expect.stringMatching(/flash is in progress/),
      })
      const hello = client.call('device.info', { port: link, runId: 1 })
      const result = await first
      expect(result).toMatchObject({ ok: true, activeCrc32: hex(model(1).crc) })
      // The hello asked during the flash came after it.
      expect(await hello).toMatchObject({ image: { runId: 1, active: true } })
      expect(progress[0]).toMatchObject({ stage: 'connecting', sentBytes: 0, runId: 1, port: link })
      expect(progress.filter((p) => p.stage === 'sending').map((p) => p.sentBytes)).toEqual([
        2044,
        4088,
        model(1).image.length,
      ])
      expect(progress.at(-1)).toMatchObject({ stage: 'checking', sentBytes: model(1).image.length })
      // The demo device runs no firmware.
      await expect(client.call('device.info', { port: 'demo' })).rejects.toMatchObject({
        code: 'UNSUPPORTED',
      })
    } finally {
      await services.close()
      await host.stop()
    }
  }, 60_000)
})

describe('virtual boards', () => {
  it('lists the firmware built here, starts each board on first use with its slots in the user data folder, flashes it, and stops it with the services', async () => {
    const userDataDir = join(dir, 'data-virtual')
    const open = () => createServices({ mode: 'cli', userDataDir, projectPath: project })
    let services = open()
    const kinds = ['virtual:host', 'virtual:qemu-m4'] as const
    const pids: number[] = []
    try {
      let client = localClient(services.dispatch)
      const listed = await client.call('devices.list', {})
      expect(listed.filter((d) => d.kind === 'virtual')).toEqual(
        kinds.map((id) => expect.objectContaining({ id, kind: 'virtual', path: null })),
      )
      expect(listed.find((d) => d.id === 'virtual:host')?.label).toBe(
        'TinyLoop firmware (host, virtual)',
      )
      for (const id of kinds) {
        const result = await client.call('device.flash', { runId: 1, port: id })
        expect(result).toMatchObject({ ok: true, activeCrc32: hex(model(1).crc) })
      }
      const started = await client.call('devices.list', {})
      for (const id of kinds) {
        expect(started.find((d) => d.id === id)?.path).toMatch(/^\/dev\/pts\/\d+$/)
      }
      pids.push(...findPids(userDataDir))
      expect(pids).toHaveLength(2)
      await services.close()
      for (const pid of pids) expect(alive(pid)).toBe(false)

      // Started again, each board still has the model: its slots were kept.
      services = open()
      client = localClient(services.dispatch)
      for (const id of kinds) {
        const hello = await client.call('device.info', { port: id, runId: 1 })
        expect(hello.board).toBe(id === 'virtual:host' ? 'host' : 'qemu-mps2-an386')
        expect(hello.image).toMatchObject({ runId: 1, active: true })
      }
    } finally {
      await services.close()
    }
  }, 120_000)
})

describe('recording a virtual board', () => {
  it.each(['virtual:host', 'virtual:qemu-m4'])(
    'records %s as binary frames with tinyloop record, the demo machine at 400 Hz, nothing lost',
    (port) => {
      const result = cli('--json', 'record', '--port', port, '--duration', '2')
      expect(result.status, result.stderr).toBe(0)
      const recorded = JSON.parse(result.stdout) as {
        format: string
        channels: string[]
        rateHz: number
        samples: number
        rejected: number
        gaps: number
        lostFrames: number
      }
      expect(recorded).toMatchObject({
        format: 'binary',
        channels: ['ax', 'ay', 'az'],
        rateHz: 400,
        rejected: 0,
        gaps: 0,
        lostFrames: 0,
      })
      // Two seconds at 400 Hz by the device's clock: 800 samples on the host port; QEMU's clock
      // runs behind the wall while the emulated processor is busy, more so on a loaded machine.
      expect(recorded.samples).toBeGreaterThan(port === 'virtual:host' ? 600 : 200)
      expect(recorded.samples).toBeLessThanOrEqual(800 + 8)
    },
    60_000,
  )
})

/** The processes whose command line names `folder` (the virtual boards started for it). */
function findPids(folder: string): number[] {
  const out = spawnSync('pgrep', ['-f', folder], { encoding: 'utf8' }).stdout
  return out.split('\n').filter(Boolean).map(Number)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('tinyloop sim --format binary', () => {
  it('runs the firmware on a pty that records as binary and flashes, until Ctrl+C', async () => {
    const link = join(dir, 'tty-sim')
    const sim = spawn(
      process.execPath,
      [
        'bin/tinyloop.js',
        'sim',
        '--format',
        'binary',
        '--link',
        link,
        '--state',
        join(dir, 'state-sim'),
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const exited = new Promise<number | null>((resolve) => sim.once('exit', resolve))
    try {
      const first = await new Promise<string>((resolve) =>
        sim.stdout.once('data', (d: Buffer) => resolve(d.toString().split('\n')[0] as string)),
      )
      expect(first).toBe(link)
      const recorded = cli('--json', 'record', '--port', link, '--duration', '1.5')
      expect(recorded.status, recorded.stderr).toBe(0)
      const recording = JSON.parse(recorded.stdout) as Record<string, unknown>
      expect(recording).toMatchObject({
        format: 'binary',
        channels: ['ax', 'ay', 'az'],
        rateHz: 400,
        lostFrames: 0,
      })
      expect(recording.samples).toBeGreaterThan(400)
      expect((await flashed(2, link)).activeCrc32).toBe(hex(model(2).crc))
    } finally {
      sim.kill('SIGINT')
    }
    expect(await exited).toBe(0)
    expect(existsSync(link)).toBe(false)
  }, 60_000)
})

describe('DeviceClient, against the host port', () => {
  it('flashes while the device streams and classifies, skipping and counting those frames and garbage on the line; stop-and-wait too', async () => {
    const device = join(dir, 'tty-stream')
    const host = await startHostPort({ state: join(dir, 'state-stream'), link: device })
    const link = join(dir, 'tty-stream-tap')
    const tap = await startTap(device, link)
    try {
      await withClient(link, async (client) => {
        await client.flash(model(1).image, { modelId: 1 })
        await client.start()
        // DATA and the device's own INFERENCE frames arrive all through the transfer, and
        // garbage on the way to the host (a zero in it: a frame of its own, and the next one
        // cut into).
        const progress: number[] = []
        const result = await client.flash(model(2).image, {
          modelId: 2,
          onProgress: (p) => {
            progress.push(p.sentBytes)
            if (p.sentBytes === 2044) tap.inject(new Uint8Array([0xaa, 0x00, 0xbb, 0xcc, 0x00]))
          },
        })
        expect(result.slots[result.active - 1]?.crc32).toBe(model(2).crc)
        expect(progress.at(-1)).toBe(model(2).image.length)
        await sleep(600)
        await client.stop()
        // 10 ms DATA frames and an INFERENCE each half second.
        expect(client.counters.unrelated).toBeGreaterThan(50)
        expect(client.counters.garbage).toBeGreaterThanOrEqual(2)
        await expectRunning(client, model(2), 2)
        // Window 1: one chunk at a time, each waiting for its ACK.
        const slow = await client.flash(model(1).image, { modelId: 1, window: 1 })
        expect(slow.slots[slow.active - 1]?.crc32).toBe(model(1).crc)
        expect(slow.resentChunks).toBe(0)
      })
    } finally {
      await tap.close()
      await host.stop()
    }
  }, 60_000)

  it("gives typed errors: the device's refusal with its message, and a device that stopped answering", async () => {
    const link = join(dir, 'tty-errors')
    const host = await startHostPort({ state: join(dir, 'state-errors'), link })
    try {
      await withClient(link, async (client) => {
        await client.flash(model(1).image, { modelId: 1 })
        const hello = await client.hello()
        // A rate the device has, and one it has not, answered with the nearest.
        await client.setRate(800)
        expect((await client.hello()).rateHz).toBe(800)
        const rate = await client.setRate(801).catch((e: unknown) => e)
        expect(rate).toBeInstanceOf(DeviceRefusedError)
        expect(rate).toMatchObject({ code: 'UNSUPPORTED_RATE', detail: 800 })
        expect((rate as Error).message).toMatch(/\(the nearest rate is 800 Hz\)\.$/)
        await client.setRate(400)
        const tooLarge = new Uint8Array(hello.modelCapacity + 1)
        const refusal = await client.flash(tooLarge, { modelId: 9 }).catch((e: unknown) => e)
        expect(refusal).toBeInstanceOf(DeviceRefusedError)
        expect(refusal).toMatchObject({ code: 'TOO_LARGE', detail: hello.modelCapacity })
        expect((refusal as DeviceRefusedError).deviceMessage.length).toBeGreaterThan(0)

        // The device freezes (SIGSTOP) in the middle of a transfer: five silences of 1 s, then
        // a clear error; once it runs again, its model is the previous one.
        const started = performance.now()
        const frozen = client
          .flash(model(2).image, {
            modelId: 2,
            onProgress: (p) => {
              if (p.stage === 'sending') process.kill(host.pid, 'SIGSTOP')
            },
          })
          .catch((e: unknown) => e)
        const silence = await frozen
        process.kill(host.pid, 'SIGCONT')
        expect(silence).toBeInstanceOf(DeviceTimeoutError)
        expect((silence as Error).message).toMatch(/^The device stopped answering/)
        expect(performance.now() - started).toBeGreaterThan(4500)
        await expectRunning(client, model(1), 2)
      })
    } finally {
      await host.stop()
    }
  }, 60_000)
})
