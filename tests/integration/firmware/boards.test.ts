import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MachineSimulator } from '../../../src-main/capture/demo/machine-simulator.js'
import { spectralOf, SpectralScratch } from '../../../src-main/dataset/features.js'
import { normalize } from '../../../src-main/dataset/normalization.js'
import {
  encodeFrame,
  FRAME_TYPES,
  NAK_CODES,
  toHex,
  type FrameOf,
} from '../../../src-main/device/protocol/frames.js'
import { firmwareBinary, type VirtualBoardKind } from '../../../src-main/device/virtual-board.js'
import { seededRandom } from '../../../src-main/seeded-random.js'
import { quantizeInput } from '../../../src-main/tflite/index.js'
import { PRESETS } from '../../../src-main/training/models.js'
import { windows } from '../../unit/tflite/random-model.js'
import { BAUD, Board, exportedModel, expectActive, infer, SEED, transfer } from './board.js'

// The firmware on both of its boards over a real pseudo-terminal: the Linux host port
// (native/firmware/ports/host) and the Cortex-M4 build under QEMU's mps2-an386
// (native/firmware/ports/qemu-mps2). Hello, streaming, garbage, model transfers of real int8
// models (the app's quantizer and writer) whose outputs equal the app's interpreter, transfers
// cut by an abort, by garbage and by kill -9, and windows classified as the app's pipeline does.
const BOARDS: VirtualBoardKind[] = ['host', 'qemu-m4']

let dir: string

