import type { DatasetConfig, DatasetSplitName } from '../../src-preload/contract/index.js'
import { ServiceError } from '../rpc/errors.js'
import {
  resampleInto,
  snapshotOf,
  SpectralScratch,
  spectralOf,
  STATS,
  statsOf,
} from './features.js'
import { WindowLabeler, type LabelRegion } from './label-policy.js'
import { computeNormalization, type Normalization } from './normalization.js'
import { assignSplits, PURGED, SPLITS, TESTING_TAG, type SplitOutcome } from './splits.js'

/** One stream of a recording, read whole: `data` interleaved (t.length × channels). */
export interface StreamData {
  name: string
  rateHz: number
  channels: string[]
  t: Float64Array
  data: Float32Array
}

export interface RecordingData {
  id: number
  /** The `testing` tag puts a recording in the test split under the 'tag' method. */
  tags?: readonly string[]
  streams: StreamData[]
  labels: LabelRegion[]
  defaultClassId: number | null
}

export interface DatasetWindowRow {
  recordingId: number
  startUs: number
  endUs: number
  classId: number
  split: DatasetSplitName
}

export type DropReason = 'gap' | 'purge' | 'unlabeled'

export interface BuiltDataset {
  windows: DatasetWindowRow[]
  /** windows.length × featureNames.length, before normalization. */
  features: Float32Array
  featureNames: string[]
  dropped: Record<DropReason, number>
  splitMethod: SplitOutcome['method']
  normalization: Normalization | null
  warnings: string[]
}

/** A gap: consecutive samples of a stream further apart than this many nominal periods. */
export const GAP_PERIODS = 1.5

interface Candidate {
  recording: number
  startUs: number
  classId: number
}

/**
 * Windows, labels, splits, features and normalization of `recordings` (docs/dataset.md).
 * `classOrder` (class ids in the project's order) breaks ties between classes.
 */
export function buildDataset(
  recordings: readonly RecordingData[],
  config: DatasetConfig,
  classOrder: readonly number[],
  options: { features?: boolean } = {},
): BuiltDataset {
  const windowUs = config.windowMs * 1000
  const strideUs = config.strideMs * 1000
  const dropped: Record<DropReason, number> = { gap: 0, purge: 0, unlabeled: 0 }
  const channelNames = checkedChannelNames(recordings)
  const candidates: Candidate[] = []
  recordings.forEach((recording, index) => {
    const labeler = new WindowLabeler(
      recording.labels,
      recording.defaultClassId,
      config.labelPolicy,
      classOrder,
    )
    const holes = recording.streams.flatMap(holesOf).sort((a, b) => a[0] - b[0])
    let hole = 0
    for (const startUs of windowStarts(recording.streams, windowUs, strideUs)) {
      const endUs = startUs + windowUs
      while (hole < holes.length && holes[hole]![1] <= startUs) hole++
      // Holes are sorted by start; their ends may not be, so look at every hole starting in time.
      let straddles = false
      for (let h = hole; h < holes.length && holes[h]![0] < endUs; h++) {
        if (holes[h]![1] > startUs) straddles = true
      }
      if (straddles) {
        dropped.gap++
        continue
      }
      const classId = labeler.label(startUs, endUs)
      if (classId === null) dropped.unlabeled++
      else candidates.push({ recording: index, startUs, classId })
    }
  })
  const split = assignSplits(
    candidates.map((c) => ({
      ...c,
      recordingId: recordings[c.recording]!.id,
      testing: recordings[c.recording]!.tags?.includes(TESTING_TAG) ?? false,
    })),
    config.split,
    windowUs,
  )
  const kept: Candidate[] = []
  const windows: DatasetWindowRow[] = []
  candidates.forEach((candidate, i) => {
    const splitIndex = split.splits[i] as number
    if (splitIndex === PURGED) {
      dropped.purge++
      return
    }
    kept.push(candidate)
    windows.push({
      recordingId: recordings[candidate.recording]!.id,
      startUs: candidate.startUs,
      endUs: candidate.startUs + windowUs,
      classId: candidate.classId,
      split: SPLITS[splitIndex] as DatasetSplitName,
    })
  })
  const rawLength =
    config.features.rawLength ??
    Math.max(1, Math.round((config.windowMs / 1000) * maxRate(recordings)))
  const featureNames = featureNamesOf(
    channelNames,
    config.features.kind,
    config.features.bands,
    rawLength,
  )
  const features = new Float32Array(
    options.features === false ? 0 : kept.length * featureNames.length,
  )
  if (options.features !== false) {
    computeFeatures(
      recordings,
      kept,
      windowUs,
      config.features,
      rawLength,
      featureNames.length,
      features,
    )
  }
  const normalization =
    config.normalization.kind === 'none' || options.features === false
      ? null
      : computeNormalization(
          features,
          featureNames.length,
          windows.map((w) => w.split === 'train'),
          config.normalization.stdFloor,
        )
  return {
    windows,
    features,
    featureNames,
    dropped,
    splitMethod: split.method,
    normalization,
    warnings: split.warnings,
  }
}

