import type { Statement } from 'better-sqlite3'
import { blobOf, float32sOf } from './blobs.js'
import type { Connection } from './connection.js'
import { EnvelopeBuilder } from './envelope-builder.js'
import type { LeveledBucket } from './envelope-builder.js'
import type { Bucket } from './envelope-math.js'

export interface EnvelopeRow {
  t0_us: number
  t1_us: number
  n: number
  stats: Buffer
}

export function bucketOfRow(row: EnvelopeRow): Bucket {
  return { t0Us: row.t0_us, t1Us: row.t1_us, n: row.n, stats: float32sOf(row.stats) }
}

/** The builder of a stream being appended to, and the last chunk it has seen. */
interface LiveBuilder {
  builder: EnvelopeBuilder
  lastSeq: number
}

const LEVEL0_PAGE_ROWS = 4096

/**
 * Writes the envelope rows of the streams of one project. Level 0 is written with each chunk;
 * coarser levels come from an in-memory builder per stream being appended to. A builder is only
 * trusted while the stream's last chunk is the one it saw last; otherwise (after a reopen, a crash,
 * a failed append) the coarser levels are recomputed from level 0.
 */
export class EnvelopeWriter {
  readonly #connection: Connection
  readonly #live = new Map<number, LiveBuilder>()
  readonly #insert: Statement<[number, number, number, number, number, Buffer]>
  readonly #deleteCoarseLevels: Statement<[number]>
  readonly #level0Page: Statement<[number, number], EnvelopeRow>
  readonly #lastSeq: Statement<[number], number | null>
  readonly #channelCount: Statement<[number], number>

  constructor(connection: Connection) {
    this.#connection = connection
    const { db } = connection
    this.#insert = db.prepare<[number, number, number, number, number, Buffer]>(
      'INSERT INTO envelopes (stream_id, level, t0_us, t1_us, n, stats) VALUES (?, ?, ?, ?, ?, ?)',
    )
    this.#deleteCoarseLevels = db.prepare<[number]>(
      'DELETE FROM envelopes WHERE stream_id = ? AND level >= 1',
    )
    this.#level0Page = db.prepare<[number, number], EnvelopeRow>(
      `SELECT t0_us, t1_us, n, stats FROM envelopes WHERE stream_id = ? AND level = 0 AND t0_us > ?
       ORDER BY t0_us LIMIT ${LEVEL0_PAGE_ROWS}`,
    )
    this.#lastSeq = db
      .prepare<[number], number | null>('SELECT max(seq) FROM chunks WHERE stream_id = ?')
      .pluck()
    this.#channelCount = db
      .prepare<[number], number>('SELECT json_array_length(channels) FROM streams WHERE id = ?')
      .pluck()
  }

  /**
   * Inside the append transaction: stores the level-0 buckets of the chunks just written after
   * chunk `previousSeq`, up to chunk `lastSeq`, and the coarser buckets they complete.
   */
  addLevel0(
    streamId: number,
    channelCount: number,
    previousSeq: number | null,
    lastSeq: number,
    buckets: readonly Bucket[],
  ): void {
    const live = this.#live.get(streamId)
    const builder =
      live?.lastSeq === previousSeq
        ? live.builder
        : previousSeq === null
          ? new EnvelopeBuilder(channelCount)
          : this.#resume(streamId, channelCount)
    for (const bucket of buckets) {
      this.#store(streamId, { level: 0, bucket })
      for (const parent of builder.add(bucket)) this.#store(streamId, parent)
    }
    this.#live.set(streamId, { builder, lastSeq })
  }

  /** Drops the builder of a stream whose append failed; the next append rebuilds it. */
  /** Drops every in-memory builder (after a rolled-back transaction): they rebuild from level 0. */
  forgetAll(): void {
    this.#live.clear()
  }

  forget(streamId: number): void {
    this.#live.delete(streamId)
  }

  /**
   * Writes the trailing partial buckets once a stream's appending has ended, so its top level is
   * one bucket covering every sample. Cheap right after appending; a rebuild otherwise.
   */
  finish(streamId: number): void {
    const live = this.#current(streamId)
    if (!live) return this.rebuild(streamId)
    this.#live.delete(streamId)
    this.#connection.write(() => this.#storeAll(streamId, live.builder.finish()))
  }

  /** Recomputes levels >= 1 from level 0, e.g. for a recording interrupted by a crash. */
  rebuild(streamId: number): void {
    this.#live.delete(streamId)
    this.#connection.write(() => {
      const channelCount = this.#channelCount.get(streamId)
      if (channelCount === undefined) throw new RangeError(`Stream ${streamId} does not exist`)
      this.#storeAll(streamId, this.#resume(streamId, channelCount).finish())
    })
  }

  /** Finishes every stream appended to through this connection that nobody else changed since. */
  finishAll(): void {
    for (const streamId of [...this.#live.keys()]) {
      if (this.#current(streamId)) this.finish(streamId)
    }
    this.#live.clear()
  }

  #current(streamId: number): LiveBuilder | undefined {
    const live = this.#live.get(streamId)
    return live && live.lastSeq === this.#lastSeq.get(streamId) ? live : undefined
  }

  /** A builder in the state it had after the stream's stored level 0, with levels >= 1 rewritten. */
  #resume(streamId: number, channelCount: number): EnvelopeBuilder {
    this.#deleteCoarseLevels.run(streamId)
    const builder = new EnvelopeBuilder(channelCount)
    let after = -Infinity
    for (;;) {
      const rows = this.#level0Page.all(streamId, after)
      for (const row of rows) this.#storeAll(streamId, builder.add(bucketOfRow(row)))
      const last = rows[rows.length - 1]
      if (!last || rows.length < LEVEL0_PAGE_ROWS) return builder
      after = last.t0_us
    }
  }

  #storeAll(streamId: number, buckets: readonly LeveledBucket[]): void {
    for (const bucket of buckets) this.#store(streamId, bucket)
  }

  #store(streamId: number, { level, bucket }: LeveledBucket): void {
    this.#insert.run(streamId, level, bucket.t0Us, bucket.t1Us, bucket.n, blobOf(bucket.stats))
  }
}
