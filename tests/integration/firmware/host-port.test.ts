import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SerialPort } from 'serialport'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MachineSimulator } from '../../../src-main/capture/demo/machine-simulator.js'
import { crc32 } from '../../../src-main/device/protocol/crc32.js'
import { FrameDecoder } from '../../../src-main/device/protocol/frame-decoder.js'
import {
  encodeFrame,
  FRAME_TYPES,
  NAK_CODES,
  toHex,
  type Frame,
  type FrameOf,
} from '../../../src-main/device/protocol/frames.js'
import { spectralOf, SpectralScratch } from '../../../src-main/dataset/features.js'
import { normalize, type Normalization } from '../../../src-main/dataset/normalization.js'
import { seededRandom } from '../../../src-main/seeded-random.js'
import {
  createInterpreter,
  quantizeInput,
  readTflite,
  writeTflite,
} from '../../../src-main/tflite/index.js'
import { quantizeModel } from '../../../src-main/tflite/quantize.js'
import { PRESETS } from '../../../src-main/training/models.js'
import { randomModel, windows } from '../../unit/tflite/random-model.js'

// The firmware's host port (native/firmware/ports/host) on a real pseudo-terminal, spoken to
// with the app's protocol codec: hello, streaming, garbage, model transfers of real int8 models
// (the app's quantizer and writer) with the device's outputs equal to the app's interpreter,
// and transfers cut by an abort, by garbage and by kill -9.
const BINARY = 'native/build/firmware/ports/host/tinyloop-fw-host'
const BAUD = 921_600
const SEED = 3

let dir: string

beforeAll(() => {
  // Incremental: a second run only checks that everything is up to date.
  const build = spawnSync('npm', ['run', 'build:native'], { encoding: 'utf8' })
  expect(build.status, build.stdout + build.stderr).toBe(0)
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-fw-'))
}, 600_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** One tinyloop-fw-host process and a serial connection to its pty. */
class HostPort {
  readonly frames: Frame[] = []
  readonly decoder = new FrameDecoder()
  #waiters: (() => void)[] = []
  #seq = 1

  private constructor(
    readonly child: ChildProcess,
    readonly port: SerialPort,
    readonly ptyPath: string,
    readonly link: string,
  ) {
    port.on('data', (chunk: Buffer) => {
      this.decoder.push(new Uint8Array(chunk), (frame) => this.frames.push(frame))
      for (const w of this.#waiters.splice(0)) w()
    })
  }

  static async start(state: string, link = join(dir, `tty-${Date.now()}`)): Promise<HostPort> {
    const child = spawn(BINARY, ['--state', state, '--link', link, '--seed', String(SEED)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const ptyPath = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString()
        if (out.includes('\n')) resolve(out.split('\n')[0] as string)
      })
      child.once('exit', (code) => reject(new Error(`tinyloop-fw-host exited with ${code}`)))
    })
    expect(ptyPath).toMatch(/^\/dev\/pts\/\d+$/)
    const port = new SerialPort({ path: link, baudRate: BAUD, autoOpen: false })
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())))
    return new HostPort(child, port, ptyPath, link)
  }

  nextSeq(): number {
    this.#seq = (this.#seq + 1) & 0xffff
    return this.#seq
  }

  write(bytes: Uint8Array): void {
    this.port.write(Buffer.from(bytes))
  }

  send(frame: Frame): void {
    this.write(encodeFrame(frame))
  }

  /** Waits for a frame that `match` picks (removing it from the queue), or null after `ms`. */
  async next<T extends Frame>(match: (f: Frame) => f is T, ms = 2000): Promise<T | null> {
    const deadline = Date.now() + ms
    for (;;) {
      const i = this.frames.findIndex(match)
      if (i >= 0) return this.frames.splice(i, 1)[0] as T
      const left = deadline - Date.now()
      if (left <= 0) return null
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Sends a command and waits for its reply (the same seq). */
  async request(frame: Frame, ms = 2000): Promise<Frame> {
    this.send(frame)
    const reply = await this.next(
      (f): f is Frame =>
        f.seq === frame.seq &&
        (f.type === 'ACK' || f.type === 'NAK' || f.type === 'HELLO' || f.type === 'INFERENCE'),
      ms,
    )
    if (!reply) throw new Error(`No reply to ${frame.type} (seq ${frame.seq}).`)
    return reply
  }

  async hello(): Promise<FrameOf<'HELLO'>> {
    const reply = await this.request({ type: 'HELLO_REQ', seq: this.nextSeq() })
    expect(reply.type).toBe('HELLO')
    return reply as FrameOf<'HELLO'>
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.port.isOpen ? this.port.close(() => resolve()) : resolve(),
    )
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve))
      this.child.kill('SIGTERM')
      await exited
    }
  }

  /** kill -9: no chance to clean up, as a pulled plug. */
  async kill(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.child.kill('SIGKILL')
    await exited
    await new Promise<void>((resolve) =>
      this.port.isOpen ? this.port.close(() => resolve()) : resolve(),
    )
  }
}

