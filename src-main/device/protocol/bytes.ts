/** A read past the end of a body: the frame is too short for its type (`malformed`). */
export class TruncatedError extends Error {
  constructor() {
    super('The body ends before its fields do.')
  }
}

/** Little-endian fields read in order from a body, every read bounds-checked. */
export class ByteReader {
  readonly #view: DataView
  readonly #bytes: Uint8Array
  #at = 0

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get remaining(): number {
    return this.#bytes.length - this.#at
  }

  #take(n: number): number {
    if (n > this.remaining) throw new TruncatedError()
    const at = this.#at
    this.#at += n
    return at
  }

  u8(): number {
    return this.#view.getUint8(this.#take(1))
  }
  i8(): number {
    return this.#view.getInt8(this.#take(1))
  }
  u16(): number {
    return this.#view.getUint16(this.#take(2), true)
  }
  i16(): number {
    return this.#view.getInt16(this.#take(2), true)
  }
  u32(): number {
    return this.#view.getUint32(this.#take(4), true)
  }
  i32(): number {
    return this.#view.getInt32(this.#take(4), true)
  }
  f32(): number {
    return this.#view.getFloat32(this.#take(4), true)
  }
  f64(): number {
    return this.#view.getFloat64(this.#take(8), true)
  }
  /** A `u64` as a number; beyond 2^53 it would lose precision, so it is refused. */
  u64(): number {
    const at = this.#take(8)
    const low = this.#view.getUint32(at, true)
    const high = this.#view.getUint32(at + 4, true)
    if (high >= 0x200000) throw new TruncatedError()
    return high * 0x1_0000_0000 + low
  }
  bytes(n: number): Uint8Array {
    const at = this.#take(n)
    return this.#bytes.slice(at, at + n)
  }
  /** A length byte and that many bytes of UTF-8 (invalid sequences become U+FFFD). */
  str8(): string {
    return utf8(this.bytes(this.u8()))
  }
  /** What is left, as UTF-8 text. */
  restText(): string {
    return utf8(this.bytes(this.remaining))
  }
}

const decoder = new TextDecoder('utf-8')
const encoder = new TextEncoder()

function utf8(bytes: Uint8Array): string {
  return decoder.decode(bytes)
}

/** Little-endian fields appended in order; grows as needed. */
export class ByteWriter {
  #bytes = new Uint8Array(64)
  #view = new DataView(this.#bytes.buffer)
  #length = 0

  #reserve(n: number): number {
    if (this.#length + n > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + n))
      grown.set(this.#bytes.subarray(0, this.#length))
      this.#bytes = grown
      this.#view = new DataView(grown.buffer)
    }
    const at = this.#length
    this.#length += n
    return at
  }

  u8(value: number): this {
    const v = checkInt(value, 0, 0xff)
    const at = this.#reserve(1)
    this.#view.setUint8(at, v)
    return this
  }
  i8(value: number): this {
    const v = checkInt(value, -0x80, 0x7f)
    const at = this.#reserve(1)
    this.#view.setInt8(at, v)
    return this
  }
  u16(value: number): this {
    const v = checkInt(value, 0, 0xffff)
    const at = this.#reserve(2)
    this.#view.setUint16(at, v, true)
    return this
  }
  i16(value: number): this {
    const v = checkInt(value, -0x8000, 0x7fff)
    const at = this.#reserve(2)
    this.#view.setInt16(at, v, true)
    return this
  }
  u32(value: number): this {
    const v = checkInt(value, 0, 0xffffffff)
    const at = this.#reserve(4)
    this.#view.setUint32(at, v, true)
    return this
  }
  i32(value: number): this {
    const v = checkInt(value, -0x80000000, 0x7fffffff)
    const at = this.#reserve(4)
    this.#view.setInt32(at, v, true)
    return this
  }
  f32(value: number): this {
    const at = this.#reserve(4)
    this.#view.setFloat32(at, value, true)
    return this
  }
  f64(value: number): this {
    const at = this.#reserve(8)
    this.#view.setFloat64(at, value, true)
    return this
  }
  u64(value: number): this {
    checkInt(value, 0, Number.MAX_SAFE_INTEGER)
    const at = this.#reserve(8)
    this.#view.setUint32(at, value % 0x1_0000_0000, true)
    this.#view.setUint32(at + 4, Math.floor(value / 0x1_0000_0000), true)
    return this
  }
  bytes(bytes: Uint8Array): this {
    const at = this.#reserve(bytes.length)
    this.#bytes.set(bytes, at)
    return this
  }
  str8(text: string): this {
    const bytes = encoder.encode(text)
    if (bytes.length > 0xff) throw new RangeError(`"${text.slice(0, 20)}…" is over 255 bytes.`)
    return this.u8(bytes.length).bytes(bytes)
  }
  text(text: string): this {
    return this.bytes(encoder.encode(text))
  }
  zeros(n: number): this {
    this.#reserve(n)
    this.#bytes.fill(0, this.#length - n, this.#length)
    return this
  }

  get length(): number {
    return this.#length
  }

  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#length)
  }
}

function checkInt(value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${value} is not an integer in ${min}..${max}.`)
  }
  return value
}
