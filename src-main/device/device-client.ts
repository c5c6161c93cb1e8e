import { SerialPort } from 'serialport'
import { crc32 } from './protocol/crc32.js'
import { FrameDecoder } from './protocol/frame-decoder.js'
import {
  encodeFrame,
  FRAME_TYPES,
  MIN_MAX_BODY,
  nakCodeName,
  NAK_CODES,
  toHex,
  type Frame,
  type FrameOf,
  type NakCodeName,
  type Slot,
} from './protocol/frames.js'

/**
 * The host's side of a protocol session (docs/protocol.md) over any byte link: commands matched
 * to their replies by `seq` with timeouts, and the model transfer with go-back-N. Frames that
 * answer nothing asked (DATA, LOG, a device's own INFERENCE, late replies) and garbage are
 * counted and otherwise ignored, so a device may stream while it is spoken to.
 */

/** Where the bytes go and come from: a serial port, a test's pipe. */
export interface ByteLink {
  write(bytes: Uint8Array): void | Promise<void>
  /** Calls `listener` with every chunk that arrives; returns how to stop. */
  subscribe(listener: (bytes: Uint8Array) => void): () => void
  /** Calls `listener` once if the link goes away (unplugged, the device's process ended). */
  onLost?(listener: (why: string) => void): void
}

/** A link that can be closed: what `openSerialLink` gives. */
export interface ClosableLink extends ByteLink {
  close(): Promise<void>
}

/** Every failure of a session with a device; the message is written for people. */
export class DeviceError extends Error {
  override name = 'DeviceError'
}

/** The device answered a command with `NAK`: its code and its own message. */
export class DeviceRefusedError extends DeviceError {
  override name = 'DeviceRefusedError'
  constructor(
    readonly command: number,
    readonly code: NakCodeName | number,
    readonly detail: number,
    readonly deviceMessage: string,
    message: string,
  ) {
    super(message)
  }
}

/** No answer in time, after every retry. */
export class DeviceTimeoutError extends DeviceError {
  override name = 'DeviceTimeoutError'
}

/** The transfer was cancelled by its caller (the device was told to forget it). */
export class FlashCancelledError extends DeviceError {
  override name = 'FlashCancelledError'
}

export type FlashStage = 'connecting' | 'sending' | 'checking'

export interface FlashProgress {
  stage: FlashStage
  /** Bytes the device has acknowledged. */
  sentBytes: number
  totalBytes: number
}

export interface FlashOptions {
  /** The image's model id (the run id). */
  modelId: number
  onProgress?: (progress: FlashProgress) => void
  /** Aborting sends MODEL_ABORT and rejects with FlashCancelledError. */
  signal?: AbortSignal
  /** Chunks sent before waiting for their ACK; default the device's `window` (1: stop-and-wait). */
  window?: number
}

export interface FlashResult {
  bytes: number
  crc32: number
  seconds: number
  /** The slots as the device's ACK to MODEL_COMMIT has them. */
  active: number
  slots: [Slot, Slot]
  /** Chunks sent again (go-back-N after a NAK or a silence). */
  resentChunks: number
}

export interface ClientCounters {
  /** Frames that answered nothing waited for: DATA, LOG, INFERENCE of windows, late replies. */
  unrelated: number
  /** Frames dropped by the decoder (garbage, cut frames, bad CRC), all reasons. */
  garbage: number
}

export interface DeviceClientOptions {
  /** How long to wait for a reply before asking again; docs/protocol.md says 1 s. */
  replyTimeoutMs?: number
  /** Tries of a command (and silences in a transfer) before giving up. */
  tries?: number
  /** How long the device may take to check and load a model on MODEL_COMMIT, per try. */
  commitTimeoutMs?: number
}

const REPLY_TYPES = new Set<Frame['type']>(['HELLO', 'ACK', 'NAK', 'INFERENCE'])
type Reply = FrameOf<'HELLO'> | FrameOf<'ACK'> | FrameOf<'NAK'> | FrameOf<'INFERENCE'>
/** A frame as sent, before it gets its seq. */
type Command = Frame extends infer F ? (F extends Frame ? Omit<F, 'seq'> : never) : never

