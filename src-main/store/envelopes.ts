import type { Statement } from 'better-sqlite3'
import type { Connection } from './connection.js'
import {
  combineBuckets,
  MAX,
  MEAN,
  MIN,
  nominalBucketUs,
  STATS_PER_CHANNEL,
} from './envelope-math.js'
import type { Bucket } from './envelope-math.js'
import { bucketOfRow } from './envelope-writer.js'
import type { EnvelopeRow, EnvelopeWriter } from './envelope-writer.js'
import type { SampleRange, Samples } from './samples.js'

/** Buckets in time order; min, max and mean are bucket x channel. */
export interface EnvelopeSlice {
  /**
   * Envelope level of the buckets, or -1 when they come straight from the raw samples (one
   * sample per bucket, min = max = mean, or the samples of one chart column when zoomed in
   * between raw and level 0).
   */
  level: number
  channelCount: number
  t0: Float64Array
  t1: Float64Array
  n: Float64Array
  min: Float32Array
  max: Float32Array
  mean: Float32Array
}

interface RangeQuery {
  stream: number
  level: number
  from: number
  to: number
  limit: number
}

/** Reads a stream's timeline at any zoom: never more rows than the chart has room for. */
export class Envelopes {
  readonly #samples: Samples
  readonly #writer: EnvelopeWriter
  readonly #stream: Statement<[number], { rate_hz: number; channel_count: number }>
  readonly #firstUs: Statement<[number], number>
  readonly #lastUs: Statement<[number], number>
  readonly #topLevel: Statement<[number], number | null>
  readonly #inRange: Statement<RangeQuery, EnvelopeRow>
  readonly #levelEndUs: Statement<[number, number], number>
  readonly #after: Statement<[number, number, number], EnvelopeRow>

  constructor(connection: Connection, samples: Samples, writer: EnvelopeWriter) {
    this.#samples = samples
    this.#writer = writer
    const { db } = connection
    this.#stream = db.prepare<[number], { rate_hz: number; channel_count: number }>(
      'SELECT rate_hz, json_array_length(channels) AS channel_count FROM streams WHERE id = ?',
    )
    this.#firstUs = db
      .prepare<[number], number>(
        'SELECT t0_us FROM chunks WHERE stream_id = ? ORDER BY t0_us LIMIT 1',
      )
      .pluck()
    this.#lastUs = db
      .prepare<[number], number>(
        'SELECT t1_us FROM chunks WHERE stream_id = ? ORDER BY t0_us DESC LIMIT 1',
      )
      .pluck()
    this.#topLevel = db
      .prepare<[number], number | null>('SELECT max(level) FROM envelopes WHERE stream_id = ?')
      .pluck()
    // Buckets of a level never overlap: seek to the last one starting at or before `from`.
    this.#inRange = db.prepare<RangeQuery, EnvelopeRow>(
      `SELECT t0_us, t1_us, n, stats FROM envelopes
       WHERE stream_id = @stream AND level = @level AND t0_us <= @to AND t1_us >= @from
         AND t0_us >= coalesce((SELECT t0_us FROM envelopes
                                WHERE stream_id = @stream AND level = @level AND t0_us <= @from
                                ORDER BY t0_us DESC LIMIT 1), @from)
       ORDER BY t0_us LIMIT @limit`,
    )
    this.#levelEndUs = db
      .prepare<[number, number], number>(
        'SELECT t1_us FROM envelopes WHERE stream_id = ? AND level = ? ORDER BY t0_us DESC LIMIT 1',
      )
      .pluck()
    this.#after = db.prepare<[number, number, number], EnvelopeRow>(
      `SELECT t0_us, t1_us, n, stats FROM envelopes WHERE stream_id = ? AND level = ? AND t0_us > ?
       ORDER BY t0_us`,
    )
  }

  /**
   * The timeline of [fromUs, toUs] in at most about `maxBuckets` buckets, from the finest level
   * that fits; raw samples (level -1) when even level 0 is coarser than needed.
   */
  query(streamId: number, fromUs: number, toUs: number, maxBuckets: number): EnvelopeSlice {
    if (!(Number.isInteger(maxBuckets) && maxBuckets >= 1)) {
      throw new RangeError(`maxBuckets must be a positive integer, not ${maxBuckets}`)
    }
    if (!(fromUs <= toUs)) throw new RangeError(`Empty time range ${fromUs}..${toUs} µs`)
    const stream = this.#stream.get(streamId)
    if (!stream) throw new RangeError(`Stream ${streamId} does not exist`)
    const { rate_hz: rateHz, channel_count: channelCount } = stream
    const firstUs = this.#firstUs.get(streamId)
    const lastUs = this.#lastUs.get(streamId)
    if (firstUs === undefined || lastUs === undefined) return rawSlice(emptyRange(), channelCount)
    // Estimate bucket counts from the part of the range that holds data, at the nominal rate;
    // the rows read then confirm the estimate.
    const spanUs = Math.max(0, Math.min(toUs, lastUs) - Math.max(fromUs, firstUs))
    if ((spanUs * rateHz) / 1e6 + 1 <= maxBuckets) {
      const samples = this.#samples.read(streamId, fromUs, toUs)
      if (samples.t.length <= maxBuckets) return rawSlice(samples, channelCount)
    }
    // Level 0 would leave most of the chart's columns empty: thin the raw samples per column
    // instead (at most 64 samples per column, so this stays a small read).
    if (spanUs / nominalBucketUs(0, rateHz) + 1 < maxBuckets / 4) {
      const samples = this.#samples.read(streamId, fromUs, toUs)
      return thinnedSlice(samples, channelCount, fromUs, toUs, maxBuckets)
    }
    const topLevel = this.#topLevel.get(streamId) ?? 0
    let level = 0
    while (level < topLevel && spanUs / nominalBucketUs(level, rateHz) + 1 > maxBuckets) level++
    for (;;) {
      // The top level has fewer than 8 buckets, so it is read whole.
      const limit = level < topLevel ? maxBuckets + 1 : -1
      const rows = this.#inRange.all({ stream: streamId, level, from: fromUs, to: toUs, limit })
      if (rows.length <= maxBuckets || level === topLevel) {
        const buckets = rows.map(bucketOfRow)
        const tail = this.#uncoveredTail(streamId, level, channelCount)
        if (tail && tail.t1Us >= fromUs && tail.t0Us <= toUs) buckets.push(tail)
        return bucketSlice(level, buckets, channelCount)
      }
      level++
    }
  }

  /** Recomputes levels >= 1 from level 0, e.g. for a recording interrupted by a crash. */
  rebuild(streamId: number): void {
    this.#writer.rebuild(streamId)
  }

  /**
   * While a stream is being appended to, its last samples are covered only by finer levels
   * (fewer than 8 buckets each). They are combined into one provisional bucket of `level`, like
   * the one `finish` will write, so the timeline reaches the newest sample.
   */
  #uncoveredTail(streamId: number, level: number, channelCount: number): Bucket | undefined {
    let coveredUs = this.#levelEndUs.get(streamId, level) ?? -Infinity
    const uncovered: Bucket[] = []
    for (let finer = level - 1; finer >= 0; finer--) {
      for (const row of this.#after.all(streamId, finer, coveredUs)) {
        uncovered.push(bucketOfRow(row))
        coveredUs = row.t1_us
      }
    }
    return uncovered.length > 0 ? combineBuckets(uncovered, channelCount) : undefined
  }
}

