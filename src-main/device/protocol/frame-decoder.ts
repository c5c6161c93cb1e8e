import { cobsDecodeInto } from './cobs.js'
import { crc32 } from './crc32.js'
import {
  decodeBody,
  FRAME_OVERHEAD,
  type Frame,
  MalformedFrameError,
  MAX_BODY,
  MAX_ENCODED_BYTES,
} from './frames.js'

/** Why a frame was dropped: the framing's reasons, then the app's own two. */
export type DropReason = 'crc' | 'cobs' | 'oversize' | 'short' | 'malformed' | 'unknownType'
export const DROP_REASONS: readonly DropReason[] = [
  'crc',
  'cobs',
  'oversize',
  'short',
  'malformed',
  'unknownType',
]

export interface FrameDecoderCounters {
  /** Frames decoded. */
  frames: number
  /** Frames dropped, all reasons together. */
  dropped: number
  droppedBy: Record<DropReason, number>
  /** Every byte pushed is in exactly one of these (or still held, `heldBytes`). */
  bytes: {
    /** Bytes of decoded frames, their zero included. */
    frames: number
    /** Bytes of dropped frames, their zero included. */
    dropped: number
    /** Zeros ending nothing (empty frames, ignored silently). */
    idle: number
  }
}

export interface FrameDecoderOptions {
  /** The largest body accepted (the device's `maxBody`); bigger frames are `oversize`. */
  maxBody?: number
}

/**
 * Splits a byte stream into frames at each `0x00`, COBS-decodes and CRC-checks them, and reads
 * their fields. Garbage costs at most the frame it hit: decoding resumes at the next zero. Each
 * dropped frame is counted by reason, and its bytes too. It holds at most one encoded frame
 * (MAX_ENCODED_BYTES) whatever it is fed; past that it only counts until the next zero.
 */
export class FrameDecoder {
  readonly #maxFrame: number
  /** The encoded frame so far (no zero yet). */
  readonly #held = new Uint8Array(MAX_ENCODED_BYTES)
  #heldLength = 0
  /** Over MAX_ENCODED_BYTES: skipping to the next zero, counting this many bytes. */
  #skipping = 0
  readonly #decoded = new Uint8Array(MAX_ENCODED_BYTES)
  readonly counters: FrameDecoderCounters = {
    frames: 0,
    dropped: 0,
    droppedBy: { crc: 0, cobs: 0, oversize: 0, short: 0, malformed: 0, unknownType: 0 },
    bytes: { frames: 0, dropped: 0, idle: 0 },
  }

  constructor(options: FrameDecoderOptions = {}) {
    this.#maxFrame = FRAME_OVERHEAD + (options.maxBody ?? MAX_BODY)
  }

  /** Bytes kept in memory for the unfinished frame: at most MAX_ENCODED_BYTES. */
  get bufferedBytes(): number {
    return this.#heldLength
  }

  /** Bytes of an unfinished frame not yet accounted for, until its zero arrives. */
  get heldBytes(): number {
    return this.#heldLength + this.#skipping
  }

  /** Calls `onFrame` for each frame `bytes` completes, in order. */
  push(bytes: Uint8Array, onFrame: (frame: Frame) => void): void {
    let start = 0
    while (start < bytes.length) {
      const zero = bytes.indexOf(0, start)
      const end = zero < 0 ? bytes.length : zero
      this.#hold(bytes, start, end)
      if (zero < 0) return
      this.#end(onFrame)
      start = zero + 1
    }
  }

  /**
   * The input ended: what is held without its zero is dropped (a frame cut short), so every
   * byte is accounted for.
   */
  flush(): void {
    if (this.heldBytes === 0) return
    this.counters.bytes.dropped += this.heldBytes
    this.#drop(this.#skipping > 0 ? 'oversize' : 'short')
    this.#heldLength = 0
    this.#skipping = 0
  }

  #hold(bytes: Uint8Array, start: number, end: number): void {
    const n = end - start
    if (n === 0) return
    if (this.#skipping > 0) {
      this.#skipping += n
    } else if (this.#heldLength + n > MAX_ENCODED_BYTES) {
      this.#skipping = this.#heldLength + n
      this.#heldLength = 0
    } else {
      this.#held.set(bytes.subarray(start, end), this.#heldLength)
      this.#heldLength += n
    }
  }

  /** A zero: the held bytes are one frame. */
  #end(onFrame: (frame: Frame) => void): void {
    const encodedBytes = this.heldBytes + 1
    const frame = this.#frame()
    this.#heldLength = 0
    this.#skipping = 0
    if (frame === 'idle') {
      this.counters.bytes.idle++
    } else if (typeof frame === 'string') {
      this.counters.bytes.dropped += encodedBytes
      this.#drop(frame)
    } else {
      this.counters.bytes.frames += encodedBytes
      this.counters.frames++
      onFrame(frame)
    }
  }

  #frame(): Frame | DropReason | 'idle' {
    if (this.#skipping > 0) return 'oversize'
    if (this.#heldLength === 0) return 'idle'
    const n = cobsDecodeInto(this.#held, 0, this.#heldLength, this.#decoded)
    if (n < 0) return 'cobs'
    if (n > this.#maxFrame) return 'oversize'
    if (n < FRAME_OVERHEAD) return 'short'
    const d = this.#decoded
    const view = new DataView(d.buffer, 0, n)
    if (crc32(d.subarray(0, n - 4)) !== view.getUint32(n - 4, true)) return 'crc'
    try {
      return decodeBody(d[0] as number, view.getUint16(1, true), d.slice(3, n - 4)) ?? 'unknownType'
    } catch (err) {
      if (err instanceof MalformedFrameError) return 'malformed'
      throw err
    }
  }

  #drop(reason: DropReason): void {
    this.counters.dropped++
    this.counters.droppedBy[reason]++
  }
}