const NAK_MEANINGS: Partial<Record<NakCodeName, string>> = {
  TOO_LARGE: 'the model is larger than a slot of the device',
  CRC_MISMATCH: 'the bytes that arrived are not the model that was sent',
  BAD_MODEL: 'the device cannot run this model',
  ARENA_TOO_SMALL: "the model's tensors do not fit the device's memory",
  INCOMPATIBLE: "the model wants other channels or another rate than the device's",
  BUSY: 'the device is busy',
  UNSUPPORTED_RATE: 'the device does not sample at that rate',
  BAD_STATE: 'the device was not ready for that',
}

export class DeviceClient {
  readonly #link: ByteLink
  readonly #decoder = new FrameDecoder()
  readonly #replyTimeoutMs: number
  readonly #tries: number
  readonly #commitTimeoutMs: number
  readonly #waiting = new Map<number, (reply: Reply) => void>()
  readonly #unsubscribe: () => void
  /** Listeners to the frames that answer nothing asked (a streaming device's DATA, INFERENCE). */
  readonly #unsolicited = new Set<(frame: Frame) => void>()
  #seq = Math.floor(Math.random() * 0xffff)
  #unrelated = 0
  /** Rejects once the link is lost: every wait races it. */
  readonly #lost: Promise<never>
  /** The last hello, for the transfer's window and the largest body. */
  #hello: FrameOf<'HELLO'> | null = null