/** Starts of the windows that fit where every stream has data: from the latest first sample. */
function windowStarts(
  streams: readonly StreamData[],
  windowUs: number,
  strideUs: number,
): number[] {
  if (streams.length === 0 || streams.some((s) => s.t.length === 0)) return []
  const from = Math.max(...streams.map((s) => s.t[0] as number))
  const to = Math.min(...streams.map((s) => (s.t[s.t.length - 1] as number) + 1e6 / s.rateHz))
  const starts: number[] = []
  // Times are µs: a thousandth of a µs absorbs the rounding of fractional nominal times.
  for (let k = 0; from + k * strideUs + windowUs <= to + 1e-3; k++) starts.push(from + k * strideUs)
  return starts
}

/** The holes [t_i + period, t_{i+1}) of a stream: where samples were due but none came. */
function holesOf(stream: StreamData): [number, number][] {
  const period = 1e6 / stream.rateHz
  const holes: [number, number][] = []
  const t = stream.t
  for (let i = 1; i < t.length; i++) {
    const previous = t[i - 1] as number
    if ((t[i] as number) - previous > GAP_PERIODS * period)
      holes.push([previous + period, t[i] as number])
  }
  return holes
}

function maxRate(recordings: readonly RecordingData[]): number {
  return Math.max(1, ...recordings.flatMap((r) => r.streams.map((s) => s.rateHz)))
}

/** Channel names in stream order, prefixed with the stream's name where two streams share one. */
function channelNamesOf(recording: RecordingData): string[] {
  const all = recording.streams.flatMap((s) => s.channels)
  return recording.streams.flatMap((s) =>
    s.channels.map((c) => (all.filter((name) => name === c).length > 1 ? `${s.name}.${c}` : c)),
  )
}

function checkedChannelNames(recordings: readonly RecordingData[]): string[] {
  const first = recordings[0]
  if (!first) return []
  const names = channelNamesOf(first)
  for (const recording of recordings) {
    const own = channelNamesOf(recording)
    if (own.join('\u0000') !== names.join('\u0000')) {
      throw new ServiceError(
        'INVALID_ARGUMENT',
        `Recording ${recording.id} has the channels ${own.join(', ') || 'none'}, but recording ` +
          `${first.id} has ${names.join(', ') || 'none'}: a dataset needs the same channels in ` +
          'every recording.',
      )
    }
  }
  return names
}

export function featureNamesOf(
  channels: readonly string[],
  kind: DatasetConfig['features']['kind'],
  bands: number,
  rawLength: number,
): string[] {
  switch (kind) {
    case 'snapshot':
      return [...channels]
    case 'stats':
      return channels.flatMap((c) => STATS.map((stat) => `${c}_${stat}`))
    case 'spectral':
      return channels.flatMap((c) => Array.from({ length: bands }, (_, b) => `${c}_band${b}`))
    case 'raw':
      return Array.from({ length: rawLength }, (_, j) => channels.map((c) => `${c}_t${j}`)).flat()
  }
}

/** Features of the kept windows (in order of recording, then start), one row each. */
function computeFeatures(
  recordings: readonly RecordingData[],
  kept: readonly Candidate[],
  windowUs: number,
  features: DatasetConfig['features'],
  rawLength: number,
  width: number,
  out: Float32Array,
): void {
  const row = new Float64Array(width)
  const scratch = new SpectralScratch()
  const channelCount = recordings[0]?.streams.reduce((n, s) => n + s.channels.length, 0) ?? 0
  let k = 0
  while (k < kept.length) {
    const recordingIndex = kept[k]!.recording
    const recording = recordings[recordingIndex]!
    const streams = recording.streams.map((stream) => ({
      stream,
      columns: stream.channels.map((_, c) => columnOf(stream, c)),
      from: 0,
      to: 0,
    }))
    for (; k < kept.length && kept[k]!.recording === recordingIndex; k++) {
      const startUs = kept[k]!.startUs
      const endUs = startUs + windowUs
      let channel = 0
      for (const cursor of streams) {
        const t = cursor.stream.t
        while (cursor.from < t.length && (t[cursor.from] as number) < startUs) cursor.from++
        if (cursor.to < cursor.from) cursor.to = cursor.from
        while (cursor.to < t.length && (t[cursor.to] as number) < endUs) cursor.to++
        const { from, to } = cursor
        for (let c = 0; c < cursor.columns.length; c++, channel++) {
          const values = cursor.columns[c] as Float32Array
          // Windows start where every stream has a sample, so an empty window has a previous one.
          const previous = from > 0 ? (values[from - 1] as number) : 0
          switch (features.kind) {
            case 'snapshot':
              row[channel] = snapshotOf(values, from, to, previous)
              break
            case 'stats':
              statsOf(values, from, to, previous, row, channel * STATS.length)
              break
            case 'spectral':
              spectralOf(values, from, to, features.bands, scratch, row, channel * features.bands)
              break
            case 'raw': {
              const lastAtOrBefore = from < t.length && t[from] === startUs ? from : from - 1
              resampleInto(
                t,
                cursor.stream.data,
                cursor.columns.length,
                c,
                Math.max(0, lastAtOrBefore),
                startUs,
                endUs,
                rawLength,
                row,
                channel,
                channelCount,
              )
            }
          }
        }
      }
      out.set(row, k * width)
    }
  }
}

function columnOf(stream: StreamData, channel: number): Float32Array {
  const count = stream.channels.length
  const column = new Float32Array(stream.t.length)
  for (let i = 0; i < column.length; i++) column[i] = stream.data[i * count + channel] as number
  return column
}
