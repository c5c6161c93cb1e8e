/**
 * Builds native/features/tests/parity_main.c with the host's `cc` and speaks its binary format
 * (described at the top of that file): requests are queued, sent in one run, and each comes back
 * as its own result.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The warnings the device build refuses too (docs/features-c.md). */
export const C_FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Wpedantic', '-Werror', '-O2']

const SOURCES = ['native/features/tinyloop_features.c', 'native/features/tests/parity_main.c']

/** Compiles the harness into a new temporary folder; throws, saying what to do, without `cc`. */
export function buildHarness(): string {
  const binary = join(mkdtempSync(join(tmpdir(), 'tinyloop-features-c-')), 'parity')
  const result = spawnSync('cc', [...C_FLAGS, ...SOURCES, '-lm', '-o', binary], {
    encoding: 'utf8',
  })
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(
      'The C feature parity test needs a C compiler as `cc` on the PATH, and found none. ' +
        'Install one (Debian: apt-get install gcc) and run the test again.',
    )
  }
  if (result.status !== 0) {
    throw new Error(`cc could not build the parity harness:\n${result.stderr}${result.stdout}`)
  }
  return binary
}

const KIND = { snapshot: 1, stats: 2, spectral: 3, raw: 4, normalize: 5, quantize: 6 } as const

/** One window of interleaved samples: `count` samples of `channels` channels each. */
export interface InterleavedWindow {
  samples: Float32Array
  channels: number
}

export interface RawRequest extends InterleavedWindow {
  /** µs, from the last sample at or before startUs (or the stream's first). */
  times: Float64Array
  startUs: number
  endUs: number
  length: number
  /** The row's channel count (every stream's), and this stream's first channel in it. */
  outStride: number
  offset: number
}

type Decoded = Float32Array | Int8Array

/** Requests for one run of the harness; each method returns the index of its result. */
export class HarnessBatch {
  readonly #chunks: Buffer[] = []
  readonly #results: { bytes: number; decode: (bytes: Uint8Array) => Decoded }[] = []

  snapshot(window: InterleavedWindow, previous: Float32Array): number {
    this.#header(KIND.snapshot, countOf(window), window.channels)
    this.#floats(previous, window.samples)
    return this.#expectFloats(window.channels)
  }

  stats(window: InterleavedWindow, previous: Float32Array): number {
    this.#header(KIND.stats, countOf(window), window.channels)
    this.#floats(previous, window.samples)
    return this.#expectFloats(window.channels * 5)
  }

  spectral(window: InterleavedWindow, bands: number): number {
    this.#header(KIND.spectral, countOf(window), window.channels, bands)
    this.#floats(window.samples)
    return this.#expectFloats(window.channels * bands)
  }

  raw(request: RawRequest): number {
    const { channels, length, outStride, offset } = request
    this.#header(KIND.raw, request.times.length, channels, length, outStride, offset)
    this.#chunks.push(Buffer.from(Float64Array.from([request.startUs, request.endUs]).buffer))
    this.#chunks.push(Buffer.from(Float64Array.from(request.times).buffer))
    this.#floats(request.samples)
    return this.#expectFloats(length * outStride)
  }

  normalize(features: Float32Array, mean: readonly number[], std: readonly number[]): number {
    this.#header(KIND.normalize, features.length)
    this.#chunks.push(Buffer.from(Float64Array.from(mean).buffer))
    this.#chunks.push(Buffer.from(Float64Array.from(std).buffer))
    this.#floats(features)
    return this.#expectFloats(features.length)
  }

  quantize(normalized: Float32Array, scale: number, zeroPoint: number): number {
    this.#header(KIND.quantize, normalized.length)
    this.#floats(Float32Array.of(scale))
    this.#chunks.push(Buffer.from(Int32Array.of(zeroPoint).buffer))
    this.#floats(normalized)
    const count = normalized.length
    this.#results.push({ bytes: count, decode: (bytes) => new Int8Array(bytes.buffer) })
    return this.#results.length - 1
  }

  /** Runs `harness` on every queued request; the results in request order. */
  run(harness: string): Decoded[] {
    const result = spawnSync(harness, { input: Buffer.concat(this.#chunks), maxBuffer: 1 << 30 })
    if (result.error) throw result.error
    if (result.status !== 0) throw new Error(`The parity harness failed: ${result.stderr}`)
    const output = result.stdout
    const expected = this.#results.reduce((sum, r) => sum + r.bytes, 0)
    if (output.length !== expected) {
      throw new Error(`The parity harness wrote ${output.length} bytes, not ${expected}.`)
    }
    let at = 0
    return this.#results.map(({ bytes, decode }) => {
      // A copy of its own: a result's offset in the output need not suit a Float32Array.
      return decode(new Uint8Array(output.subarray(at, (at += bytes))))
    })
  }

  #header(kind: number, ...fields: number[]): void {
    this.#chunks.push(Buffer.from(Uint32Array.from([kind, ...fields]).buffer))
  }

  #floats(...arrays: Float32Array[]): void {
    for (const values of arrays) this.#chunks.push(Buffer.from(Float32Array.from(values).buffer))
  }

  #expectFloats(count: number): number {
    this.#results.push({
      bytes: count * 4,
      decode: (bytes) => new Float32Array(bytes.buffer),
    })
    return this.#results.length - 1
  }
}

function countOf(window: InterleavedWindow): number {
  return window.samples.length / window.channels
}
