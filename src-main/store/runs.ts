import type { Statement } from 'better-sqlite3'
import { z } from 'zod'
import type { Connection } from './connection.js'
import { JsonObjectSchema, readJsonColumn, type JsonObject } from './json.js'

export type RunStatus = 'queued' | 'running' | 'complete' | 'failed' | 'cancelled' | 'interrupted'

/** A training run, kept whole so any past model can be re-exported or re-flashed. */
export interface Run {
  id: number
  /** Unix ms */
  createdAt: number
  status: RunStatus
  config: JsonObject
  metrics: JsonObject
  /** Per-epoch series (loss, accuracy, ...). */
  curves: JsonObject
  /** Which recordings, windows and split the run trained on. */
  datasetRef: JsonObject
  /** Stored artifacts, without their bytes. */
  artifacts: { kind: string; size: number }[]
}

export interface NewRun {
  config: JsonObject
  datasetRef?: JsonObject
  status?: RunStatus
}

export type RunChange = Partial<
  Pick<Run, 'status' | 'config' | 'metrics' | 'curves' | 'datasetRef'>
>

interface RunRow {
  id: number
  created_at: number
  status: RunStatus
  config: string
  metrics: string
  curves: string
  dataset_ref: string
  artifacts: string
}

type RunFields = [RunStatus, string, string, string, string]

const SELECT_RUNS = `
  SELECT runs.*,
    (SELECT json_group_array(json_object('kind', kind, 'size', length(bytes)) ORDER BY kind)
     FROM run_artifacts WHERE run_id = runs.id) AS artifacts
  FROM runs`

export class Runs {
  readonly #connection: Connection
  readonly #insert: Statement<[number, RunStatus, string, string]>
  readonly #get: Statement<[number], RunRow>
  readonly #list: Statement<[], RunRow>
  readonly #update: Statement<[...RunFields, number]>
  readonly #putArtifact: Statement<[number, string, Buffer]>
  readonly #getArtifact: Statement<[number, string], Buffer>

  constructor(connection: Connection) {
    this.#connection = connection
    const { db } = connection
    this.#insert = db.prepare<[number, RunStatus, string, string]>(
      'INSERT INTO runs (created_at, status, config, dataset_ref) VALUES (?, ?, ?, ?)',
    )
    this.#get = db.prepare<[number], RunRow>(`${SELECT_RUNS} WHERE id = ?`)
    this.#list = db.prepare<[], RunRow>(`${SELECT_RUNS} ORDER BY id DESC`)
    this.#update = db.prepare<[...RunFields, number]>(
      `UPDATE runs SET status = ?, config = ?, metrics = ?, curves = ?, dataset_ref = ?
       WHERE id = ?`,
    )
    this.#putArtifact = db.prepare<[number, string, Buffer]>(
      'INSERT OR REPLACE INTO run_artifacts (run_id, kind, bytes) VALUES (?, ?, ?)',
    )
    this.#getArtifact = db
      .prepare<[number, string], Buffer>(
        'SELECT bytes FROM run_artifacts WHERE run_id = ? AND kind = ?',
      )
      .pluck()
  }

  create(run: NewRun): number {
    const { config, datasetRef = {}, status = 'queued' } = run
    return this.#connection.write(() =>
      Number(
        this.#insert.run(Date.now(), status, JSON.stringify(config), JSON.stringify(datasetRef))
          .lastInsertRowid,
      ),
    )
  }

  update(id: number, change: RunChange): void {
    this.#connection.write(() => {
      const current = this.get(id)
      if (!current) throw new RangeError(`Run ${id} does not exist`)
      this.#update.run(
        change.status ?? current.status,
        JSON.stringify(change.config ?? current.config),
        JSON.stringify(change.metrics ?? current.metrics),
        JSON.stringify(change.curves ?? current.curves),
        JSON.stringify(change.datasetRef ?? current.datasetRef),
        id,
      )
    })
  }

  get(id: number): Run | undefined {
    const row = this.#get.get(id)
    return row && runOf(row, this.#connection.path)
  }

  /** Newest first. */
  list(): Run[] {
    return this.#list.all().map((row) => runOf(row, this.#connection.path))
  }

  /** Stores (or replaces) an artifact, e.g. "model.tflite" (int8) or "normalization.json". */
  putArtifact(runId: number, kind: string, bytes: Uint8Array): void {
    const blob = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.#connection.write(() => this.#putArtifact.run(runId, kind, blob))
  }

  getArtifact(runId: number, kind: string): Uint8Array | undefined {
    return this.#getArtifact.get(runId, kind)
  }
}

const Artifacts = z.array(z.object({ kind: z.string(), size: z.number().int() }))

function runOf(row: RunRow, path: string): Run {
  const column = (text: string, name: string) =>
    readJsonColumn(JsonObjectSchema, text, `runs.${name}`, path)
  return {
    id: row.id,
    createdAt: row.created_at,
    status: row.status,
    config: column(row.config, 'config'),
    metrics: column(row.metrics, 'metrics'),
    curves: column(row.curves, 'curves'),
    datasetRef: column(row.dataset_ref, 'dataset_ref'),
    artifacts: readJsonColumn(Artifacts, row.artifacts, 'run_artifacts', path),
  }
}