/** The normalization constants the test images carry (doubles, as the app ships them). */
function normalizationOf(features: number): Normalization {
  return {
    mean: Array.from({ length: features }, (_, i) => 0.001 * (i + 1)),
    std: Array.from({ length: features }, (_, i) => 0.002 + 0.0001 * i),
  }
}

/** A TinyLoop model image (docs/protocol.md, "The model image") around `tflite`. */
function modelImage(opts: {
  tflite: Uint8Array
  modelId: number
  features: number
  /** Spectral bands of each channel, or raw points of each channel (kind 'raw'). */
  kind: 'spectral' | 'raw'
  classes: string[]
  input: { scale: number; zeroPoint: number }
  output: { scale: number; zeroPoint: number }
}): Uint8Array {
  const enc = new TextEncoder()
  const channels = ['ax', 'ay', 'az']
  const perChannel = opts.features / channels.length
  const head = new DataView(new ArrayBuffer(68))
  const names = [...channels, ...opts.classes].map((n) => enc.encode(n))
  const variable = 16 * opts.features + names.reduce((n, b) => n + 1 + b.length, 0)
  const tfliteOffset = Math.ceil((68 + variable) / 16) * 16
  const image = new Uint8Array(tfliteOffset + opts.tflite.length)
  head.setUint16(4, 1, true)
  head.setUint16(6, 68, true)
  head.setUint32(8, image.length, true)
  head.setUint32(12, tfliteOffset, true)
  head.setUint32(16, opts.tflite.length, true)
  head.setUint32(20, opts.modelId, true)
  head.setUint32(24, 4096, true)
  head.setFloat32(28, 400, true)
  head.setUint32(32, 400, true) // one-second windows
  head.setUint32(36, 200, true) // every half second
  head.setUint8(40, channels.length)
  head.setUint8(41, opts.kind === 'raw' ? 0 : 3)
  head.setUint16(42, opts.features, true)
  head.setUint16(44, opts.kind === 'raw' ? 0 : perChannel, true)
  head.setUint16(46, opts.kind === 'raw' ? perChannel : 0, true)
  head.setUint8(48, opts.classes.length)
  head.setUint8(49, 0)
  head.setUint8(50, 1) // normalized
  head.setFloat32(52, opts.input.scale, true)
  head.setInt32(56, opts.input.zeroPoint, true)
  head.setFloat32(60, opts.output.scale, true)
  head.setInt32(64, opts.output.zeroPoint, true)
  image.set(new Uint8Array(head.buffer), 0)
  image.set(enc.encode('TLMI'), 0)
  const body = new DataView(image.buffer, 68)
  const { mean, std } = normalizationOf(opts.features)
  for (let i = 0; i < opts.features; i++) {
    body.setFloat64(8 * i, mean[i] as number, true)
    body.setFloat64(8 * (opts.features + i), std[i] as number, true)
  }
  let at = 68 + 16 * opts.features
  for (const n of names) {
    image[at++] = n.length
    image.set(n, at)
    at += n.length
  }
  image.set(opts.tflite, tfliteOffset)
  return image
}

