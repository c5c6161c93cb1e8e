import type { Database } from 'better-sqlite3'
import { Classes } from './classes.js'
import { Connection } from './connection.js'
import type { ReadOnlyReason } from './errors.js'
import { Datasets } from './datasets.js'
import { EnvelopeWriter } from './envelope-writer.js'
import { Envelopes } from './envelopes.js'
import { Labels } from './labels.js'
import { Predictions } from './predictions.js'
import { Recordings } from './recordings.js'
import { Runs } from './runs.js'
import { Samples } from './samples.js'
import { Streams } from './streams.js'

export interface ProjectInfo {
  path: string
  name: string
  schemaVersion: number
  recordings: number
  /** Unix ms */
  createdAt: number | null
  /** Open read-only: changes are refused. */
  readOnly: boolean
}

/** A recording without a heartbeat for this long has lost its recorder. */
const RECOVERY_STALE_MS = 10_000

/** An open project file. Made by `openProject`, which has validated and migrated the file. */
export class Project {
  readonly path: string
  readonly schemaVersion: number
  readonly readOnly: boolean
  readonly recordings: Recordings
  readonly streams: Streams
  readonly samples: Samples
  readonly envelopes: Envelopes
  readonly classes: Classes
  readonly labels: Labels
  readonly runs: Runs
  readonly datasets: Datasets
  readonly predictions: Predictions
  readonly #db: Database
  readonly #connection: Connection
  readonly #envelopeWriter: EnvelopeWriter
  readonly #closeDb: () => void

  constructor(
    db: Database,
    path: string,
    schemaVersion: number,
    opts: { readOnly: boolean; readOnlyReason?: ReadOnlyReason; close?: () => void },
  ) {
    this.#db = db
    this.path = path
    this.schemaVersion = schemaVersion
    this.readOnly = opts.readOnly
    this.#closeDb = opts.close ?? (() => db.close())
    const connection = new Connection(
      db,
      path,
      opts.readOnly ? (opts.readOnlyReason ?? 'opened-read-only') : null,
    )
    this.#connection = connection
    this.#envelopeWriter = new EnvelopeWriter(connection)
    this.recordings = new Recordings(connection)
    this.streams = new Streams(connection)
    this.samples = new Samples(connection, this.#envelopeWriter)
    this.envelopes = new Envelopes(connection, this.samples, this.#envelopeWriter)
    this.classes = new Classes(connection)
    this.labels = new Labels(connection)
    this.runs = new Runs(connection)
    this.datasets = new Datasets(connection)
    this.predictions = new Predictions(connection)
  }

  info(): ProjectInfo {
    const meta = new Map(
      this.#db.prepare<[], [string, string]>('SELECT key, value FROM meta').raw().all(),
    )
    const createdAt = meta.get('created_at')
    return {
      path: this.path,
      name: meta.get('name') ?? '',
      schemaVersion: this.schemaVersion,
      recordings: this.#db.prepare('SELECT count(*) FROM recordings').pluck().get() as number,
      createdAt: createdAt === undefined ? null : Number(createdAt),
      readOnly: this.readOnly,
    }
  }

  /**
   * Runs `work` (calls to the sub-APIs) as one transaction: all of it is saved or none of it, as
   * an import of one file must be.
   */
  transaction<T>(work: () => T): T {
    try {
      return this.#connection.write(work)
    } catch (error) {
      this.#envelopeWriter.forgetAll()
      throw error
    }
  }

  /**
   * Recordings left 'recording' by a process that died (no heartbeat for `staleMs`) become
   * 'interrupted', with their envelopes rebuilt from the chunks that were saved, so they are
   * fully usable. Returns their ids.
   */
  /** Whether `recoverInterrupted` has work to do: a recording or run whose process died. */
  needsRecovery(staleMs = RECOVERY_STALE_MS, now = Date.now()): boolean {
    return (
      this.recordings.interruptedIds(now - staleMs).length > 0 ||
      this.runs.abandonedIds(now - staleMs).length > 0
    )
  }

  recoverInterrupted(staleMs = RECOVERY_STALE_MS, now = Date.now()): number[] {
    if (this.readOnly) return []
    const ids = this.recordings.markInterrupted(now - staleMs)
    for (const id of ids) {
      for (const stream of this.streams.list(id)) this.envelopes.rebuild(stream.id)
    }
    this.runs.markInterrupted(now - staleMs)
    return ids
  }

  /** Completes the envelopes of streams still being appended to, then closes the file. */
  close(): void {
    if (!this.#db.open) return
    if (!this.readOnly) this.#envelopeWriter.finishAll()
    this.#closeDb()
  }
}
