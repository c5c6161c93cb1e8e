import { zipSync } from 'fflate'
import type { BuiltDataset } from './build.js'

const COLUMNS = ['recording', 'start_ms', 'end_ms', 'label', 'split']

/** One row per window: recording, start_ms, end_ms, label (class name), split, then features. */
export function datasetCsv(built: BuiltDataset, names: ReadonlyMap<number, string>): string {
  const width = built.featureNames.length
  const lines = [[...COLUMNS, ...built.featureNames].map(csvCell).join(',')]
  built.windows.forEach((w, row) => {
    const cells = [
      String(w.recordingId),
      String(w.startUs / 1000),
      String(w.endUs / 1000),
      csvCell(names.get(w.classId) ?? String(w.classId)),
      w.split,
    ]
    for (let f = 0; f < width; f++) cells.push(String(built.features[row * width + f]))
    lines.push(cells.join(','))
  })
  return `${lines.join('\n')}\n`
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/**
 * A NumPy .npy file (format version 1.0): magic, header length, a Python dict literal padded with
 * spaces to a multiple of 64 bytes and ending in a newline, then the little-endian data.
 */
export function npy(
  descr: '<f4' | '<f8' | '<i4' | '<i1',
  shape: number[],
  data: ArrayBufferView,
): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`
  const unpadded = 10 + header.length + 1
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n'
  const out = new Uint8Array(10 + header.length + data.byteLength)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0)
  new DataView(out.buffer).setUint16(8, header.length, true)
  out.set(new TextEncoder().encode(header), 10)
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length)
  return out
}

const SPLIT_CODES = { train: 0, val: 1, test: 2 } as const

/**
 * An .npz (a zip of .npy files, as numpy.savez writes): X (windows × features, float32, before
 * normalization), y (class ids), split (0 train, 1 val, 2 test), recording (ids), start_ms and
 * end_ms (float64). The JSON sidecar names the features, classes and splits.
 */
export function datasetNpz(built: BuiltDataset, names: ReadonlyMap<number, string>) {
  const n = built.windows.length
  const y = Int32Array.from(built.windows, (w) => w.classId)
  const split = Int8Array.from(built.windows, (w) => SPLIT_CODES[w.split])
  const recording = Int32Array.from(built.windows, (w) => w.recordingId)
  const start = Float64Array.from(built.windows, (w) => w.startUs / 1000)
  const end = Float64Array.from(built.windows, (w) => w.endUs / 1000)
  const zip = zipSync(
    {
      'X.npy': npy('<f4', [n, built.featureNames.length], built.features),
      'y.npy': npy('<i4', [n], y),
      'split.npy': npy('<i1', [n], split),
      'recording.npy': npy('<i4', [n], recording),
      'start_ms.npy': npy('<f8', [n], start),
      'end_ms.npy': npy('<f8', [n], end),
    },
    { level: 0 },
  )
  const classIds = [...new Set(built.windows.map((w) => w.classId))].sort((a, b) => a - b)
  const sidecar = {
    featureNames: built.featureNames,
    classes: classIds.map((id) => ({ id, name: names.get(id) ?? String(id) })),
    splits: ['train', 'val', 'test'],
    normalization: built.normalization,
  }
  return { zip, sidecar }
}
