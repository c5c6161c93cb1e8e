/**
 * Typed arrays <-> SQLite BLOBs. Blobs hold the machine's byte order, little-endian on every
 * platform TinyLoop ships for (x64, arm64).
 */

type FloatArray = Float32Array | Float64Array

/** The bytes of `array`, without copying (SQLite copies them when the statement runs). */
export function blobOf(array: FloatArray): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength)
}

export function float32sOf(blob: Buffer): Float32Array {
  const values = new Float32Array(blob.byteLength / Float32Array.BYTES_PER_ELEMENT)
  copyBlobInto(values, 0, blob)
  return values
}

export function float64sOf(blob: Buffer): Float64Array {
  const values = new Float64Array(blob.byteLength / Float64Array.BYTES_PER_ELEMENT)
  copyBlobInto(values, 0, blob)
  return values
}

/**
 * Copies elements [from, to) of the array stored in `blob` into `target` at element `at`.
 * Copying bytes, rather than viewing the blob as a typed array, works whatever the blob's alignment.
 */
export function copyBlobInto(
  target: FloatArray,
  at: number,
  blob: Buffer,
  from = 0,
  to = blob.byteLength / target.BYTES_PER_ELEMENT,
): void {
  const size = target.BYTES_PER_ELEMENT
  const bytes = new Uint8Array(target.buffer, target.byteOffset + at * size)
  blob.copy(bytes, 0, from * size, to * size)
}