  constructor(link: ByteLink, opts: DeviceClientOptions = {}) {
    this.#link = link
    this.#replyTimeoutMs = opts.replyTimeoutMs ?? 1000
    this.#tries = opts.tries ?? 5
    this.#commitTimeoutMs = opts.commitTimeoutMs ?? 3000
    this.#unsubscribe = link.subscribe((bytes) => this.#decoder.push(bytes, (f) => this.#frame(f)))
    this.#lost = new Promise<never>((_, reject) =>
      link.onLost?.((why) =>
        reject(
          new DeviceError(
            `The device went away (${why}). Its previous model stays active; check the cable and try again.`,
          ),
        ),
      ),
    )
    this.#lost.catch(() => {})
  }

  /** `promise`, or the loss of the link, whichever comes first. */
  #unlessLost<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.#lost])
  }

  /** Writes `bytes`; a link that takes nothing for as long as a command's every try fails. */
  async #write(bytes: Uint8Array): Promise<void> {
    const ms = this.#replyTimeoutMs * this.#tries
    let timer: NodeJS.Timeout | undefined
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new DeviceTimeoutError(
              `The device stopped answering (it took no bytes for ${ms / 1000} s). Check that it runs and that no other program holds the port.`,
            ),
          ),
        ms,
      )
    })
    try {
      const written = Promise.resolve(this.#link.write(bytes)).catch((err: unknown) => {
        throw linkFailure(err)
      })
      await this.#unlessLost(Promise.race([written, stuck]))
    } finally {
      clearTimeout(timer)
    }
  }

  get counters(): ClientCounters {
    return { unrelated: this.#unrelated, garbage: this.#decoder.counters.dropped }
  }

  /** Stops listening to the link (which stays open: its owner closes it). */
  dispose(): void {
    this.#unsubscribe()
    this.#waiting.clear()
    this.#unsolicited.clear()
  }

  /** Calls `listener` with every frame that answers nothing asked; returns how to stop. */
  onUnsolicited(listener: (frame: Frame) => void): () => void {
    this.#unsolicited.add(listener)
    return () => this.#unsolicited.delete(listener)
  }

  /**
   * Sends `command` and resolves with its reply (the same seq): a NAK rejects with
   * DeviceRefusedError. Without a reply in `timeoutMs` it asks again, `tries` times in all.
   */
  async request(
    command: Command,
    opts: { timeoutMs?: number; tries?: number } = {},
  ): Promise<Exclude<Reply, FrameOf<'NAK'>>> {
    const tries = opts.tries ?? this.#tries
    const timeoutMs = opts.timeoutMs ?? this.#replyTimeoutMs
    for (let attempt = 0; attempt < tries; attempt++) {
      const seq = this.#nextSeq()
      const reply = await this.#unlessLost(this.#exchange({ ...command, seq } as Frame, timeoutMs))
      if (!reply) continue
      if (reply.type === 'NAK') throw refused(reply)
      return reply
    }
    throw new DeviceTimeoutError(
      `The device stopped answering (no reply to ${command.type} in ${tries} tries of ${timeoutMs / 1000} s). Check that it runs TinyLoop firmware and that no other program uses the port.`,
    )
  }

  async hello(): Promise<FrameOf<'HELLO'>> {
    // A lone zero first ends whatever the device was holding.
    await this.#write(new Uint8Array([0]))
    const reply = await this.request({ type: 'HELLO_REQ' })
    if (reply.type !== 'HELLO') throw unexpected('HELLO_REQ', reply)
    this.#hello = reply
    return reply
  }

  async start(): Promise<void> {
    await this.request({ type: 'START' })
  }

  async stop(): Promise<void> {
    await this.request({ type: 'STOP' })
  }

  async setRate(rateHz: number): Promise<void> {
    await this.request({ type: 'SET_RATE', rateHz })
  }

  /** Runs the active model on an int8 input tensor (INPUT in parts); its INFERENCE. */
  async infer(input: Int8Array): Promise<FrameOf<'INFERENCE'>> {
    const hello = this.#hello ?? (await this.hello())
    const part = Math.max(1, hello.maxBody - 4)
    const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
    for (let offset = 0; offset < bytes.length; offset += part) {
      const reply = await this.request({
        type: 'INPUT',
        offset,
        bytes: toHex(bytes.subarray(offset, offset + part)),
      })
      if (reply.type === 'INFERENCE') return reply
    }
    throw new DeviceError(`The device did not run the model on ${bytes.length} input bytes.`)
  }

  /**
   * The model transfer of docs/protocol.md: MODEL_BEGIN; MODEL_CHUNKs with at most `window`
   * unanswered, going back to the offset the device expects on NAK OUT_OF_ORDER and to the last
   * acknowledged one after a silence (`tries` silences in a row give up); MODEL_COMMIT. A refusal
   * at any step rejects with the device's message; the device keeps its previous model.
   */
  async flash(image: Uint8Array, opts: FlashOptions): Promise<FlashResult> {
    const started = performance.now()
    const total = image.length
    const progress = (stage: FlashStage, sentBytes: number) =>
      opts.onProgress?.({ stage, sentBytes, totalBytes: total })
    const cancelled = () => {
      if (opts.signal?.aborted) throw new FlashCancelledError('The flash was cancelled.')
    }
    progress('connecting', 0)
    const hello = await this.hello()
    cancelled()
    const crc = crc32(image)
    const begin = await this.request({
      type: 'MODEL_BEGIN',
      size: total,
      crc32: crc,
      modelId: opts.modelId,
    })
    if (begin.type !== 'ACK' || begin.command !== FRAME_TYPES.MODEL_BEGIN) {
      throw unexpected('MODEL_BEGIN', begin)
    }
    const chunk = Math.max(1, Math.min(begin.chunk, Math.max(MIN_MAX_BODY, hello.maxBody) - 4))
    const window = Math.max(1, opts.window ?? hello.window)
    try {
      const resentChunks = await this.#sendChunks(image, chunk, window, opts.signal, (acked) =>
        progress('sending', acked),
      )
      progress('checking', total)
      const commit = await this.#commit(crc)
      return {
        bytes: total,
        crc32: crc,
        seconds: (performance.now() - started) / 1000,
        active: commit.active,
        slots: commit.slots,
        resentChunks,
      }
    } catch (err) {
      if (err instanceof FlashCancelledError) {
        // The device forgets the transfer; its model stays. A device gone quiet is no reason
        // to hold the caller.
        await this.request({ type: 'MODEL_ABORT' }, { tries: 1 }).catch(() => {})
      }
      throw err
    }
  }

  /**
   * MODEL_COMMIT, asked again if its answer does not come (garbage may eat the command or its
   * ACK). A commit asked again after the device made the model active is refused (no transfer
   * any more): the hello then says whether the model with `crc` is the active one.
   */
  async #commit(crc: number): Promise<{ active: number; slots: [Slot, Slot] }> {
    for (let attempt = 0; attempt < this.#tries; attempt++) {
      const reply = await this.#unlessLost(
        this.#exchange({ type: 'MODEL_COMMIT', seq: this.#nextSeq() }, this.#commitTimeoutMs),
      )
      if (!reply) continue
      if (reply.type === 'ACK' && reply.command === FRAME_TYPES.MODEL_COMMIT) return reply
      if (reply.type === 'NAK' && reply.code === NAK_CODES.BAD_STATE && attempt > 0) {
        const hello = await this.hello()
        if (hello.active !== 0 && hello.slots[hello.active - 1]?.crc32 === crc) return hello
      }
      if (reply.type === 'NAK') throw refused(reply)
      throw unexpected('MODEL_COMMIT', reply)
    }
    throw new DeviceTimeoutError(
      `The device stopped answering after the transfer (no answer to MODEL_COMMIT in ${this.#tries} tries of ${this.#commitTimeoutMs / 1000} s). Ask it again (tinyloop board) to see which model it runs.`,
    )
  }

  /** Sends every chunk and resolves when the device has acknowledged the whole image. */
  async #sendChunks(
    image: Uint8Array,
    chunk: number,
    window: number,
    signal: AbortSignal | undefined,
    onAcked: (acked: number) => void,
  ): Promise<number> {
    let acked = 0
    let next = 0
    let resent = 0
    /** Where the furthest chunk sent so far ends: a chunk before it is sent again. */
    let furthest = 0
    let silences = 0
    /** seq → the offset its chunk ends at; replies to other seqs are late ones. */
    const inFlight = new Map<number, number>()
    const replies: Reply[] = []
    let wake: (() => void) | null = null
    const onReply = (reply: Reply) => {
      replies.push(reply)
      wake?.()
    }
    const onAbort = () => wake?.()
    signal?.addEventListener('abort', onAbort)
    try {
      while (acked < image.length) {
        if (signal?.aborted) throw new FlashCancelledError('The flash was cancelled.')
        while (inFlight.size < window && next < image.length) {
          const end = Math.min(next + chunk, image.length)
          const seq = this.#nextSeq()
          inFlight.set(seq, end)
          this.#waiting.set(seq, onReply)
          if (next < furthest) resent++
          furthest = Math.max(furthest, end)
          await this.#write(
            encodeFrame({
              type: 'MODEL_CHUNK',
              seq,
              offset: next,
              bytes: toHex(image.subarray(next, end)),
            }),
          )
          next = end
        }
        const reply =
          replies.shift() ?? (await this.#unlessLost(this.#nextReply(replies, (w) => (wake = w))))
        if (signal?.aborted) throw new FlashCancelledError('The flash was cancelled.')
        if (!reply) {
          // A second of silence: the chunks in flight are lost, or their answers are.
          if (++silences >= this.#tries) {
            throw new DeviceTimeoutError(
              `The device stopped answering during the transfer (at byte ${acked} of ${image.length}, after ${silences} tries of ${this.#replyTimeoutMs / 1000} s). Its previous model stays active; check the cable and try again.`,
            )
          }
          this.#forget(inFlight)
          next = acked
          continue
        }
        if (!inFlight.has(reply.seq)) {
          this.#unrelated++
          continue
        }
        inFlight.delete(reply.seq)
        this.#waiting.delete(reply.seq)
        if (reply.type === 'ACK' && reply.command === FRAME_TYPES.MODEL_CHUNK) {
          silences = 0
          if (reply.next > acked) {
            acked = Math.min(reply.next, image.length)
            onAcked(acked)
          }
        } else if (reply.type === 'NAK' && reply.code === NAK_CODES.OUT_OF_ORDER) {
          // Go back to where the device is; answers to the chunks still in flight are late.
          silences = 0
          this.#forget(inFlight)
          acked = Math.max(acked, Math.min(reply.detail, image.length))
          next = Math.min(reply.detail, image.length)
          onAcked(acked)
        } else if (reply.type === 'NAK') {
          throw refused(reply)
        } else {
          throw unexpected('MODEL_CHUNK', reply)
        }
      }
      return resent
    } finally {
      signal?.removeEventListener('abort', onAbort)
      this.#forget(inFlight)
    }
  }

  /** The next reply pushed to `replies`, or null after a silence of the reply timeout. */
  #nextReply(
    replies: Reply[],
    setWake: (wake: (() => void) | null) => void,
  ): Promise<Reply | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        setWake(null)
        resolve(null)
      }, this.#replyTimeoutMs)
      setWake(() => {
        clearTimeout(timer)
        setWake(null)
        resolve(replies.shift() ?? null)
      })
    })
  }

  #forget(inFlight: Map<number, number>): void {
    for (const seq of inFlight.keys()) this.#waiting.delete(seq)
    inFlight.clear()
  }

  /** Sends `frame` and waits for the reply with its seq, or null after `timeoutMs`. */
  #exchange(frame: Frame, timeoutMs: number): Promise<Reply | null> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(frame.seq)
        resolve(null)
      }, timeoutMs)
      this.#waiting.set(frame.seq, (reply) => {
        clearTimeout(timer)
        this.#waiting.delete(frame.seq)
        resolve(reply)
      })
      Promise.resolve(this.#link.write(encodeFrame(frame))).catch((err: unknown) => {
        clearTimeout(timer)
        this.#waiting.delete(frame.seq)
        reject(linkFailure(err))
      })
    })
  }

  #frame(frame: Frame): void {
    const waiter = REPLY_TYPES.has(frame.type) ? this.#waiting.get(frame.seq) : undefined
    if (waiter) waiter(frame as Reply)
    else {
      this.#unrelated++
      for (const listener of this.#unsolicited) listener(frame)
    }
  }

  #nextSeq(): number {
    // Never 0: the device's unsolicited frames carry 0.
    this.#seq = (this.#seq % 0xffff) + 1
    return this.#seq
  }
}