function emptyRange(): SampleRange {
  return { t: new Float64Array(0), data: new Float32Array(0) }
}

function rawSlice({ t, data }: SampleRange, channelCount: number): EnvelopeSlice {
  return {
    level: -1,
    channelCount,
    t0: t,
    t1: t.slice(),
    n: new Float64Array(t.length).fill(1),
    min: data,
    max: data.slice(),
    mean: data.slice(),
  }
}

/** Raw samples reduced to min/max/mean per column of the chart; empty columns are left out. */
function thinnedSlice(
  { t, data }: SampleRange,
  channelCount: number,
  fromUs: number,
  toUs: number,
  columns: number,
): EnvelopeSlice {
  const widthUs = (toUs - fromUs) / columns
  const buckets: Bucket[] = []
  let current: { index: number; bucket: Bucket; sums: Float64Array } | null = null
  const close = () => {
    if (!current) return
    const { bucket, sums } = current
    for (let c = 0; c < channelCount; c++) {
      bucket.stats[c * STATS_PER_CHANNEL + MEAN] = (sums[c] as number) / bucket.n
    }
    buckets.push(bucket)
  }
  for (let i = 0; i < t.length; i++) {
    const time = t[i] as number
    const index = Math.min(columns - 1, Math.floor((time - fromUs) / widthUs))
    if (!current || current.index !== index) {
      close()
      const stats = new Float32Array(channelCount * STATS_PER_CHANNEL)
      for (let c = 0; c < channelCount; c++) {
        stats[c * STATS_PER_CHANNEL + MIN] = Infinity
        stats[c * STATS_PER_CHANNEL + MAX] = -Infinity
      }
      current = {
        index,
        bucket: { t0Us: time, t1Us: time, n: 0, stats },
        sums: new Float64Array(channelCount),
      }
    }
    const { bucket, sums } = current
    bucket.t1Us = time
    bucket.n++
    for (let c = 0; c < channelCount; c++) {
      const v = data[i * channelCount + c] as number
      const at = c * STATS_PER_CHANNEL
      if (v < (bucket.stats[at + MIN] as number)) bucket.stats[at + MIN] = v
      if (v > (bucket.stats[at + MAX] as number)) bucket.stats[at + MAX] = v
      sums[c] = (sums[c] as number) + v
    }
  }
  close()
  return bucketSlice(-1, buckets, channelCount)
}

function bucketSlice(
  level: number,
  buckets: readonly Bucket[],
  channelCount: number,
): EnvelopeSlice {
  const count = buckets.length
  const slice: EnvelopeSlice = {
    level,
    channelCount,
    t0: new Float64Array(count),
    t1: new Float64Array(count),
    n: new Float64Array(count),
    min: new Float32Array(count * channelCount),
    max: new Float32Array(count * channelCount),
    mean: new Float32Array(count * channelCount),
  }
  buckets.forEach((bucket, i) => {
    slice.t0[i] = bucket.t0Us
    slice.t1[i] = bucket.t1Us
    slice.n[i] = bucket.n
    for (let channel = 0; channel < channelCount; channel++) {
      const from = channel * STATS_PER_CHANNEL
      const to = i * channelCount + channel
      slice.min[to] = bucket.stats[from + MIN] as number
      slice.max[to] = bucket.stats[from + MAX] as number
      slice.mean[to] = bucket.stats[from + MEAN] as number
    }
  })
  return slice
}
