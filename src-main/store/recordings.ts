import type { Statement } from 'better-sqlite3'
import { z } from 'zod'
import type { Connection } from './connection.js'
import { processAlive, THIS_PROCESS } from './process-owner.js'
import { JsonObjectSchema, readJsonColumn, type JsonObject } from './json.js'

export type RecordingStatus = 'recording' | 'complete' | 'interrupted' | 'imported'

/** A recording as the list shows it; the figures come from SQL aggregates, not sample blobs. */
export interface RecordingSummary {
  id: number
  name: string
  device: string | null
  notes: string
  tags: string[]
  /** Unix ms; the zero of the recording's `*Us` times. Null when unknown. */
  startedAt: number | null
  status: RecordingStatus
  streams: number
  /** Samples of all streams together. */
  samples: number
  /** From the first sample to one sample period after the last, over all streams. */
  durationS: number
  /** Rate of the fastest stream; null without streams. */
  rateHz: number | null
  /** Channel names of all streams, in stream order. */
  channels: string[]
  /** Labelled regions. */
  labels: number
}

export interface Recording extends RecordingSummary {
  createdAt: number
  metadata: JsonObject
  /** Class of the time not covered by a label (e.g. "normal"). */
  defaultClassId: number | null
}

export interface NewRecording {
  name: string
  device?: string | null
  notes?: string
  tags?: string[]
  startedAt?: number | null
  status?: RecordingStatus
  metadata?: JsonObject
  defaultClassId?: number | null
}

export type RecordingChange = Partial<Omit<NewRecording, 'status'>>

interface RecordingRow {
  id: number
  name: string
  device: string | null
  notes: string
  tags: string
  started_at: number | null
  status: RecordingStatus
  created_at: number
  metadata: string
  default_class_id: number | null
  stream_count: number
  label_count: number
  samples: number
  first_us: number | null
  end_us: number | null
  rate_hz: number | null
  channel_names: string
}

type RecordingFields = [string, string | null, string, string, number | null, string, number | null]

// Per stream: samples sum the covering index of chunks; first and last are index seeks.
const SELECT_RECORDINGS = `
  SELECT r.*, count(s.id) AS stream_count, max(s.rate_hz) AS rate_hz,
    coalesce(sum((SELECT sum(n) FROM chunks WHERE stream_id = s.id)), 0) AS samples,
    min((SELECT t0_us FROM chunks WHERE stream_id = s.id ORDER BY t0_us LIMIT 1)) AS first_us,
    max((SELECT t1_us FROM chunks WHERE stream_id = s.id ORDER BY t0_us DESC LIMIT 1)
        + 1e6 / s.rate_hz) AS end_us,
    (SELECT json_group_array(channel.value ->> 'name' ORDER BY named.id, channel.key)
     FROM streams AS named, json_each(named.channels) AS channel
     WHERE named.recording_id = r.id) AS channel_names,
    (SELECT count(*) FROM labels WHERE recording_id = r.id) AS label_count
  FROM recordings AS r LEFT JOIN streams AS s ON s.recording_id = r.id`

export class Recordings {
  readonly #connection: Connection
  readonly #insert: Statement<[...RecordingFields, RecordingStatus, number]>
  readonly #list: Statement<[], RecordingRow>
  readonly #get: Statement<[number], RecordingRow>
  readonly #update: Statement<[...RecordingFields, number]>
  readonly #setStatus: Statement<[RecordingStatus, number]>
  readonly #delete: Statement<[number]>
  readonly #heartbeat: Statement<[number, string, number]>
  readonly #stillRecording: Statement<
    [],
    { id: number; heartbeat_at: number | null; created_at: number; recorder: string | null }
  >
  readonly #markInterrupted: Statement<[number]>