function refused(nak: FrameOf<'NAK'>): DeviceRefusedError {
  const name = nakCodeName(nak.code)
  const command = Object.entries(FRAME_TYPES).find(([, c]) => c === nak.command)?.[0]
  const meaning = (name && NAK_MEANINGS[name]) ?? 'the device refused it'
  const said = nak.message.trim()
  const detail = name ? detailOf(name, nak.detail) : null
  return new DeviceRefusedError(
    nak.command,
    name ?? nak.code,
    nak.detail,
    said,
    `The device refused ${command ?? `command ${nak.command}`} (${name ?? `code ${nak.code}`}): ${said || meaning}${detail ? ` (${detail})` : ''}.`,
  )
}

/** What a NAK's detail says, in words, where it says something to people. */
function detailOf(code: NakCodeName, detail: number): string | null {
  const bytes = (n: number) => `${n.toLocaleString('en-US')} bytes`
  switch (code) {
    case 'TOO_LARGE':
      return `a slot holds ${bytes(detail)}`
    case 'ARENA_TOO_SMALL':
      return `the model needs ${bytes(detail)} of arena`
    case 'CRC_MISMATCH':
      return `what arrived has CRC-32 ${(detail >>> 0).toString(16).padStart(8, '0')}`
    case 'UNSUPPORTED_RATE':
      return `the nearest rate is ${detail} Hz`
    default:
      return null
  }
}

