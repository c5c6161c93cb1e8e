import type { Database, Statement } from 'better-sqlite3'
import { float64sOf } from './blobs.js'

/** A chunk's place in time, without its samples. */
export interface ChunkSpan {
  seq: number
  t0Us: number
  t1Us: number
  n: number
  /** Null for device-timestamped chunks. */
  dtUs: number | null
}

interface ChunkTimeRow {
  seq: number
  t0_us: number
  t1_us: number
  n: number
  dt_us: number | null
  ts: Buffer | null
}

/**
 * The sample times of a stream, read from the chunk index (and one chunk's timestamps at most),
 * never from the samples: where label edges may go, and sample numbers for Edge Impulse.
 */
export class SampleTimes {
  readonly #atOrBefore: Statement<[number, number], ChunkTimeRow>
  readonly #after: Statement<[number, number], number>
  readonly #chunks: Statement<[number], ChunkTimeRow>
  readonly #timestamps: Statement<[number, number], Buffer | null>

  constructor(db: Database) {
    this.#atOrBefore = db.prepare<[number, number], ChunkTimeRow>(
      `SELECT seq, t0_us, t1_us, n, dt_us, ts FROM chunks WHERE stream_id = ? AND t0_us <= ?
       ORDER BY t0_us DESC LIMIT 1`,
    )
    this.#after = db
      .prepare<[number, number], number>(
        `SELECT t0_us FROM chunks WHERE stream_id = ? AND t0_us > ? ORDER BY t0_us LIMIT 1`,
      )
      .pluck()
    this.#chunks = db.prepare<[number], ChunkTimeRow>(
      'SELECT seq, t0_us, t1_us, n, dt_us, NULL AS ts FROM chunks WHERE stream_id = ? ORDER BY seq',
    )
    this.#timestamps = db
      .prepare<[number, number], Buffer | null>(
        'SELECT ts FROM chunks WHERE stream_id = ? AND seq = ?',
      )
      .pluck()
  }

  /** The time of the sample nearest `us` (the earlier one on a tie); null for an empty stream. */
  nearest(streamId: number, us: number): number | null {
    const before = this.#atOrBefore.get(streamId, us)
    const after = this.#after.get(streamId, us)
    const candidate = before && nearestInChunk(before, us)
    if (candidate === undefined) return after ?? null
    if (after === undefined) return candidate
    return after - us < us - candidate ? after : candidate
  }

  /** The chunks of a stream in time order. */
  chunks(streamId: number): ChunkSpan[] {
    return this.#chunks.all(streamId).map((row) => ({
      seq: row.seq,
      t0Us: row.t0_us,
      t1Us: row.t1_us,
      n: row.n,
      dtUs: row.dt_us,
    }))
  }

  /** The times of every sample of one chunk. */
  times(streamId: number, chunk: ChunkSpan): Float64Array {
    if (chunk.dtUs !== null) {
      const times = new Float64Array(chunk.n)
      // As chunk-format.ts computes them, so equal times compare equal.
      for (let i = 0; i < chunk.n; i++) times[i] = chunk.t0Us + i * chunk.dtUs
      return times
    }
    const blob = this.#timestamps.get(streamId, chunk.seq)
    if (!blob) throw new RangeError(`Chunk ${chunk.seq} of stream ${streamId} has no timestamps`)
    return float64sOf(blob)
  }
}

function nearestInChunk(row: ChunkTimeRow, us: number): number {
  if (us >= row.t1_us) return row.t1_us
  if (row.dt_us !== null) {
    const k = Math.min(row.n - 1, Math.max(0, Math.ceil((us - row.t0_us) / row.dt_us - 0.5)))
    return row.t0_us + k * row.dt_us
  }
  const times = float64sOf(row.ts as Buffer)
  let low = 0
  let high = times.length - 1
  while (high - low > 1) {
    const middle = (low + high) >>> 1
    if ((times[middle] as number) <= us) low = middle
    else high = middle
  }
  const a = times[low] as number
  const b = times[high] as number
  return b - us < us - a ? b : a
}
