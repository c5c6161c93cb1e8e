/**
 * Consistent Overhead Byte Stuffing (Cheshire and Baker 1999): a frame becomes bytes with no
 * zero, so one `0x00` can end it and a receiver resynchronizes at the next one. Each block is a
 * code byte `n` (1..255) and `n - 1` data bytes; a zero follows every block except the last and
 * those of code 255. A frame ending in a full block of 254 bytes ends with its code 0xFF block
 * (no empty block of code 1 after it, as some encoders add); decoding accepts both.
 */

/** The longest COBS encoding of `length` bytes (without the delimiter). */
export function cobsEncodedLength(length: number): number {
  return length + 1 + Math.floor(Math.max(0, length - 1) / 254)
}

/** `bytes` COBS-encoded, without the final `0x00`. */
export function cobsEncode(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsEncodedLength(bytes.length))
  let codeAt = 0
  let code = 1
  let o = 1
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number
    if (b === 0) {
      out[codeAt] = code
      codeAt = o++
      code = 1
      continue
    }
    out[o++] = b
    code++
    // A full block of 254 ends here; a new one starts only if bytes follow.
    if (code === 0xff && i + 1 < bytes.length) {
      out[codeAt] = code
      codeAt = o++
      code = 1
    }
  }
  out[codeAt] = code
  return out.subarray(0, o)
}

/**
 * Decodes `encoded[start, end)` (no zero inside) into `out`, returning the decoded length, or
 * -1 if a code byte points past the end (or `out` is too small).
 */
export function cobsDecodeInto(
  encoded: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
): number {
  let i = start
  let o = 0
  while (i < end) {
    const code = encoded[i] as number
    if (code === 0 || i + code > end) return -1
    i++
    const blockEnd = i + code - 1
    if (o + (blockEnd - i) > out.length) return -1
    while (i < blockEnd) out[o++] = encoded[i++] as number
    if (code !== 0xff && i < end) {
      if (o >= out.length) return -1
      out[o++] = 0
    }
  }
  return o
}

/** `encoded` (no zero inside) decoded, or null if it is not valid COBS. */
export function cobsDecode(encoded: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(encoded.length)
  const n = cobsDecodeInto(encoded, 0, encoded.length, out)
  return n < 0 ? null : out.subarray(0, n)
}
