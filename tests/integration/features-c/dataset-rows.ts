/**
 * The app's dataset rows, and the same rows requested from the C harness the way a device would
 * compute them: each window's samples cut from each stream, the previous value carried, the raw
 * stretch from the last sample at or before the window's start.
 */
import type { DatasetConfigInput } from '../../../src-preload/contract/index.js'
import { DatasetConfig } from '../../../src-preload/contract/index.js'
import { MachineSimulator } from '../../../src-main/capture/demo/machine-simulator.js'
import {
  buildDataset,
  type BuiltDataset,
  type RecordingData,
} from '../../../src-main/dataset/build.js'
import { seededRandom } from '../../../src-main/seeded-random.js'
import { DEMO_RATE_HZ, DEMO_SECONDS, demoSignal } from './golden-windows.js'
import type { HarnessBatch } from './harness.js'

const CLASSES = { normal: 0, imbalance: 1, bearing: 2 }

/** A slow stream beside the accelerometer: at 4 Hz most 100 ms windows have no sample of it. */
const TEMPERATURE_RATE_HZ = 4

/**
 * The demo machine's accelerometer (400 Hz) with its anomaly episodes labeled, and a
 * temperature stream whose samples fall between the accelerometer's.
 */
export function demoRecording(): RecordingData {
  const accelerometer = demoSignal()
  const random = seededRandom(17)
  const temperatureCount = DEMO_SECONDS * TEMPERATURE_RATE_HZ
  let drift = 0
  const temperature = Float32Array.from({ length: temperatureCount }, () => {
    drift += (random() - 0.5) * 0.05
    return 41.5 + drift
  })
  const anomalies = new MachineSimulator({ rateHz: DEMO_RATE_HZ, seed: 3 }).anomalies(DEMO_SECONDS)
  return {
    id: 1,
    streams: [
      {
        name: 'accel',
        rateHz: DEMO_RATE_HZ,
        channels: ['ax', 'ay', 'az'],
        t: Float64Array.from(
          { length: accelerometer.length / 3 },
          (_, i) => (i * 1e6) / DEMO_RATE_HZ,
        ),
        data: accelerometer,
      },
      {
        name: 'temp',
        rateHz: TEMPERATURE_RATE_HZ,
        channels: ['celsius'],
        t: Float64Array.from(
          { length: temperatureCount },
          (_, i) => 1300 + (i * 1e6) / TEMPERATURE_RATE_HZ,
        ),
        data: temperature,
      },
    ],
    labels: anomalies.map((a) => ({
      classId: CLASSES[a.kind],
      startUs: a.startS * 1e6,
      endUs: a.endS * 1e6,
    })),
    defaultClassId: CLASSES.normal,
  }
}

export function buildDemoDataset(
  recording: RecordingData,
  input: Omit<DatasetConfigInput, 'recordings'>,
): { config: DatasetConfig; built: BuiltDataset } {
  const config = DatasetConfig.parse({ recordings: { all: true }, ...input })
  return { config, built: buildDataset([recording], config, Object.values(CLASSES)) }
}

/** The index of the first sample at or after `us` (times increasing). */
function firstAtOrAfter(times: Float64Array, us: number): number {
  let low = 0
  let high = times.length
  while (low < high) {
    const middle = (low + high) >> 1
    if ((times[middle] as number) < us) low = middle + 1
    else high = middle
  }
  return low
}

/**
 * Queues every window's row of `built` in `batch`, stream by stream as a device computes it, and
 * returns how to put the rows together from the batch's results: a snapshot, stats or spectral
 * row is the streams' results one after the other; a raw row takes each stream's columns from
 * that stream's result.
 */
export function requestRows(
  batch: HarnessBatch,
  recording: RecordingData,
  config: DatasetConfig,
  built: BuiltDataset,
): (results: readonly (Float32Array | Int8Array)[]) => Float32Array[] {
  const { kind, bands } = config.features
  const channelCount = recording.streams.reduce((n, s) => n + s.channels.length, 0)
  const rawLength = built.featureNames.length / channelCount
  const requests = built.windows.map(({ startUs, endUs }) => {
    let offset = 0
    return recording.streams.map(({ t, data, channels }) => {
      const width = channels.length
      const from = firstAtOrAfter(t, startUs)
      const to = firstAtOrAfter(t, endUs)
      const window = { samples: data.slice(from * width, to * width), channels: width }
      const previous =
        from > 0 ? data.slice((from - 1) * width, from * width) : new Float32Array(width)
      const streamOffset = offset
      offset += width
      switch (kind) {
        case 'snapshot':
          return batch.snapshot(window, previous)
        case 'stats':
          return batch.stats(window, previous)
        case 'spectral':
          return batch.spectral(window, bands)
        case 'raw': {
          const first = Math.max(0, from < t.length && t[from] === startUs ? from : from - 1)
          const last = Math.min(t.length, to + 1)
          return batch.raw({
            times: t.slice(first, last),
            samples: data.slice(first * width, last * width),
            channels: width,
            startUs,
            endUs,
            length: rawLength,
            outStride: channelCount,
            offset: streamOffset,
          })
        }
      }
    })
  })
  return (results) =>
    requests.map((streams) => {
      const parts = streams.map((index) => results[index] as Float32Array)
      if (kind !== 'raw') return Float32Array.from(parts.flatMap((part) => Array.from(part)))
      const row = new Float32Array(rawLength * channelCount)
      let offset = 0
      recording.streams.forEach((stream, s) => {
        for (let j = 0; j < rawLength; j++) {
          for (let c = offset; c < offset + stream.channels.length; c++) {
            row[j * channelCount + c] = (parts[s] as Float32Array)[j * channelCount + c] as number
          }
        }
        offset += stream.channels.length
      })
      return row
    })
}
