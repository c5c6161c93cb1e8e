/**
 * The app's own feature functions on an interleaved window, one channel at a time as
 * src-main/dataset/build.ts calls them, rounded to float32 as the dataset stores them.
 */
import {
  resampleInto,
  snapshotOf,
  SpectralScratch,
  spectralOf,
  STATS,
  statsOf,
} from '../../../src-main/dataset/features.js'
import type { GoldenRawWindow } from './golden-windows.js'
import type { InterleavedWindow } from './harness.js'

function columnsOf({ samples, channels }: InterleavedWindow): Float32Array[] {
  const count = samples.length / channels
  return Array.from({ length: channels }, (_, c) =>
    Float32Array.from({ length: count }, (_, i) => samples[i * channels + c] as number),
  )
}

export function snapshotReference(window: InterleavedWindow, previous: Float32Array) {
  return Float32Array.from(columnsOf(window), (column, c) =>
    snapshotOf(column, 0, column.length, previous[c] as number),
  )
}

export function statsReference(window: InterleavedWindow, previous: Float32Array) {
  const out = new Float64Array(window.channels * STATS.length)
  columnsOf(window).forEach((column, c) =>
    statsOf(column, 0, column.length, previous[c] as number, out, c * STATS.length),
  )
  return Float32Array.from(out)
}

const scratch = new SpectralScratch()

export function spectralReference(window: InterleavedWindow, bands: number) {
  const out = new Float64Array(window.channels * bands)
  columnsOf(window).forEach((column, c) =>
    spectralOf(column, 0, column.length, bands, scratch, out, c * bands),
  )
  return Float32Array.from(out)
}

export function rawReference(window: GoldenRawWindow) {
  const row = new Float64Array(window.length * window.outStride)
  for (let c = 0; c < window.channels; c++) {
    resampleInto(
      window.times,
      window.samples,
      window.channels,
      c,
      0,
      window.startUs,
      window.endUs,
      window.length,
      row,
      window.offset + c,
      window.outStride,
    )
  }
  return Float32Array.from(row)
}
