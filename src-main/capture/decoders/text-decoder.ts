import { LineSplitter } from './line-splitter.js'
import { parseNumber } from './parse-number.js'
import type { ChannelSchema, DecodedBatch, SampleDecoder } from './sample-decoder.js'

/** The plain-text formats a device may print, one sample per line. */
export type TextFormat = 'csv' | 'plotter'
export type FormatChoice = TextFormat | 'auto'

/** Why a line was skipped; each reason is counted and shown to the user. */
export type RejectReason = 'malformed' | 'channelCount' | 'overlong'

export interface DecoderCounters {
  lines: number
  samples: number
  rejected: number
  rejectedBy: Record<RejectReason, number>
}

/** Lines looked at before deciding the format and the channels. */
const DETECTION_LINES = 12
const TAB = 0x09
const SPACE = 0x20
const COMMA = 0x2c
const SEMICOLON = 0x3b
const COLON = 0x3a

interface Field {
  start: number
  end: number
}

/**
 * Decodes the text a device prints into samples: numbers separated by commas, semicolons, tabs or
 * spaces (the Edge Impulse data-forwarder format) with an optional header line of channel names,
 * or Arduino Serial Plotter lines (`name:value,name:value`). With `auto`, the format, separator,
 * channel count and names are decided from the first lines, so a truncated first line or a
 * header does not confuse it. Lines that do not fit (garbage bytes, a changed channel count, a
 * half line) are counted and skipped; decoding goes on.
 */
export class LineDecoder implements SampleDecoder {
  readonly #splitter = new LineSplitter()
  #format: TextFormat | null = null
  #separator: number | null = null
  #channelNames: string[] | null = null
  #pending: Buffer[] = []
  #out = new Float32Array(3 * 1024)
  #outSamples = 0
  readonly #fields: Field[] = []
  #labelCache: { names: string[]; bytes: Buffer[] } | null = null
  readonly counters: DecoderCounters = {
    lines: 0,
    samples: 0,
    rejected: 0,
    rejectedBy: { malformed: 0, channelCount: 0, overlong: 0 },
  }

  constructor(format: FormatChoice = 'auto', channelNames?: string[]) {
    if (format !== 'auto') this.#format = format
    if (channelNames?.length) this.#channelNames = channelNames
  }

  get format(): TextFormat | null {
    return this.#format
  }

  /** Channel names (from the header, the plotter labels, or ch1..chN); null until detected. */
  get channelNames(): string[] | null {
    return this.#channelNames
  }

  /** Bytes kept between pushes: the unfinished line and the lines waiting for detection. */
  get heldBytes(): number {
    return this.#splitter.heldBytes + this.#pending.reduce((n, line) => n + line.length, 0)
  }

  get schema(): ChannelSchema | null {
    return this.#ready ? { channels: this.#channelNames as string[] } : null
  }

  get #ready(): boolean {
    if (this.#format === null || this.#channelNames === null) return false
    return this.#format === 'plotter' || this.#separator !== null
  }

