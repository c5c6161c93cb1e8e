/**
 * Envelope buckets: per-channel min, max and mean of a run of consecutive samples.
 * Level 0 buckets hold up to SAMPLES_PER_BUCKET samples of one chunk; a bucket of level L + 1
 * combines BUCKETS_PER_PARENT consecutive buckets of level L.
 */
export const SAMPLES_PER_BUCKET = 256
export const BUCKETS_PER_PARENT = 8

/** Values per channel in `Bucket.stats`, at these offsets. */
export const STATS_PER_CHANNEL = 3
export const MIN = 0
export const MAX = 1
export const MEAN = 2

export interface Bucket {
  /** Time of the first and the last sample, µs. */
  t0Us: number
  t1Us: number
  n: number
  /** [min, max, mean] per channel, as stored (float32). */
  stats: Float32Array
}

/** Duration a bucket of `level` covers at the stream's nominal rate. */
export function nominalBucketUs(level: number, rateHz: number): number {
  return (SAMPLES_PER_BUCKET * BUCKETS_PER_PARENT ** level * 1e6) / rateHz
}

/** The level-0 buckets of one chunk: 256 samples each, the last one cut by the chunk's end. */
export function bucketsOfChunk(
  times: Float64Array,
  data: Float32Array,
  channelCount: number,
): Bucket[] {
  const buckets: Bucket[] = []
  for (let start = 0; start < times.length; start += SAMPLES_PER_BUCKET) {
    const end = Math.min(start + SAMPLES_PER_BUCKET, times.length)
    const stats = new Float32Array(channelCount * STATS_PER_CHANNEL)
    for (let channel = 0; channel < channelCount; channel++) {
      let min = Infinity
      let max = -Infinity
      let sum = 0
      for (let i = start; i < end; i++) {
        const value = data[i * channelCount + channel] as number
        if (value < min) min = value
        if (value > max) max = value
        sum += value
      }
      const at = channel * STATS_PER_CHANNEL
      stats[at + MIN] = min
      stats[at + MAX] = max
      stats[at + MEAN] = sum / (end - start)
    }
    buckets.push({
      t0Us: times[start] as number,
      t1Us: times[end - 1] as number,
      n: end - start,
      stats,
    })
  }
  return buckets
}

/** One bucket covering all of `children` (consecutive, in time order, at least one). */
export function combineBuckets(children: readonly Bucket[], channelCount: number): Bucket {
  const first = children[0]
  const last = children[children.length - 1]
  if (!first || !last) throw new RangeError('combineBuckets needs at least one bucket')
  const stats = new Float32Array(channelCount * STATS_PER_CHANNEL)
  let n = 0
  for (const child of children) n += child.n
  for (let channel = 0; channel < channelCount; channel++) {
    const at = channel * STATS_PER_CHANNEL
    let min = Infinity
    let max = -Infinity
    let sum = 0
    for (const child of children) {
      min = Math.min(min, child.stats[at + MIN] as number)
      max = Math.max(max, child.stats[at + MAX] as number)
      sum += (child.stats[at + MEAN] as number) * child.n
    }
    stats[at + MIN] = min
    stats[at + MAX] = max
    stats[at + MEAN] = sum / n
  }
  return { t0Us: first.t0Us, t1Us: last.t1Us, n, stats }
}
