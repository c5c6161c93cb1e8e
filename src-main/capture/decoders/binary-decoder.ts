import { type DropReason, FrameDecoder } from '../../device/protocol/frame-decoder.js'
import {
  encodeFrame,
  FIRST_DEVICE_TYPE,
  type Frame,
  FRAME_TYPES,
  type FrameOf,
  LOG_LEVELS,
  nakCodeName,
  SAMPLE_ENCODING,
} from '../../device/protocol/frames.js'
import type {
  ChannelSchema,
  DecodedBatch,
  DeviceMessage,
  FrameMark,
  RejectCounters,
  SampleDecoder,
  TalkMoment,
} from './sample-decoder.js'

/** Why a frame was skipped: the frame decoder's reasons, and those of samples. */
export type BinaryRejectReason =
  | DropReason
  /** `DATA` before any `HELLO`: its channels are not known yet. */
  | 'beforeHello'
  /** `DATA` whose channel count is not the hello's. */
  | 'channelCount'
  /** A host-to-device type sent by the device. */
  | 'wrongDirection'

/** Commands this decoder sends count up from here, apart from a device client's. */
const FIRST_SEQ = 0xf000

/**
 * Decodes the TinyLoop binary protocol (docs/protocol.md) as a recording needs it: `HELLO` gives
 * the channels and the rate, `DATA` the samples with their frame marks (sequence number, device
 * time), `INFERENCE` and `LOG` are messages. A binary device streams only when asked, so it also
 * says what to send it (`talk`): `HELLO_REQ` when the link opens, `START` once a hello is seen,
 * `STOP` before it closes.
 */
export class BinaryDecoder implements SampleDecoder {
  readonly format = 'binary' as const
  readonly #frames = new FrameDecoder()
  #hello: FrameOf<'HELLO'> | null = null
  #schema: ChannelSchema | null = null
  #started = false
  #sawDeviceFrame = false
  #seq = FIRST_SEQ
  #out = new Float32Array(3 * 1024)
  #outSamples = 0
  #marks: FrameMark[] = []
  #messages: DeviceMessage[] = []
  readonly #own = { beforeHello: 0, channelCount: 0, wrongDirection: 0 }

  get schema(): ChannelSchema | null {
    return this.#schema
  }

  /** The device's last `HELLO`, null before one. */
  get hello(): FrameOf<'HELLO'> | null {
    return this.#hello
  }

  /**
   * Whether a CRC-valid device frame has been decoded: the stream is binary. (Host frames do not
   * count: a text device echoing what it is sent would echo our `HELLO_REQ`.)
   */
  get sawDeviceFrame(): boolean {
    return this.#sawDeviceFrame
  }

  /** The frame decoder's byte counts: every byte pushed is in one of them. */
  get bytes(): FrameDecoder['counters']['bytes'] & { held: number; buffered: number } {
    const frames = this.#frames
    return { ...frames.counters.bytes, held: frames.heldBytes, buffered: frames.bufferedBytes }
  }

  get counters(): RejectCounters & { rejectedBy: Record<BinaryRejectReason, number> } {
    const dropped = this.#frames.counters
    const own = this.#own
    return {
      rejected: dropped.dropped + own.beforeHello + own.channelCount + own.wrongDirection,
      rejectedBy: { ...dropped.droppedBy, ...own },
    }
  }

  push(bytes: Buffer): DecodedBatch {
    this.#begin()
    this.#frames.push(bytes, (frame) => this.#frame(frame))
    return this.#result()
  }

  flush(): DecodedBatch {
    this.#begin()
    this.#frames.flush()
    return this.#result()
  }

  talk(moment: TalkMoment): Uint8Array | null {
    switch (moment) {
      case 'open':
        // The device may have restarted: it is asked again, and started once it answers.
        this.#started = false
        // A lone zero first ends whatever the device was holding.
        return concat([Uint8Array.of(0), this.#command({ type: 'HELLO_REQ' })])
      case 'data':
        if (this.#started || this.#hello === null) return null
        this.#started = true
        return this.#command({ type: 'START' })
      case 'close':
        if (!this.#started) return null
        this.#started = false
        return this.#command({ type: 'STOP' })
    }
  }

  #command(frame: { type: 'HELLO_REQ' | 'START' | 'STOP' }): Uint8Array {
    const seq = this.#seq
    this.#seq = this.#seq === 0xffff ? FIRST_SEQ : this.#seq + 1
    return encodeFrame({ ...frame, seq })
  }

  #begin(): void {
    this.#outSamples = 0
    this.#marks = []
    this.#messages = []
  }

  #result(): DecodedBatch {
    const channels = this.#schema?.channels.length ?? 0
    const batch: DecodedBatch = {
      values: this.#out.subarray(0, this.#outSamples * channels),
      samples: this.#outSamples,
    }
    if (this.#marks.length) batch.frames = this.#marks
    if (this.#messages.length) batch.messages = this.#messages
    return batch
  }

  #frame(frame: Frame): void {
    this.#sawDeviceFrame ||= FRAME_TYPES[frame.type] >= FIRST_DEVICE_TYPE
    switch (frame.type) {
      case 'HELLO':
        this.#hello = frame
        // The recording keeps the channels of the first hello; a later one may change the rate.
        this.#schema = {
          channels: this.#schema?.channels ?? frame.channels,
          ...(frame.rateHz > 0 && Number.isFinite(frame.rateHz) ? { rateHz: frame.rateHz } : {}),
        }
        return
      case 'DATA':
        return this.#data(frame)
      case 'INFERENCE':
        this.#messages.push({
          kind: 'inference',
          deviceTimeUs: frame.windowEndUs,
          modelCrc32: frame.modelCrc32,
          outputs: frame.outputs,
          score: Number.isNaN(frame.score) ? null : frame.score,
          latencyUs: frame.latencyUs,
          instructions: frame.instructions,
        })
        return
      case 'LOG':
        this.#messages.push({
          kind: 'log',
          level: LOG_LEVELS[frame.level] ?? 'info',
          text: frame.text,
        })
        return
      case 'NAK':
        this.#messages.push({
          kind: 'log',
          level: 'error',
          text: `The device refused command 0x${frame.command.toString(16)} (${nakCodeName(frame.code) ?? frame.code})${frame.message ? `: ${frame.message}` : ''}`,
        })
        return
      case 'ACK':
        return
      default:
        this.#own.wrongDirection++
    }
  }

  #data(frame: FrameOf<'DATA'>): void {
    const schema = this.#schema
    if (schema === null) {
      this.#own.beforeHello++
      return
    }
    const channels = schema.channels.length
    if (frame.channels !== channels) {
      this.#own.channelCount++
      return
    }
    const at = this.#reserve(frame.count * channels)
    const scale = frame.encoding === SAMPLE_ENCODING.i16 ? frame.scale : 1
    const values = frame.values
    for (let i = 0; i < values.length; i++) this.#out[at + i] = (values[i] as number) * scale
    this.#marks.push({
      firstSample: this.#outSamples,
      sequence: frame.seq,
      deviceTimeUs: frame.timeUs,
    })
    this.#outSamples += frame.count
  }

  #reserve(values: number): number {
    const channels = this.#schema?.channels.length ?? 1
    const at = this.#outSamples * channels
    if (at + values > this.#out.length) {
      const grown = new Float32Array(Math.max(this.#out.length * 2, at + values))
      grown.set(this.#out.subarray(0, at))
      this.#out = grown
    }
    return at
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]))
}