function unexpected(command: string, reply: Frame): DeviceError {
  return new DeviceError(`The device answered ${command} with an unexpected ${reply.type}.`)
}

/** A write the link refused (the port closed or vanished, as a pulled cable does), in words. */
function linkFailure(err: unknown): DeviceError {
  const reason = err instanceof Error ? err.message : String(err)
  return new DeviceError(`The device went away while sending (${reason}).`)
}

/** A serial port (or pseudo-terminal) as a link. Baud rates do not matter on USB or a pty. */
export async function openSerialLink(path: string, baudRate = 921_600): Promise<ClosableLink> {
  const port = new SerialPort({ path, baudRate, autoOpen: false })
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())))
  return {
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        port.write(Buffer.from(bytes), (err) => (err ? reject(err) : resolve()))
      }),
    subscribe(listener) {
      const onData = (chunk: Buffer) => listener(new Uint8Array(chunk))
      port.on('data', onData)
      return () => port.off('data', onData)
    },
    onLost(listener) {
      let closing = false
      const lost = (why: string) => {
        if (!closing) listener(why)
        closing = true
      }
      port.once('close', (err: Error | null) =>
        lost(err ? `${path} closed: ${err.message}` : `${path} closed`),
      )
      port.once('error', (err: Error) => lost(`${path}: ${err.message}`))
    },
    close: () =>
      new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  }
}
