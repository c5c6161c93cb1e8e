/** Longest line accepted; anything longer is garbage or a runaway device and is skipped. */
export const MAX_LINE_BYTES = 64 * 1024

const LF = 0x0a
const CR = 0x0d

/**
 * Splits a byte stream into lines (LF, CRLF or CR), keeping the unfinished tail between pushes.
 * Lines over MAX_LINE_BYTES are dropped and counted, including the rest of such a line.
 */
export class LineSplitter {
  #tail: Buffer = Buffer.alloc(0)
  #skippingLongLine = false
  /** Lines dropped for being too long. */
  overlong = 0

  /** Calls `onLine(bytes, start, end)` for each complete line in `chunk`, without copying. */
  push(chunk: Buffer, onLine: (bytes: Buffer, start: number, end: number) => void): void {
    let bytes = chunk
    if (this.#tail.length > 0) {
      bytes = Buffer.concat([this.#tail, chunk])
      this.#tail = Buffer.alloc(0)
    }
    let start = 0
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]
      if (b !== LF && b !== CR) continue
      if (this.#skippingLongLine) this.#skippingLongLine = false
      else if (i - start > MAX_LINE_BYTES) this.overlong++
      else if (i > start) onLine(bytes, start, i)
      start = i + 1
    }
    const rest = bytes.length - start
    if (this.#skippingLongLine) return
    if (rest > MAX_LINE_BYTES) {
      this.overlong++
      this.#skippingLongLine = true
    } else if (rest > 0) {
      this.#tail = Buffer.from(bytes.subarray(start))
    }
  }

  /** Bytes kept for the unfinished last line: at most MAX_LINE_BYTES. */
  get heldBytes(): number {
    return this.#tail.length
  }

  /** The unfinished last line, if any (e.g. when the device is unplugged mid-line). */
  takeTail(): Buffer {
    const tail = this.#tail
    this.#tail = Buffer.alloc(0)
    return tail
  }
}
