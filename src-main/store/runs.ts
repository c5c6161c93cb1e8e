import type { Statement } from 'better-sqlite3'
import { z } from 'zod'
import type { Connection } from './connection.js'
import { JsonObjectSchema, readJsonColumn, type JsonObject } from './json.js'
import { processAlive, THIS_PROCESS } from './process-owner.js'

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
  /** The saved dataset version it trained on, if any (null once that version is deleted). */
  datasetId: number | null
  /** Unix ms; null before it starts, or while it runs. */
  startedAt: number | null
  endedAt: number | null
  /** Why it failed, for people. */
  error: string | null
  /** Stored artifacts, without their bytes. */
  artifacts: { kind: string; size: number }[]
}

export interface NewRun {
  config: JsonObject
  datasetRef?: JsonObject
  datasetId?: number | null
  status?: RunStatus
}

export type RunChange = Partial<
  Pick<
    Run,
    'status' | 'config' | 'metrics' | 'curves' | 'datasetRef' | 'startedAt' | 'endedAt' | 'error'
  >
>

interface RunRow {
  id: number
  created_at: number
  status: RunStatus
  config: string
  metrics: string
  curves: string
  dataset_ref: string
  dataset_id: number | null
  started_at: number | null
  ended_at: number | null
  error: string | null
  owner: string | null
  heartbeat_at: number | null
  artifacts: string
}

type RunFields = [
  RunStatus,
  string,
  string,
  string,
  string,
  number | null,
  number | null,
  string | null,
]

const SELECT_RUNS = `
  SELECT runs.*,
    (SELECT json_group_array(json_object('kind', kind, 'size', length(bytes)) ORDER BY kind)
     FROM run_artifacts WHERE run_id = runs.id) AS artifacts
  FROM runs`

export class Runs {
  readonly #connection: Connection
  readonly #insert: Statement<
    [number, RunStatus, string, string, number | null, string | null, number | null]
  >
  readonly #get: Statement<[number], RunRow>
  readonly #list: Statement<[], RunRow>
  readonly #update: Statement<[...RunFields, number]>
  readonly #own: Statement<[string | null, number | null, number]>
  readonly #running: Statement<[], RunRow>
  readonly #putArtifact: Statement<[number, string, Buffer]>
  readonly #getArtifact: Statement<[number, string], Buffer>

  constructor(connection: Connection) {
    this.#connection = connection
    const { db } = connection
    this.#insert = db.prepare<
      [number, RunStatus, string, string, number | null, string | null, number | null]
    >(
      `INSERT INTO runs (created_at, status, config, dataset_ref, dataset_id, owner, heartbeat_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#get = db.prepare<[number], RunRow>(`${SELECT_RUNS} WHERE id = ?`)
    this.#list = db.prepare<[], RunRow>(`${SELECT_RUNS} ORDER BY id DESC`)
    this.#update = db.prepare<[...RunFields, number]>(
      `UPDATE runs SET status = ?, config = ?, metrics = ?, curves = ?, dataset_ref = ?,
         started_at = ?, ended_at = ?, error = ?
       WHERE id = ?`,
    )
    this.#own = db.prepare<[string | null, number | null, number]>(
      'UPDATE runs SET owner = ?, heartbeat_at = ? WHERE id = ?',
    )
    this.#running = db.prepare<[], RunRow>(`${SELECT_RUNS} WHERE status = 'running' ORDER BY id`)
    this.#putArtifact = db.prepare<[number, string, Buffer]>(
      'INSERT OR REPLACE INTO run_artifacts (run_id, kind, bytes) VALUES (?, ?, ?)',
    )
    this.#getArtifact = db
      .prepare<[number, string], Buffer>(
        'SELECT bytes FROM run_artifacts WHERE run_id = ? AND kind = ?',
      )
      .pluck()
  }

  /** A new run; one created 'running' is owned by this process from the start. */
  create(run: NewRun): number {
    const { config, datasetRef = {}, datasetId = null, status = 'queued' } = run
    const now = Date.now()
    const running = status === 'running'
    return this.#connection.write(() =>
      Number(
        this.#insert.run(
          now,
          status,
          JSON.stringify(config),
          JSON.stringify(datasetRef),
          datasetId,
          running ? THIS_PROCESS : null,
          running ? now : null,
        ).lastInsertRowid,
      ),
    )
  }

  update(id: number, change: RunChange): void {
    this.#connection.write(() => {
      const current = this.get(id)
      if (!current) throw new RangeError(`Run ${id} does not exist`)
      const next = { ...current, ...change }
      this.#update.run(
        next.status,
        JSON.stringify(next.config),
        JSON.stringify(next.metrics),
        JSON.stringify(next.curves),
        JSON.stringify(next.datasetRef),
        next.startedAt,
        next.endedAt,
        next.error,
        id,
      )
    })
  }

  /** Notes that this process is running `id` now (or, with `alive` false, no longer). */
  heartbeat(id: number, alive = true, at = Date.now()): void {
    this.#connection.write(() => this.#own.run(alive ? THIS_PROCESS : null, alive ? at : null, id))
  }

  /** Runs left 'running' by a process that died, or that has not written since `staleBefore`. */
  abandonedIds(staleBefore: number): number[] {
    return this.#running
      .all()
      .filter(
        (row) => !processAlive(row.owner) || (row.heartbeat_at ?? row.created_at) < staleBefore,
      )
      .map((row) => row.id)
  }

  /**
   * Marks the abandoned runs (see `abandonedIds`) interrupted; returns their ids. Reads first, so
   * that opening a project writes only when there is something to mark.
   */
  markInterrupted(staleBefore: number): number[] {
    if (this.abandonedIds(staleBefore).length === 0) return []
    return this.#connection.write(() => {
      const ids = this.abandonedIds(staleBefore)
      for (const id of ids) {
        this.update(id, {
          status: 'interrupted',
          endedAt: Date.now(),
          error: 'The process that ran this training stopped before it ended.',
        })
        this.#own.run(null, null, id)
      }
      return ids
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
    datasetId: row.dataset_id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    error: row.error,
    artifacts: readJsonColumn(Artifacts, row.artifacts, 'run_artifacts', path),
  }
}
