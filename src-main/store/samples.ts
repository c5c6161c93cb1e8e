import type { Statement } from 'better-sqlite3'
import { blobOf, copyBlobInto, float64sOf } from './blobs.js'
import { checkChunk, uniformTimes } from './chunk-format.js'
import type { SampleChunk } from './chunk-format.js'
import type { Connection } from './connection.js'
import { bucketsOfChunk } from './envelope-math.js'
import type { Bucket } from './envelope-math.js'
import type { EnvelopeWriter } from './envelope-writer.js'

/** Samples in time order: `t` in µs, `data` interleaved (t.length x channels). */
export interface SampleRange {
  t: Float64Array
  data: Float32Array
}

export interface StreamStats {
  samples: number
  chunks: number
  /** Times of the first and last sample, µs; null for a stream without samples. */
  firstUs: number | null
  lastUs: number | null
}

interface ChunkRow {
  t0_us: number
  n: number
  dt_us: number | null
  ts: Buffer | null
  data: Buffer
}

interface StatsRow {
  chunks: number
  samples: number
  first_us: number | null
  last_us: number | null
}

type ChunkInsert = [number, number, number, number, number, number | null, Buffer | null, Buffer]

/** Sample chunks: appended by recorders and importers, read back by time range. */
export class Samples {
  readonly #connection: Connection
  readonly #envelopes: EnvelopeWriter
  readonly #channelCount: Statement<[number], number>
  readonly #lastChunk: Statement<[number], { seq: number; t1_us: number }>
  readonly #insert: Statement<ChunkInsert>
  readonly #overlapping: Statement<{ stream: number; from: number; to: number }, ChunkRow>
  readonly #stats: Statement<[number], StatsRow>

  constructor(connection: Connection, envelopes: EnvelopeWriter) {
    this.#connection = connection
    this.#envelopes = envelopes
    const { db } = connection
    this.#channelCount = db
      .prepare<[number], number>('SELECT json_array_length(channels) FROM streams WHERE id = ?')
      .pluck()
    this.#lastChunk = db.prepare<[number], { seq: number; t1_us: number }>(
      'SELECT seq, t1_us FROM chunks WHERE stream_id = ? ORDER BY seq DESC LIMIT 1',
    )
    this.#insert = db.prepare<ChunkInsert>(
      `INSERT INTO chunks (stream_id, seq, t0_us, t1_us, n, dt_us, ts, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    // Chunks never overlap, so the first chunk in range is the last one starting at or before
    // `from`: an index seek, not a scan of every earlier chunk.
    this.#overlapping = db.prepare<{ stream: number; from: number; to: number }, ChunkRow>(
      `SELECT t0_us, n, dt_us, ts, data FROM chunks
       WHERE stream_id = @stream AND t0_us <= @to AND t1_us >= @from
         AND t0_us >= coalesce((SELECT t0_us FROM chunks WHERE stream_id = @stream AND t0_us <= @from
                                ORDER BY t0_us DESC LIMIT 1), @from)
       ORDER BY t0_us`,
    )
    this.#stats = db.prepare<[number], StatsRow>(
      `SELECT count(*) AS chunks, coalesce(sum(n), 0) AS samples,
              min(t0_us) AS first_us, max(t1_us) AS last_us
       FROM chunks WHERE stream_id = ?`,
    )
  }

  /**
   * Appends chunks to a stream, with their envelopes, in one transaction: all of them or none.
   * Each chunk must start after the stream's last sample.
   */
  appendChunks(streamId: number, chunks: readonly SampleChunk[]): void {
    try {
      this.#connection.write(() => {
        const channelCount = this.#channelCount.get(streamId)
        if (channelCount === undefined) throw new RangeError(`Stream ${streamId} does not exist`)
        const previous = this.#lastChunk.get(streamId)
        let seq = previous?.seq ?? -1
        let lastUs = previous?.t1_us
        const buckets: Bucket[] = []
        for (const chunk of chunks) {
          const { n, times, dtUs, timestampsUs, data } = checkChunk(chunk, channelCount, lastUs)
          const t0Us = times[0] as number
          lastUs = times[n - 1] as number
          seq++
          const ts = timestampsUs && blobOf(timestampsUs)
          this.#insert.run(streamId, seq, t0Us, lastUs, n, dtUs, ts, blobOf(data))
          for (const bucket of bucketsOfChunk(times, data, channelCount)) buckets.push(bucket)
        }
        this.#envelopes.addLevel0(streamId, channelCount, previous?.seq ?? null, seq, buckets)
      })
    } catch (error) {
      this.#envelopes.forget(streamId)
      throw error
    }
  }

  /** Marks the end of appending to a stream: completes its envelope levels. */
  finish(streamId: number): void {
    this.#envelopes.finish(streamId)
  }

  /** The samples with fromUs <= t <= toUs. */
  read(streamId: number, fromUs: number, toUs: number): SampleRange {
    const parts = this.#overlapping.all({ stream: streamId, from: fromUs, to: toUs }).map((row) => {
      const times = row.ts
        ? float64sOf(row.ts)
        : uniformTimes({ t0Us: row.t0_us, dtUs: row.dt_us as number }, row.n).times
      return {
        row,
        times,
        start: firstIndexAtOrAfter(times, fromUs),
        end: firstIndexAfter(times, toUs),
      }
    })
    const first = parts[0]
    if (!first) return { t: new Float64Array(0), data: new Float32Array(0) }
    const channelCount = first.row.data.byteLength / Float32Array.BYTES_PER_ELEMENT / first.row.n
    const total = parts.reduce((sum, { start, end }) => sum + Math.max(0, end - start), 0)
    const t = new Float64Array(total)
    const data = new Float32Array(total * channelCount)
    let at = 0
    for (const { row, times, start, end } of parts) {
      if (end <= start) continue
      t.set(times.subarray(start, end), at)
      copyBlobInto(data, at * channelCount, row.data, start * channelCount, end * channelCount)
      at += end - start
    }
    return { t, data }
  }

  stats(streamId: number): StreamStats {
    const row = this.#stats.get(streamId) as StatsRow
    return { chunks: row.chunks, samples: row.samples, firstUs: row.first_us, lastUs: row.last_us }
  }
}

function firstIndexAtOrAfter(times: Float64Array, t: number): number {
  let low = 0
  let high = times.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if ((times[middle] as number) < t) low = middle + 1
    else high = middle
  }
  return low
}

function firstIndexAfter(times: Float64Array, t: number): number {
  let low = 0
  let high = times.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if ((times[middle] as number) <= t) low = middle + 1
    else high = middle
  }
  return low
}
