import { crc32 as zlibCrc32 } from 'node:zlib'

/**
 * CRC-32/ISO-HDLC (zlib's, Ethernet's, PNG's): the CRC of every frame and of a whole model image
 * (docs/protocol.md). `crc32(bytes, previous)` continues a CRC over more bytes.
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  return zlibCrc32(bytes, previous) >>> 0
}
