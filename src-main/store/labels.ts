import type { Statement } from 'better-sqlite3'
import type { Connection } from './connection.js'

/** A region of a recording given a class; times in µs since the recording started. */
export interface Label {
  id: number
  recordingId: number
  classId: number
  startUs: number
  endUs: number
}

export type NewLabel = Omit<Label, 'id'>
export type LabelChange = Partial<Pick<Label, 'classId' | 'startUs' | 'endUs'>>
export type LabelOp = 'insert' | 'update' | 'delete'

/** One label change: enough to undo it, redo it, and say who made it. */
export interface LabelJournalEntry {
  seq: number
  /** Unix ms */
  at: number
  actor: string
  op: LabelOp
  labelId: number
  recordingId: number
  before: Label | null
  after: Label | null
}

interface LabelRow {
  id: number
  recording_id: number
  class_id: number
  start_us: number
  end_us: number
}

interface JournalRow {
  seq: number
  at: number
  actor: string
  op: LabelOp
  label_id: number
  recording_id: number
  before: string | null
  after: string | null
}

type JournalInsert = [number, string, LabelOp, number, number, string | null, string | null]

/** Labels, each change journaled in the transaction that makes it. */
export class Labels {
  readonly #connection: Connection
  readonly #list: Statement<[number], LabelRow>
  readonly #get: Statement<[number], LabelRow>
  readonly #insert: Statement<[number, number, number, number], LabelRow>
  readonly #update: Statement<[number, number, number, number], LabelRow>
  readonly #delete: Statement<[number]>
  readonly #journalInsert: Statement<JournalInsert>
  readonly #journalAll: Statement<[], JournalRow>
  readonly #journalOfRecording: Statement<[number], JournalRow>

  constructor(connection: Connection) {
    this.#connection = connection
    const { db } = connection
    this.#list = db.prepare<[number], LabelRow>(
      'SELECT * FROM labels WHERE recording_id = ? ORDER BY start_us, id',
    )
    this.#get = db.prepare<[number], LabelRow>('SELECT * FROM labels WHERE id = ?')
    this.#insert = db.prepare<[number, number, number, number], LabelRow>(
      `INSERT INTO labels (recording_id, class_id, start_us, end_us) VALUES (?, ?, ?, ?)
       RETURNING *`,
    )
    this.#update = db.prepare<[number, number, number, number], LabelRow>(
      'UPDATE labels SET class_id = ?, start_us = ?, end_us = ? WHERE id = ? RETURNING *',
    )
    this.#delete = db.prepare<[number]>('DELETE FROM labels WHERE id = ?')
    this.#journalInsert = db.prepare<JournalInsert>(
      `INSERT INTO label_journal (at, actor, op, label_id, recording_id, before, after)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#journalAll = db.prepare<[], JournalRow>('SELECT * FROM label_journal ORDER BY seq')
    this.#journalOfRecording = db.prepare<[number], JournalRow>(
      'SELECT * FROM label_journal WHERE recording_id = ? ORDER BY seq',
    )
  }

  /** In time order. */
  list(recordingId: number): Label[] {
    return this.#list.all(recordingId).map(labelOf)
  }

  /** `actor` says who made the change (a user name, "cli", "web 127.0.0.1", ...). */
  insert(label: NewLabel, actor: string): Label {
    checkSpan(label)
    return this.#connection.write(() => {
      const row = this.#insert.get(label.recordingId, label.classId, label.startUs, label.endUs)
      const after = labelOf(row as LabelRow)
      this.#journal(actor, 'insert', null, after)
      return after
    })
  }

  update(id: number, change: LabelChange, actor: string): Label {
    return this.#connection.write(() => {
      const before = this.#existing(id)
      const classId = change.classId ?? before.classId
      const startUs = change.startUs ?? before.startUs
      const endUs = change.endUs ?? before.endUs
      checkSpan({ startUs, endUs })
      const after = labelOf(this.#update.get(classId, startUs, endUs, id) as LabelRow)
      this.#journal(actor, 'update', before, after)
      return after
    })
  }

  delete(id: number, actor: string): void {
    this.#connection.write(() => {
      const before = this.#existing(id)
      this.#delete.run(id)
      this.#journal(actor, 'delete', before, null)
    })
  }

  /** Label changes in the order they were made, of one recording or of all. */
  journal(recordingId?: number): LabelJournalEntry[] {
    const rows =
      recordingId === undefined ? this.#journalAll.all() : this.#journalOfRecording.all(recordingId)
    return rows.map((row) => ({
      seq: row.seq,
      at: row.at,
      actor: row.actor,
      op: row.op,
      labelId: row.label_id,
      recordingId: row.recording_id,
      before: row.before === null ? null : (JSON.parse(row.before) as Label),
      after: row.after === null ? null : (JSON.parse(row.after) as Label),
    }))
  }

  #existing(id: number): Label {
    const row = this.#get.get(id)
    if (!row) throw new RangeError(`Label ${id} does not exist`)
    return labelOf(row)
  }

  #journal(actor: string, op: LabelOp, before: Label | null, after: Label | null): void {
    if (!actor) throw new RangeError('A label change needs an actor')
    const { id, recordingId } = (after ?? before) as Label
    const json = (label: Label | null) => label && JSON.stringify(label)
    this.#journalInsert.run(Date.now(), actor, op, id, recordingId, json(before), json(after))
  }
}

function checkSpan({ startUs, endUs }: Pick<Label, 'startUs' | 'endUs'>): void {
  if (!(Number.isFinite(startUs) && Number.isFinite(endUs) && endUs > startUs)) {
    throw new RangeError(`A label must end after it starts (${startUs}..${endUs} µs)`)
  }
}

function labelOf(row: LabelRow): Label {
  return {
    id: row.id,
    recordingId: row.recording_id,
    classId: row.class_id,
    startUs: row.start_us,
    endUs: row.end_us,
  }
}
