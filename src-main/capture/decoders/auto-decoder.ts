import { BinaryDecoder } from './binary-decoder.js'
import type {
  ChannelSchema,
  DecodedBatch,
  RejectCounters,
  SampleDecoder,
  SampleFormat,
  TalkMoment,
} from './sample-decoder.js'
import { LineDecoder } from './text-decoder.js'

/**
 * Tells the binary frames from the text formats: the bytes go to both decoders until one
 * decides. A CRC-valid device frame before the text decoder has settled its format (its first 12
 * lines) makes the stream binary; otherwise it is text, and stays so. Text almost never holds a
 * zero byte, so the frame decoder sees no frame in it at all; a stretch of text between two
 * zeros passes the CRC-32 with probability 2^-32 (about 2.3 × 10^-10). While undecided it asks
 * the device for a hello (`HELLO_REQ`), which a binary device answers and a text one ignores.
 */
export class AutoDecoder implements SampleDecoder {
  readonly #text = new LineDecoder('auto')
  readonly #binary = new BinaryDecoder()
  #chosen: SampleDecoder | null = null

  get format(): SampleFormat | null {
    return this.#chosen?.format ?? null
  }

  get schema(): ChannelSchema | null {
    return this.#chosen?.schema ?? null
  }

  /** The text decoder's while detecting (most devices print text), then the chosen one's. */
  get counters(): RejectCounters {
    return (this.#chosen ?? this.#text).counters
  }

  push(bytes: Buffer): DecodedBatch {
    if (this.#chosen) return this.#chosen.push(bytes)
    const binary = this.#binary.push(bytes)
    if (this.#binary.sawDeviceFrame) return this.#choose(this.#binary, binary)
    const text = this.#text.push(bytes)
    return this.#text.format !== null ? this.#choose(this.#text, text) : text
  }

  flush(): DecodedBatch {
    if (this.#chosen) return this.#chosen.flush()
    this.#binary.flush()
    const text = this.#text.flush()
    return this.#text.format !== null ? this.#choose(this.#text, text) : text
  }

  talk(moment: TalkMoment): Uint8Array | null {
    return (this.#chosen ?? this.#binary).talk?.(moment) ?? null
  }

  #choose(decoder: SampleDecoder, batch: DecodedBatch): DecodedBatch {
    this.#chosen = decoder
    return batch
  }
}
