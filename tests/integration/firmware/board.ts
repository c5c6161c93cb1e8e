import { realpathSync } from 'node:fs'
import { join } from 'node:path'
import { SerialPort } from 'serialport'
import { expect } from 'vitest'
import type { DriftMode } from '../../../src-preload/contract/capture.js'
import { crc32 } from '../../../src-main/device/protocol/crc32.js'
import { FrameDecoder } from '../../../src-main/device/protocol/frame-decoder.js'
import {
  encodeFrame,
  NAK_CODES,
  toHex,
  type Frame,
  type FrameOf,
} from '../../../src-main/device/protocol/frames.js'
import {
  startVirtualBoard,
  type VirtualBoard,
  type VirtualBoardKind,
} from '../../../src-main/device/virtual-board.js'
import { type Normalization } from '../../../src-main/dataset/normalization.js'
import {
  createInterpreter,
  quantizeInput,
  readTflite,
  writeTflite,
} from '../../../src-main/tflite/index.js'
import { quantizeModel } from '../../../src-main/tflite/quantize.js'
import { randomModel, windows } from '../../unit/tflite/random-model.js'

// The firmware on a board of either kind (the Linux host port, the Cortex-M4 under QEMU), spoken
// to over its pseudo-terminal with the app's protocol codec, and the pieces the firmware tests
// share: model images of real int8 models, the host's side of a model transfer, INPUT.

export const BAUD = 921_600
export const SEED = 3

/** A board running the firmware (virtual-board.ts) and a serial connection to its pty. */
export class Board {
  readonly frames: Frame[] = []
  readonly decoder = new FrameDecoder()
  #waiters: (() => void)[] = []
  #seq = 1

  private constructor(
    readonly board: VirtualBoard,
    readonly port: SerialPort,
    readonly link: string,
  ) {
    port.on('data', (chunk: Buffer) => {
      this.decoder.push(new Uint8Array(chunk), (frame) => this.frames.push(frame))
      for (const w of this.#waiters.splice(0)) w()
    })
  }

  /** Starts the firmware of `kind` with its slots in `state`, and opens its pty. */
  static async start(
    kind: VirtualBoardKind,
    state: string,
    dir: string,
    drift?: DriftMode,
  ): Promise<Board> {
    const link = join(dir, `tty-${kind}-${Date.now()}`)
    const board = await startVirtualBoard(kind, { stateDir: state, seed: SEED, link, drift })
    return Board.attach(board, link)
  }

  /** Opens the pty of a board already running (one a CLI has just flashed, say). */
  static async attach(board: VirtualBoard, link: string): Promise<Board> {
    expect(realpathSync(link)).toMatch(/^\/dev\/pts\/\d+$/)
    const port = new SerialPort({ path: link, baudRate: BAUD, autoOpen: false })
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())))
    return new Board(board, port, link)
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
    await this.detach()
    await this.board.stop()
  }

  /** Closes the pty, leaving the board running (for another program to open it). */
  async detach(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.port.isOpen ? this.port.close(() => resolve()) : resolve(),
    )
  }

  /** kill -9: no chance to clean up, as a pulled plug. */
  async kill(): Promise<void> {
    await this.board.kill()
    await new Promise<void>((resolve) =>
      this.port.isOpen ? this.port.close(() => resolve()) : resolve(),
    )
  }
}

/** The normalization constants the test images carry (doubles, as the app ships them). */
export function normalizationOf(features: number): Normalization {
  return {
    mean: Array.from({ length: features }, (_, i) => 0.001 * (i + 1)),
    std: Array.from({ length: features }, (_, i) => 0.002 + 0.0001 * i),
  }
}

/** A TinyLoop model image (docs/protocol.md, "The model image") around `tflite`. */
export function modelImage(opts: {
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
export function exportedModel(
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

export interface TransferResult {
  reply: Frame
  seconds: number
  resent: number
}

/**
 * The host's side of a model transfer (docs/protocol.md, "Model transfer"): MODEL_BEGIN, then
 * chunks with at most `window` unanswered, go-back-N on NAK OUT_OF_ORDER or a 1 s silence,
 * then MODEL_COMMIT. `cutAt` stops sending at that image offset and returns without a commit.
 */
export async function transfer(
  host: Board,
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
export async function infer(host: Board, input: Int8Array): Promise<FrameOf<'INFERENCE'>> {
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
export async function expectActive(
  host: Board,
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
