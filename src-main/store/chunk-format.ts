/**
 * A chunk is a run of consecutive samples of one stream, stored as one row: samples interleaved
 * as float32 (`n` x channels), timed either by a nominal interval (`dtUs`) or by the device's own
 * timestamps (float64 µs since the recording started). Sample times rise strictly within a
 * stream, so chunks never overlap and their order in time is their order of arrival.
 */
export type SampleChunk =
  | { t0Us: number; dtUs: number; data: Float32Array }
  | { timestampsUs: Float64Array; data: Float32Array }

/** The time of every sample of a chunk, and how the chunk stores them. */
interface ChunkTimes {
  times: Float64Array
  dtUs: number | null
  timestampsUs: Float64Array | null
}

/** A chunk that passed `checkChunk`. */
export interface CheckedChunk extends ChunkTimes {
  n: number
  data: Float32Array
}

/**
 * Validates `chunk` for a stream of `channelCount` channels whose last sample so far is at
 * `afterUs`; a chunk that breaks the format is a bug in its producer, hence RangeError.
 */
export function checkChunk(
  chunk: SampleChunk,
  channelCount: number,
  afterUs: number | undefined,
): CheckedChunk {
  const { data } = chunk
  if (!(data instanceof Float32Array) || data.length === 0 || data.length % channelCount !== 0) {
    throw new RangeError(
      `A chunk needs a non-empty Float32Array whose length is a multiple of ${channelCount} channels`,
    )
  }
  if (!data.every(Number.isFinite)) throw new RangeError('Sample values must be finite numbers')
  const n = data.length / channelCount
  const chunkTimes =
    'timestampsUs' in chunk ? timestampedTimes(chunk.timestampsUs, n) : uniformTimes(chunk, n)
  const first = chunkTimes.times[0] as number
  if (afterUs !== undefined && !(first > afterUs)) {
    throw new RangeError(
      `A chunk starting at ${first} µs does not follow the previous sample (${afterUs} µs)`,
    )
  }
  return { n, data, ...chunkTimes }
}

/** Time of sample i of a nominal-rate chunk; every reader and writer computes it this way. */
export function uniformTimes(chunk: { t0Us: number; dtUs: number }, n: number): ChunkTimes {
  const { t0Us, dtUs } = chunk
  if (!Number.isFinite(t0Us) || !(Number.isFinite(dtUs) && dtUs > 0)) {
    throw new RangeError('A nominal-rate chunk needs a finite t0Us and a positive dtUs')
  }
  const times = new Float64Array(n)
  for (let i = 0; i < n; i++) times[i] = t0Us + i * dtUs
  return { times, dtUs, timestampsUs: null }
}

function timestampedTimes(timestampsUs: Float64Array, n: number): ChunkTimes {
  if (!(timestampsUs instanceof Float64Array) || timestampsUs.length !== n) {
    throw new RangeError(
      `A timestamped chunk needs a Float64Array of ${n} timestamps, one per sample`,
    )
  }
  for (let i = 0; i < n; i++) {
    const t = timestampsUs[i] as number
    if (!Number.isFinite(t) || (i > 0 && !(t > (timestampsUs[i - 1] as number)))) {
      throw new RangeError('Timestamps must be finite and strictly increasing')
    }
  }
  return { times: timestampsUs, dtUs: null, timestampsUs }
}