/**
 * A real int8 model as the app exports it: a float model quantized and written by the app's
 * own code, on 16 spectral bands of 3 channels, or on raw 400-sample windows (`raw`).
 */
function exportedModel(
  layers: Parameters<typeof randomModel>[0],
  modelId: number,
  seed: number,
  kind: 'spectral' | 'raw' = 'spectral',
) {
  const shape = kind === 'raw' ? [400, 3] : [48]
  const features = shape.reduce((a, b) => a * b, 1)
  const float = randomModel(layers, shape, 3, seed)
  const int8 = quantizeModel(float, windows(64, shape, seed + 1))
  const tflite = writeTflite(int8.model)
  const image = modelImage({
    tflite,
    modelId,
    features,
    kind,
    classes: ['normal', 'imbalance', 'bearing'],
    input: int8.input,
    output: int8.output,
  })
  const interpreter = createInterpreter(readTflite(tflite))
  return {
    image,
    crc: crc32(image),
    interpreter,
    features,
    normalization: normalizationOf(features),
  }
}

interface TransferResult {
  reply: Frame
  seconds: number
  resent: number
}

/**
 * The host's side of a model transfer (docs/protocol.md, "Model transfer"): MODEL_BEGIN, then
 * chunks with at most `window` unanswered, go-back-N on NAK OUT_OF_ORDER or a 1 s silence,
 * then MODEL_COMMIT. `cutAt` stops sending at that image offset and returns without a commit.
 */
async function transfer(
  host: HostPort,
  image: Uint8Array,
  modelId: number,
  opts: { cutAt?: number; beforeChunk?: (offset: number) => void } = {},
): Promise<TransferResult> {
  const started = performance.now()
  const hello = await host.hello()
  const begin = await host.request({
    type: 'MODEL_BEGIN',
    seq: host.nextSeq(),
    size: image.length,
    crc32: crc32(image),
    modelId,
  })
  if (begin.type !== 'ACK' || !('chunk' in begin))
    throw new Error(`MODEL_BEGIN: ${JSON.stringify(begin)}`)
  const chunk = begin.chunk
  const end = Math.min(opts.cutAt ?? image.length, image.length)
  let acked = 0
  let next = 0
  let resent = 0
  const inFlight = new Map<number, number>() // seq -> offset
  while (acked < end) {
    while (inFlight.size < hello.window && next < end) {
      const n = Math.min(chunk, end - next)
      opts.beforeChunk?.(next)
      const seq = host.nextSeq()
      inFlight.set(seq, next)
      host.send({
        type: 'MODEL_CHUNK',
        seq,
        offset: next,
        bytes: toHex(image.subarray(next, next + n)),
      })
      next += n
    }
    const reply = await host.next(
      (f): f is Frame => (f.type === 'ACK' || f.type === 'NAK') && inFlight.has(f.seq),
      1000,
    )
    if (!reply) {
      // Silence: resend from the last acknowledged offset.
      resent++
      if (resent > 50) throw new Error('The device stopped answering.')
      inFlight.clear()
      next = acked
      continue
    }
    inFlight.delete(reply.seq)
    if (reply.type === 'ACK' && 'next' in reply) {
      acked = Math.max(acked, reply.next)
    } else if (reply.type === 'NAK' && reply.code === NAK_CODES.OUT_OF_ORDER) {
      // Go back to where the device is, once the chunks in flight have been answered.
      if (inFlight.size === 0 || reply.detail < next) {
        resent++
        acked = reply.detail
        next = reply.detail
        inFlight.clear()
        // Answers to the chunks dropped from the flight still come: let them go by.
        await new Promise((resolve) => setTimeout(resolve, 20))
        host.frames.splice(0)
      }
    } else {
      throw new Error(`MODEL_CHUNK: ${JSON.stringify(reply)}`)
    }
  }
  if (opts.cutAt !== undefined) return { reply: begin, seconds: 0, resent }
  const reply = await host.request({ type: 'MODEL_COMMIT', seq: host.nextSeq() }, 5000)
  return { reply, seconds: (performance.now() - started) / 1000, resent }
}