  constructor(connection: Connection) {
    this.#connection = connection
    const { db } = connection
    this.#insert = db.prepare<[...RecordingFields, RecordingStatus, number]>(
      `INSERT INTO recordings
         (name, device, notes, tags, started_at, metadata, default_class_id, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#list = db.prepare<[], RecordingRow>(
      `${SELECT_RECORDINGS} GROUP BY r.id
       ORDER BY coalesce(r.started_at, r.created_at) DESC, r.id DESC`,
    )
    this.#get = db.prepare<[number], RecordingRow>(
      `${SELECT_RECORDINGS} WHERE r.id = ? GROUP BY r.id`,
    )
    this.#update = db.prepare<[...RecordingFields, number]>(
      `UPDATE recordings SET name = ?, device = ?, notes = ?, tags = ?, started_at = ?, metadata = ?,
         default_class_id = ?
       WHERE id = ?`,
    )
    this.#setStatus = db.prepare<[RecordingStatus, number]>(
      'UPDATE recordings SET status = ? WHERE id = ?',
    )
    this.#delete = db.prepare<[number]>('DELETE FROM recordings WHERE id = ?')
    this.#heartbeat = db.prepare<[number, string, number]>(
      'UPDATE recordings SET heartbeat_at = ?, recorder = ? WHERE id = ?',
    )
    this.#stillRecording = db.prepare(
      "SELECT id, heartbeat_at, created_at, recorder FROM recordings WHERE status = 'recording'",
    )
    this.#markInterrupted = db.prepare<[number]>(
      "UPDATE recordings SET status = 'interrupted' WHERE id = ?",
    )
  }

  /** A new recording, by default one that is being recorded now. */
  create(recording: NewRecording): number {
    const { status = 'recording' } = recording
    const fields = fieldsOf(recording)
    return this.#connection.write(() =>
      Number(this.#insert.run(...fields, status, Date.now()).lastInsertRowid),
    )
  }

  /** Newest first. */
  list(): RecordingSummary[] {
    return this.#list.all().map((row) => summaryOf(row, this.#connection.path))
  }

  get(id: number): Recording | undefined {
    const row = this.#get.get(id)
    return row && recordingOf(row, this.#connection.path)
  }

  update(id: number, change: RecordingChange): void {
    this.#connection.write(() => {
      const current = this.get(id)
      if (!current) throw new RangeError(`Recording ${id} does not exist`)
      this.#update.run(...fieldsOf({ ...current, ...change }), id)
    })
  }

  setStatus(id: number, status: RecordingStatus): void {
    this.#connection.write(() => {
      if (this.#setStatus.run(status, id).changes === 0) {
        throw new RangeError(`Recording ${id} does not exist`)
      }
    })
  }

  /** Notes that this process's recorder of `id` is alive (with each write it makes). */
  heartbeat(id: number, at = Date.now()): void {
    this.#connection.write(() => this.#heartbeat.run(at, THIS_PROCESS, id))
  }

  /**
   * Marks as interrupted the recordings still 'recording' whose recorder died: its process is
   * gone (same machine), or it has not written since `staleBefore` (Unix ms). Returns their ids.
   */
  markInterrupted(staleBefore: number): number[] {
    // Looked for first, so that opening a project takes the write lock only when there is work.
    if (this.interruptedIds(staleBefore).length === 0) return []
    return this.#connection.write(() => {
      const dead = this.interruptedIds(staleBefore)
      for (const id of dead) this.#markInterrupted.run(id)
      return dead
    })
  }

  /** The recordings still 'recording' whose recorder died (see `markInterrupted`). */
  interruptedIds(staleBefore: number): number[] {
    return this.#stillRecording
      .all()
      .filter((r) => !processAlive(r.recorder) || (r.heartbeat_at ?? r.created_at) < staleBefore)
      .map((r) => r.id)
  }

  /** Deletes the recording with its streams, samples, envelopes, labels and label journal. */
  delete(id: number): void {
    this.#connection.write(() => {
      this.#delete.run(id)
      // Give the freed pages back to the disk: a deleted recording can be gigabytes.
      this.#connection.db.pragma('incremental_vacuum')
    })
  }
}

function fieldsOf(recording: NewRecording): RecordingFields {
  const { name, device = null, notes = '', tags = [], startedAt = null } = recording
  const { metadata = {}, defaultClassId = null } = recording
  if (!name) throw new RangeError('A recording needs a name')
  return [
    name,
    device,
    notes,
    JSON.stringify(tags),
    startedAt,
    JSON.stringify(metadata),
    defaultClassId,
  ]
}

const Strings = z.array(z.string())

function summaryOf(row: RecordingRow, path: string): RecordingSummary {
  const durationUs = row.first_us === null || row.end_us === null ? 0 : row.end_us - row.first_us
  return {
    id: row.id,
    name: row.name,
    device: row.device,
    notes: row.notes,
    tags: readJsonColumn(Strings, row.tags, 'recordings.tags', path),
    startedAt: row.started_at,
    status: row.status,
    streams: row.stream_count,
    labels: row.label_count,
    samples: row.samples,
    durationS: durationUs / 1e6,
    rateHz: row.rate_hz,
    channels: readJsonColumn(Strings, row.channel_names, 'streams.channels (names)', path),
  }
}

function recordingOf(row: RecordingRow, path: string): Recording {
  return {
    ...summaryOf(row, path),
    createdAt: row.created_at,
    metadata: readJsonColumn(JsonObjectSchema, row.metadata, 'recordings.metadata', path),
    defaultClassId: row.default_class_id,
  }
}
