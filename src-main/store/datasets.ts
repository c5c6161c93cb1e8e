import type { Statement } from 'better-sqlite3'
import { DatasetConfig, DatasetSnapshot, DatasetSummary } from '../../src-preload/contract/index.js'
import type { Connection } from './connection.js'
import { readJsonColumn } from './json.js'

/** A saved dataset version, kept whole; see the `datasets` table in migrations.ts. */
export interface DatasetVersion {
  id: number
  name: string
  version: number
  /** Unix ms */
  createdAt: number
  config: DatasetConfig
  /** Where the labels and samples of its recordings stood when it was saved. */
  snapshot: DatasetSnapshot
  /** What was computed from them: normalization, feature names, counts. */
  summary: DatasetSummary
}

export interface NewDatasetVersion {
  name: string
  config: DatasetConfig
  snapshot: DatasetSnapshot
  summary: DatasetSummary
}

/** Where a recording's labels and samples stand: its newest label journal row and its samples. */
export interface RecordingDataMark {
  id: number
  labelSeq: number
  samples: number
}

interface DatasetRow {
  id: number
  name: string
  version: number
  created_at: number
  config: string
  snapshot: string
  summary: string
}

export class Datasets {
  readonly #connection: Connection
  readonly #insert: Statement<[string, string, number, string, string, string]>
  readonly #get: Statement<[number], DatasetRow>
  readonly #latest: Statement<[string], DatasetRow>
  readonly #latestOfEach: Statement<[], DatasetRow>
  readonly #mark: Statement<[number], RecordingDataMark>

  constructor(connection: Connection) {
    this.#connection = connection
    const { db } = connection
    this.#insert = db.prepare<[string, string, number, string, string, string]>(
      `INSERT INTO datasets (name, version, created_at, config, snapshot, summary)
       VALUES (?, (SELECT coalesce(max(version), 0) + 1 FROM datasets WHERE name = ?), ?, ?, ?, ?)`,
    )
    this.#get = db.prepare<[number], DatasetRow>('SELECT * FROM datasets WHERE id = ?')
    this.#latest = db.prepare<[string], DatasetRow>(
      'SELECT * FROM datasets WHERE name = ? ORDER BY version DESC LIMIT 1',
    )
    this.#latestOfEach = db.prepare<[], DatasetRow>(
      `SELECT * FROM datasets AS d
       WHERE version = (SELECT max(version) FROM datasets WHERE name = d.name)
       ORDER BY created_at DESC, id DESC`,
    )
    // Undo and redo journal their changes too, so the newest seq moves with every label change.
    this.#mark = db.prepare<[number], RecordingDataMark>(
      `SELECT r.id,
         coalesce((SELECT max(seq) FROM label_journal WHERE recording_id = r.id), 0) AS labelSeq,
         coalesce((SELECT sum(n) FROM chunks WHERE stream_id IN
           (SELECT id FROM streams WHERE recording_id = r.id)), 0) AS samples
       FROM recordings AS r WHERE r.id = ?`,
    )
  }

  /** Saves the next version of `name` (1 for a new name); returns its id. */
  save(dataset: NewDatasetVersion): number {
    const { name, config, snapshot, summary } = dataset
    return this.#connection.write(() =>
      Number(
        this.#insert.run(
          name,
          name,
          Date.now(),
          JSON.stringify(config),
          JSON.stringify(snapshot),
          JSON.stringify(summary),
        ).lastInsertRowid,
      ),
    )
  }

  get(id: number): DatasetVersion | undefined {
    const row = this.#get.get(id)
    return row && this.#datasetOf(row)
  }

  /** The newest version of `name` (whatever its case). */
  latest(name: string): DatasetVersion | undefined {
    const row = this.#latest.get(name)
    return row && this.#datasetOf(row)
  }

  /** The newest version of every name, newest first. */
  list(): DatasetVersion[] {
    return this.#latestOfEach.all().map((row) => this.#datasetOf(row))
  }

  /** Where each recording's labels and samples stand now (unknown ids are left out). */
  marks(recordingIds: readonly number[]): RecordingDataMark[] {
    return recordingIds.flatMap((id) => this.#mark.get(id) ?? [])
  }

  #datasetOf(row: DatasetRow): DatasetVersion {
    const { path } = this.#connection
    return {
      id: row.id,
      name: row.name,
      version: row.version,
      createdAt: row.created_at,
      config: readJsonColumn(DatasetConfig, row.config, 'datasets.config', path),
      snapshot: readJsonColumn(DatasetSnapshot, row.snapshot, 'datasets.snapshot', path),
      summary: readJsonColumn(DatasetSummary, row.summary, 'datasets.summary', path),
    }
  }
}