beforeAll(() => {
  // Incremental: a second run only checks that everything is up to date.
  const build = spawnSync('npm', ['run', 'build:native'], { encoding: 'utf8' })
  expect(build.status, build.stdout + build.stderr).toBe(0)
  for (const kind of BOARDS) expect(firmwareBinary(kind), `${kind} firmware built`).not.toBeNull()
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-fw-'))
}, 600_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.each(BOARDS)('the firmware on %s', (kind) => {
  it.runIf(kind === 'host')(
    "passes the core's CTest suite (protocol, golden frames, slots, windows, device, fuzz)",
    () => {
      const ctest = spawnSync('ctest', ['--test-dir', 'native/build', '--output-on-failure'], {
        encoding: 'utf8',
      })
      expect(ctest.status, ctest.stdout + ctest.stderr).toBe(0)
      expect(ctest.stdout).toMatch(/100% tests passed/)
    },
    120_000,
  )

  it('says hello, streams the demo machine with consecutive seq and device times, and ignores garbage', async () => {
    const host = await Board.start(kind, join(dir, `${kind}-stream`), dir)
    try {
      const hello = await host.hello()
      expect(hello).toMatchObject({
        protocol: 1,
        board: kind === 'host' ? 'host' : 'qemu-mps2-an386',
        maxBody: 2048,
        window: 4,
        rateHz: 400,
        channels: ['ax', 'ay', 'az'],
        flags: 0,
        active: 0,
        counters: { crc: 0, cobs: 0, oversize: 0, short: 0 },
      })
      expect(hello.rates).toContain(400)
      expect(hello.deviceId).toMatch(/^[0-9a-f]{16}$/)
      // The start-up message follows the first hello.
      const log = await host.next((f): f is FrameOf<'LOG'> => f.type === 'LOG')
      expect(log?.text).toMatch(/no model/)

      // Garbage between frames: counted by the device, every frame still answered.
      const garbage = new Uint8Array([0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a, 0x00, 0xff, 0xfe, 0x00])
      for (let i = 0; i < 10; i++) {
        host.write(garbage)
        const h = await host.hello()
        expect(h.seq).toBeGreaterThan(0)
      }
      const after = await host.hello()
      // "hello\n" runs a COBS code past its end; 0xFF 0xFE does too.
      expect(after.counters.cobs).toBe(20)

      expect((await host.request({ type: 'START', seq: host.nextSeq() })).type).toBe('ACK')
      const started = performance.now()
      const data: FrameOf<'DATA'>[] = []
      while (performance.now() - started < 1500) {
        const f = await host.next((x): x is FrameOf<'DATA'> => x.type === 'DATA', 500)
        if (f) data.push(f)
      }
      const seconds = (performance.now() - started) / 1000
      expect((await host.request({ type: 'STOP', seq: host.nextSeq() })).type).toBe('ACK')
      expect(data.length).toBeGreaterThan(100)
      data.forEach((f, i) => {
        expect(f.channels).toBe(3)
        expect(f.count).toBe(4) // 10 ms at 400 Hz
        if (i > 0) {
          const prev = data[i - 1] as FrameOf<'DATA'>
          expect(f.seq).toBe((prev.seq + 1) & 0xffff)
          expect(f.timeUs - prev.timeUs).toBe(10_000)
        }
      })
      // At the declared rate by the wall clock too.
      const samples = data.reduce((n, f) => n + f.count, 0)
      // (QEMU's clock is instructions while busy: on a loaded machine it falls behind the wall.)
      expect(samples / seconds).toBeGreaterThan(400 * (kind === 'host' ? 0.8 : 0.3))
      expect(samples / seconds).toBeLessThan(400 * 1.2)
      // The demo device's signal: the app's simulator with the same seed gives the same values
      // (float32; libm's last bits may differ from V8's).
      const values = data.flatMap((f) => f.values)
      const expected = new MachineSimulator({ rateHz: 400, seed: SEED }).next(values.length / 3)
      let maxDiff = 0
      let same = 0
      values.forEach((v, i) => {
        maxDiff = Math.max(maxDiff, Math.abs(v - (expected[i] as number)))
        if (v === expected[i]) same++
      })
      expect(maxDiff).toBeLessThan(1e-6)
      expect(same / values.length).toBeGreaterThan(0.99)
      expect(host.decoder.counters.dropped).toBe(0)
    } finally {
      await host.close()
    }
    // SIGTERM: the process ends cleanly and its link goes with it.
    if (kind === 'host') expect(host.board.exitCode()).toBe(0)
    expect(existsSync(host.link)).toBe(false)
  })

  // The drift modes (docs/drift.md): the same machine as the app's simulator with the same drift,
  // and an unknown mode refused. On the host port only, to stay quick.
  it.runIf(kind === 'host')(
    "streams the app simulator's drifted machine with --drift wear and mount, and refuses others",
    async () => {
      for (const drift of ['wear', 'mount'] as const) {
        const host = await Board.start(kind, join(dir, `${kind}-drift-${drift}`), dir, drift)
        try {
          await host.hello()
          expect((await host.request({ type: 'START', seq: host.nextSeq() })).type).toBe('ACK')
          const started = performance.now()
          const data: FrameOf<'DATA'>[] = []
          while (performance.now() - started < 1200) {
            const f = await host.next((x): x is FrameOf<'DATA'> => x.type === 'DATA', 500)
            if (f) data.push(f)
          }
          expect((await host.request({ type: 'STOP', seq: host.nextSeq() })).type).toBe('ACK')
          const values = data.flatMap((f) => f.values)
          expect(values.length / 3).toBeGreaterThan(200)
          const n = values.length / 3
          const expected = new MachineSimulator({ rateHz: 400, seed: SEED, drift }).next(n)
          const undrifted = new MachineSimulator({ rateHz: 400, seed: SEED }).next(n)
          let maxDiff = 0
          let fromUndrifted = 0
          values.forEach((v, i) => {
            maxDiff = Math.max(maxDiff, Math.abs(v - (expected[i] as number)))
            fromUndrifted = Math.max(fromUndrifted, Math.abs(v - (undrifted[i] as number)))
          })
          expect(maxDiff, drift).toBeLessThan(1e-6)
          // Drifted indeed: a second of wear is small, a turned sensor is not.
          expect(fromUndrifted, drift).toBeGreaterThan(drift === 'wear' ? 1e-4 : 0.1)
        } finally {
          await host.close()
        }
      }
      const refused = spawnSync(
        firmwareBinary('host') as string,
        ['--state', join(dir, 'host-drift-bad'), '--drift', 'sideways'],
        { encoding: 'utf8', timeout: 5000 },
      )
      expect(refused.status).not.toBe(0)
      expect(refused.stdout).toBe('')
      expect(refused.stderr).toMatch(/--drift takes none, wear or mount, not sideways/)
    },
    30_000,
  )

  it('flashes real int8 models whose outputs equal the app interpreter, and survives cut transfers', async () => {
    const state = join(dir, `${kind}-flash`)
    const a = exportedModel(PRESETS.dense, 11, 1)
    const b = exportedModel(PRESETS.dense, 12, 2)
    let host = await Board.start(kind, state, dir)
    try {
      expect(
        await host.request({ type: 'INPUT', seq: host.nextSeq(), offset: 0, bytes: '00' }),
      ).toMatchObject({
        type: 'NAK',
        code: NAK_CODES.BAD_STATE,
      })
      const first = await transfer(host, a.image, 11)
      expect(first.reply).toMatchObject({
        type: 'ACK',
        command: FRAME_TYPES.MODEL_COMMIT,
        active: 1,
      })
      await expectActive(host, a)
      // Instructions per inference: counted under QEMU's -icount to within one SysTick tick of
      // 40 instructions (the same input, the same count but for where the tick falls), not
      // counted by the host port.
      const input = quantizeInput(windows(1, [a.features], 5)[0]!, a.interpreter.input)
      const counts = [await infer(host, input), await infer(host, input)].map((r) => r.instructions)
      if (kind === 'qemu-m4') {
        expect(counts[0]).toBeGreaterThan(1000)
        expect(Math.abs(counts[1]! - counts[0]!)).toBeLessThanOrEqual(40)
      } else {
        expect(counts).toEqual([0, 0])
      }

      // Cut transfers of b at random offsets, each followed by the previous model, working, and
      // a retry that succeeds: by MODEL_ABORT, by garbage and a new MODEL_BEGIN, by kill -9.
      const random = seededRandom(7)
      let current = a
      let other = b
      for (let i = 0; i < 21; i++) {
        const cutAt = Math.floor(random() * other.image.length)
        const how = (['abort', 'garbage', 'kill'] as const)[i % 3]
        await transfer(host, other.image, 20 + i, { cutAt })
        if (how === 'abort') {
          expect((await host.request({ type: 'MODEL_ABORT', seq: host.nextSeq() })).type).toBe(
            'ACK',
          )
        } else if (how === 'garbage') {
          // Half a chunk frame, then garbage: the device drops it and keeps its model.
          const wire = encodeFrame({
            type: 'MODEL_CHUNK',
            seq: host.nextSeq(),
            offset: cutAt,
            bytes: toHex(other.image.subarray(cutAt, cutAt + 500)),
          })
          host.write(wire.subarray(0, wire.length >> 1))
          host.write(new Uint8Array([0x13, 0x37, 0x00, 0xde, 0xad, 0x00]))
        } else {
          await host.kill()
          host = await Board.start(kind, state, dir)
        }
        await expectActive(host, current, 2)
        const retry = await transfer(host, other.image, 30 + i)
        expect(retry.reply).toMatchObject({ type: 'ACK', command: FRAME_TYPES.MODEL_COMMIT })
        await expectActive(host, other, 2)
        ;[current, other] = [other, current]
      }

      // Garbage injected between chunks: the hit chunk is dropped, go-back-N resends it.
      let injected = 0
      const withGarbage = await transfer(host, other.image, 40, {
        beforeChunk: (offset) => {
          if (offset > 0 && injected < 3) {
            injected++
            host.write(new Uint8Array([0xaa, 0xbb, 0xcc]))
          }
        },
      })
      expect(withGarbage.reply).toMatchObject({ type: 'ACK', command: FRAME_TYPES.MODEL_COMMIT })
      expect(withGarbage.resent).toBeGreaterThan(0)
      await expectActive(host, other, 2)
      ;[current, other] = [other, current]

      // The convolutional preset on raw windows: CONV_2D, pooling, dense, softmax.
      const conv = exportedModel(PRESETS.conv1d, 45, 4, 'raw')
      expect((await transfer(host, conv.image, 45)).reply).toMatchObject({ type: 'ACK' })
      await expectActive(host, conv, 3)
      ;[current, other] = [conv, current]

      // A corrupt image with the right CRC is refused, and the model stays.
      const bad = other.image.slice()
      bad[0] = 0x58
      const refused = await transfer(host, bad, 50)
      expect(refused.reply).toMatchObject({ type: 'NAK', code: NAK_CODES.BAD_MODEL })
      await expectActive(host, current, 2)

      // The model survives a restart.
      await host.close()
      host = await Board.start(kind, state, dir)
      await expectActive(host, current, 2)
    } finally {
      await host.close()
    }
  }, 120_000)

  it("classifies its own windows while streaming, one INFERENCE per stride, as the app's pipeline does", async () => {
    const model = exportedModel(PRESETS.dense, 70, 6)
    const host = await Board.start(kind, join(dir, `${kind}-windows`), dir)
    try {
      expect((await transfer(host, model.image, 70)).reply).toMatchObject({ type: 'ACK' })
      expect((await host.request({ type: 'START', seq: host.nextSeq() })).type).toBe('ACK')
      // Windows of 400 samples every 200 (1 s every 0.5 s at 400 Hz): four in 2.3 s.
      // (Under QEMU the device's clock is instructions: it may run behind the wall clock.)
      const deadline = Date.now() + 15_000
      while (host.frames.filter((f) => f.type === 'INFERENCE').length < 4) {
        if (Date.now() > deadline) break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect((await host.request({ type: 'STOP', seq: host.nextSeq() })).type).toBe('ACK')
      const data = host.frames.filter((f): f is FrameOf<'DATA'> => f.type === 'DATA')
      const results = host.frames.filter((f): f is FrameOf<'INFERENCE'> => f.type === 'INFERENCE')
      expect(results.length).toBeGreaterThanOrEqual(3)
      const values = data.flatMap((f) => f.values)
      const times = data.flatMap((f) =>
        Array.from({ length: f.count }, (_, k) => f.timeUs + k * 2500),
      )
      const columns = [0, 1, 2].map((c) => Float32Array.from(values.filter((_, i) => i % 3 === c)))
      const scratch = new SpectralScratch()
      results.forEach((result, w) => {
        const from = 200 * w
        const to = from + 400
        expect(to).toBeLessThanOrEqual(times.length)
        expect(result.seq).toBe(0)
        expect(result.modelCrc32).toBe(model.crc)
        expect(result.windowEndUs).toBe((times[to - 1] as number) + 2500)
        // The app's features of the same samples, normalized and quantized as the app does.
        const row = new Float64Array(48)
        columns.forEach((column, c) => spectralOf(column, from, to, 16, scratch, row, c * 16))
        const input = quantizeInput(
          normalize(Float32Array.from(row), model.normalization),
          model.interpreter.input,
        )
        expect(result.outputs).toEqual(Array.from(model.interpreter.run(input)))
        expect(result.latencyUs).toBeGreaterThan(0)
      })
    } finally {
      await host.close()
    }
  }, 60_000)

  // The host port paces its pty to the line rate; QEMU's UART is not paced.
  it.runIf(kind === 'host')(
    'carries a large model at over 80% of the 921,600 baud line rate, CRC verified',
    async () => {
      const state = join(dir, `${kind}-throughput`)
      // A dense model of about 180 KB: 48 -> 1024 -> 128 -> 3.
      const big = exportedModel(
        [
          { type: 'dense', units: 1024, activation: 'relu', l2: 0 },
          { type: 'dense', units: 128, activation: 'relu', l2: 0 },
        ],
        60,
        5,
      )
      expect(big.image.length).toBeGreaterThan(150_000)
      const host = await Board.start(kind, state, dir)
      try {
        const result = await transfer(host, big.image, 60)
        expect(result.reply).toMatchObject({ type: 'ACK', command: FRAME_TYPES.MODEL_COMMIT })
        const commit = result.reply as FrameOf<'ACK'> & {
          slots: { crc32: number }[]
          active: number
        }
        expect(commit.slots[commit.active - 1]?.crc32).toBe(big.crc)
        const lineBytesPerSecond = BAUD / 10
        const share = big.image.length / result.seconds / lineBytesPerSecond
        console.log(
          `flash throughput: ${big.image.length} B in ${result.seconds.toFixed(2)} s, ` +
            `${(big.image.length / result.seconds / 1024).toFixed(1)} KiB/s, ${(share * 100).toFixed(1)}% of the line rate`,
        )
        expect(share).toBeGreaterThan(0.8)
        expect(share).toBeLessThan(1.0) // paced: never faster than the line
        await expectActive(host, big, 2)
      } finally {
        await host.close()
      }
    },
    120_000,
  )
})