/** The device's int8 outputs for int8 `input`, through INPUT in parts of up to 40 bytes. */
async function infer(host: HostPort, input: Int8Array): Promise<FrameOf<'INFERENCE'>> {
  let reply: Frame | null = null
  for (let offset = 0; offset < input.length; offset += 40) {
    const part = new Uint8Array(
      input.buffer,
      input.byteOffset + offset,
      Math.min(40, input.length - offset),
    )
    reply = await host.request({ type: 'INPUT', seq: host.nextSeq(), offset, bytes: toHex(part) })
  }
  expect(reply?.type).toBe('INFERENCE')
  return reply as FrameOf<'INFERENCE'>
}

/** The device runs `model`: the active slot's CRC, and its outputs are the app's on windows. */
async function expectActive(
  host: HostPort,
  model: ReturnType<typeof exportedModel>,
  n = 4,
): Promise<void> {
  const hello = await host.hello()
  expect(hello.active).not.toBe(0)
  expect(hello.slots[hello.active - 1]?.crc32).toBe(model.crc)
  for (const window of windows(n, [model.features], 99)) {
    const input = quantizeInput(window, model.interpreter.input)
    const result = await infer(host, input)
    expect(result.modelCrc32).toBe(model.crc)
    expect(result.windowEndUs).toBe(0)
    expect(Number.isNaN(result.score)).toBe(true)
    expect(result.outputs).toEqual(Array.from(model.interpreter.run(input)))
  }
}

describe('tinyloop-fw-host', () => {
  it("passes the core's CTest suite (protocol, golden frames, slots, windows, device, fuzz)", () => {
    const ctest = spawnSync('ctest', ['--test-dir', 'native/build', '--output-on-failure'], {
      encoding: 'utf8',
    })
    expect(ctest.status, ctest.stdout + ctest.stderr).toBe(0)
    expect(ctest.stdout).toMatch(/100% tests passed/)
  }, 120_000)

  it('says hello, streams the demo machine with consecutive seq and device times, and ignores garbage', async () => {
    const host = await HostPort.start(join(dir, 'state-stream'))
    try {
      const hello = await host.hello()
      expect(hello).toMatchObject({
        protocol: 1,
        board: 'host',
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
      expect(samples / seconds).toBeGreaterThan(400 * 0.8)
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
    expect(host.child.exitCode).toBe(0)
    expect(existsSync(host.link)).toBe(false)
  })

  it('flashes real int8 models whose outputs equal the app interpreter, and survives cut transfers', async () => {
    const state = join(dir, 'state-flash')
    const a = exportedModel(PRESETS.dense, 11, 1)
    const b = exportedModel(PRESETS.dense, 12, 2)
    let host = await HostPort.start(state)
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
          host = await HostPort.start(state)
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
      host = await HostPort.start(state)
      await expectActive(host, current, 2)
    } finally {
      await host.close()
    }
  }, 120_000)

  it("classifies its own windows while streaming, one INFERENCE per stride, as the app's pipeline does", async () => {
    const model = exportedModel(PRESETS.dense, 70, 6)
    const host = await HostPort.start(join(dir, 'state-windows'))
    try {
      expect((await transfer(host, model.image, 70)).reply).toMatchObject({ type: 'ACK' })
      expect((await host.request({ type: 'START', seq: host.nextSeq() })).type).toBe('ACK')
      // Windows of 400 samples every 200 (1 s every 0.5 s at 400 Hz): four in 2.3 s.
      await new Promise((resolve) => setTimeout(resolve, 2300))
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

  it('carries a large model at over 80% of the 921,600 baud line rate, CRC verified', async () => {
    const state = join(dir, 'state-throughput')
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
    const host = await HostPort.start(state)
    try {
      const result = await transfer(host, big.image, 60)
      expect(result.reply).toMatchObject({ type: 'ACK', command: FRAME_TYPES.MODEL_COMMIT })
      const commit = result.reply as FrameOf<'ACK'> & { slots: { crc32: number }[]; active: number }
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
  }, 120_000)
})
