import type { TextFormat } from './text-decoder.js'

/**
 * The seam between a device's bytes and the recorder. A decoder turns the bytes as they arrive
 * into batches of samples, detects (or is told) the format and the channels, counts what it had
 * to skip, and hands on what the device says besides samples. It is a pure function of the bytes
 * it was given, so it can be tested and fuzzed without a device.
 *
 * `LineDecoder` (text-decoder.ts) is the decoder for the text formats, `BinaryDecoder`
 * (binary-decoder.ts) the one for the TinyLoop binary frames (docs/protocol.md): a hello frame
 * gives the channel schema and rate, data frames carry sequence numbers and device timestamps,
 * and inference result and log frames are messages. `AutoDecoder` tells them apart.
 */
export interface SampleDecoder {
  /** Decodes what `bytes` completes; what is left over waits for the next call. */
  push(bytes: Buffer): DecodedBatch
  /**
   * The input ended (unplugged, stopped): decodes what was held back, such as an unfinished last
   * line, deciding the format from what was seen if it is still undecided.
   */
  flush(): DecodedBatch
  /** The format detected or forced; null while detecting. */
  readonly format: SampleFormat | null
  /** The channels (and the rate, if the device declares it); null until known. */
  readonly schema: ChannelSchema | null
  /** Input skipped so far, by reason. */
  readonly counters: RejectCounters
  /**
   * What to send the device, for formats where the host speaks first (a binary device streams
   * only when asked). The capture session calls it when the link opens or comes back (`open`),
   * after each push (`data`) and before it closes (`close`), and writes what it returns. Text
   * formats send nothing.
   */
  talk?(moment: TalkMoment): Uint8Array | null
}

export type TalkMoment = 'open' | 'data' | 'close'

/** The formats any decoder reports: the text formats and the binary frames. */
export type SampleFormat = TextFormat | 'binary'

/** What the samples are: known once detected (text), or declared (a hello frame). */
export interface ChannelSchema {
  /** Channel names, in the order of the interleaved values. */
  channels: string[]
  /** The rate the device declares, Hz; absent when it has to be measured from arrivals. */
  rateHz?: number
}

/**
 * The samples decoded from one push. Its arrays may be reused by the next call: the recorder
 * copies what it keeps.
 */
export interface DecodedBatch {
  /** Interleaved values, `samples x channels`, in the order of `schema.channels`. */
  values: Float32Array
  samples: number
  /**
   * Where the samples sit on the device's clock, for formats that say (frames; text lines do
   * not): one mark per frame, in order. The recorder times samples by `deviceTimeUs` instead of
   * by arrival, and counts a jump in `sequence` as lost frames (a gap).
   */
  frames?: FrameMark[]
  /** What the device said besides samples, in the order it said it. */
  messages?: DeviceMessage[]
}

/** One frame of samples: its place in the batch, its number and its time on the device. */
export interface FrameMark {
  /** Index in the batch of the frame's first sample. */
  firstSample: number
  /** Counts up by one per frame sent (wrapping as the protocol says); a jump means lost frames. */
  sequence: number
  /** Device time of the frame's first sample, µs. */
  deviceTimeUs: number
}

/** Non-sample messages, passed on by the recorder as they come. */
export type DeviceMessage =
  | { kind: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; text: string }
  | {
      kind: 'inference'
      /** Device time of the end of the window it classified, µs. */
      deviceTimeUs: number
      /** The CRC-32 of the model image that ran. */
      modelCrc32: number
      /** The model's int8 output tensor, one value per class in its order. */
      outputs: number[]
      /** An anomaly score, for models that have one. */
      score: number | null
      latencyUs: number
      /** Instructions taken, where the device counts them; 0 otherwise. */
      instructions: number
    }

/**
 * Input that did not decode, counted and skipped. Each decoder has its own reasons (text:
 * `malformed`, `channelCount`, `overlong`); every reason it has is present, zero or not, so the
 * counts read the same whatever happened.
 */
export interface RejectCounters {
  /** Units skipped (lines, frames), all reasons together. */
  rejected: number
  rejectedBy: Record<string, number>
}