  /** Decodes the complete lines in `chunk`; the values are valid until the next call. */
  push(chunk: Buffer): DecodedBatch {
    this.#outSamples = 0
    const before = this.#splitter.overlong
    this.#splitter.push(chunk, (bytes, start, end) => this.#line(bytes, start, end))
    this.#reject('overlong', this.#splitter.overlong - before)
    if (!this.#ready && this.#pending.length >= DETECTION_LINES) this.#detect()
    return this.#result()
  }

  /**
   * Decides the format with the lines seen so far (e.g. when a device sends few lines) and
   * decodes them. Also decodes an unfinished last line, as when the device is unplugged.
   */
  flush(): DecodedBatch {
    this.#outSamples = 0
    const tail = this.#splitter.takeTail()
    if (tail.length) this.#line(tail, 0, tail.length)
    if (!this.#ready && this.#pending.length > 0) this.#detect()
    return this.#result()
  }

  #result(): DecodedBatch {
    const channels = this.#channelNames?.length ?? 0
    this.counters.samples += this.#outSamples
    return { values: this.#out.subarray(0, this.#outSamples * channels), samples: this.#outSamples }
  }

  #line(bytes: Buffer, start: number, end: number): void {
    // Trim spaces and tabs at both ends.
    while (start < end && (bytes[start] === SPACE || bytes[start] === TAB)) start++
    while (end > start && (bytes[end - 1] === SPACE || bytes[end - 1] === TAB)) end--
    if (start === end) return
    this.counters.lines++
    if (!this.#ready) {
      this.#pending.push(Buffer.from(bytes.subarray(start, end)))
      return
    }
    this.#decodeLine(bytes, start, end)
  }

  #decodeLine(bytes: Buffer, start: number, end: number): void {
    if (this.#format === 'plotter') this.#plotterLine(bytes, start, end)
    else this.#csvLine(bytes, start, end)
  }

  #csvLine(bytes: Buffer, start: number, end: number): void {
    const fields = splitFields(bytes, start, end, this.#separator as number, this.#fields)
    const channels = (this.#channelNames as string[]).length
    if (fields !== channels) {
      // A repeated header (the device restarted) is not data, and not an error either.
      if (this.#isHeaderLine(bytes, fields)) return
      const allNumbers = this.#fields
        .slice(0, fields)
        .every((f) => !Number.isNaN(parseNumber(bytes, f.start, f.end)))
      return this.#reject(allNumbers ? 'channelCount' : 'malformed')
    }
    const at = this.#reserve(channels)
    for (let c = 0; c < channels; c++) {
      const field = this.#fields[c] as Field
      const value = parseNumber(bytes, field.start, field.end)
      if (!fitsFloat32(value)) return this.#reject('malformed')
      this.#out[at + c] = value
    }
    this.#outSamples++
  }

  /** The plotter labels as bytes, compared in place without making strings. */
  get #labelBytes(): Buffer[] {
    const names = this.#channelNames as string[]
    if (this.#labelCache?.names !== names) {
      this.#labelCache = { names, bytes: names.map((n) => Buffer.from(n, 'latin1')) }
    }
    return this.#labelCache.bytes
  }

  #plotterLine(bytes: Buffer, start: number, end: number): void {
    const names = this.#channelNames as string[]
    const fields = splitPlotterFields(bytes, start, end, this.#fields)
    if (fields !== names.length) return this.#reject('channelCount')
    const at = this.#reserve(names.length)
    for (let c = 0; c < fields; c++) {
      const field = this.#fields[c] as Field
      const colon = bytes.indexOf(COLON, field.start)
      if (colon < 0 || colon >= field.end) return this.#reject('malformed')
      if ((this.#labelBytes[c] as Buffer).compare(bytes, field.start, colon) !== 0) {
        return this.#reject('channelCount')
      }
      const value = parseNumber(bytes, colon + 1, field.end)
      if (!fitsFloat32(value)) return this.#reject('malformed')
      this.#out[at + c] = value
    }
    this.#outSamples++
  }

  #isHeaderLine(bytes: Buffer, fields: number): boolean {
    const names = this.#channelNames as string[]
    if (fields !== names.length) return false
    return this.#fields
      .slice(0, fields)
      .every((f, i) => bytes.toString('utf8', f.start, f.end) === names[i])
  }

  /** Decides format, separator and channels from the buffered first lines, then decodes them. */
  #detect(): void {
    const lines = this.#pending
    this.#pending = []
    const shapes = lines.map(classify)
    if (this.#format === null) {
      const plotter = shapes.filter((s) => s.kind === 'plotter').length
      const numeric = shapes.filter((s) => s.kind === 'numeric').length
      if (plotter === 0 && numeric === 0) {
        // Nothing usable yet: count what was seen and wait for more.
        this.#reject('malformed', lines.length)
        return
      }
      this.#format = plotter > numeric ? 'plotter' : 'csv'
    }
    if (this.#format === 'plotter') {
      const labels = mostCommon(
        shapes.filter((s) => s.kind === 'plotter').map((s) => s.labels.join('\u0000')),
      )
      this.#channelNames ??= labels ? labels.split('\u0000') : null
    } else {
      const numeric = shapes.filter((s) => s.kind === 'numeric')
      const shape = mostCommon(numeric.map((s) => `${s.separator}:${s.fields}`))
      if (!shape) {
        this.#reject('malformed', lines.length)
        return
      }
      const [separator, fields] = shape.split(':').map(Number) as [number, number]
      this.#separator = separator
      if (this.#channelNames?.length !== fields) this.#channelNames = null
      const header = shapes.find(
        (s, i) =>
          s.kind === 'header' &&
          s.names.length === fields &&
          shapes.slice(i + 1).some((n) => n.kind === 'numeric'),
      )
      this.#channelNames ??=
        header?.kind === 'header'
          ? header.names
          : Array.from({ length: fields }, (_, i) => `ch${i + 1}`)
    }
    if (!this.#channelNames) return
    lines.forEach((line, i) => {
      const shape = shapes[i]
      if (shape?.kind === 'header') return
      const rejectedBefore = this.counters.rejected
      this.#decodeLine(line, 0, line.length)
      // A first line that does not fit is the tail of a line sent before the port was opened.
      if (i === 0 && this.counters.rejected > rejectedBefore) this.#unreject()
    })
  }

  #reserve(channels: number): number {
    const at = this.#outSamples * channels
    if (at + channels > this.#out.length) {
      const grown = new Float32Array(this.#out.length * 2)
      grown.set(this.#out)
      this.#out = grown
    }
    return at
  }

  #reject(reason: RejectReason, count = 1): void {
    if (count <= 0) return
    this.counters.rejected += count
    this.counters.rejectedBy[reason] += count
  }

  #unreject(): void {
    this.counters.rejected--
    const by = this.counters.rejectedBy
    if (by.channelCount > 0) by.channelCount--
    else by.malformed--
  }
}

type LineShape =
  | { kind: 'numeric'; separator: number; fields: number }
  | { kind: 'plotter'; labels: string[] }
  | { kind: 'header'; names: string[] }
  | { kind: 'garbage' }

function classify(line: Buffer): LineShape {
  const fields: Field[] = []
  if (line.includes(COLON)) {
    const n = splitPlotterFields(line, 0, line.length, fields)
    const labels: string[] = []
    for (const f of fields.slice(0, n)) {
      const colon = line.indexOf(COLON, f.start)
      if (colon <= f.start || colon >= f.end) return { kind: 'garbage' }
      if (Number.isNaN(parseNumber(line, colon + 1, f.end))) return { kind: 'garbage' }
      labels.push(line.toString('latin1', f.start, colon))
    }
    return { kind: 'plotter', labels }
  }
  const separator = line.includes(COMMA)
    ? COMMA
    : line.includes(SEMICOLON)
      ? SEMICOLON
      : line.includes(TAB)
        ? TAB
        : SPACE
  const n = splitFields(line, 0, line.length, separator, fields)
  const texts = fields.slice(0, n).map((f) => line.toString('utf8', f.start, f.end))
  if (fields.slice(0, n).every((f) => !Number.isNaN(parseNumber(line, f.start, f.end)))) {
    return { kind: 'numeric', separator, fields: n }
  }
  if (texts.every((t) => /^[\p{L}_][\p{L}\p{N}_ .()/-]{0,63}$/u.test(t))) {
    return { kind: 'header', names: texts }
  }
  return { kind: 'garbage' }
}

/** Splits on `separator` (runs of spaces/tabs count as one when it is a space); trims fields. */
function splitFields(
  bytes: Buffer,
  start: number,
  end: number,
  separator: number,
  out: Field[],
): number {
  let count = 0
  let fieldStart = start
  const whitespace = separator === SPACE || separator === TAB
  for (let i = start; i <= end; i++) {
    const b = i < end ? bytes[i] : separator
    const isSeparator = whitespace ? b === SPACE || b === TAB : b === separator
    if (!isSeparator) continue
    let s = fieldStart
    let e = i
    while (s < e && (bytes[s] === SPACE || bytes[s] === TAB)) s++
    while (e > s && (bytes[e - 1] === SPACE || bytes[e - 1] === TAB)) e--
    if (!(whitespace && s === e)) setField(out, count++, s, e)
    fieldStart = i + 1
  }
  return count
}

/** Plotter fields are separated by commas, spaces or tabs. */
function splitPlotterFields(bytes: Buffer, start: number, end: number, out: Field[]): number {
  let count = 0
  let fieldStart = start
  for (let i = start; i <= end; i++) {
    const b = i < end ? bytes[i] : COMMA
    if (b !== COMMA && b !== SPACE && b !== TAB) continue
    if (i > fieldStart) setField(out, count++, fieldStart, i)
    fieldStart = i + 1
  }
  return count
}

function setField(out: Field[], index: number, start: number, end: number): void {
  const field = out[index]
  if (field) {
    field.start = start
    field.end = end
  } else {
    out[index] = { start, end }
  }
}

/** Samples are stored as float32: a value beyond its range would become Infinity. */
function fitsFloat32(value: number): boolean {
  return Math.abs(value) <= 3.4028234663852886e38
}

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  let best: string | undefined
  let bestCount = 0
  for (const [v, c] of counts) {
    if (c > bestCount) {
      best = v
      bestCount = c
    }
  }
  return best
}
