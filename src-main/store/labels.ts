import type { Statement } from 'better-sqlite3'
import type { Connection } from './connection.js'
import { SampleTimes } from './sample-times.js'

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

/** One change of an action. */
export type LabelEdit =
  | { op: 'insert'; label: NewLabel }
  | { op: 'update'; id: number; change: LabelChange }
  | { op: 'delete'; id: number }

export type LabelActionKind = 'edit' | 'undo' | 'redo'
/** Undo bookkeeping of an edit: see `label_actions` in migrations.ts. */
export type LabelActionState = 'done' | 'undone' | 'dropped'

/** One user action on the labels of a recording: an edit (one or more changes), undo or redo. */
export interface LabelAction {
  id: number
  recordingId: number
  /** Unix ms */
  at: number
  actor: string
  kind: LabelActionKind
  /** What the edit did, for people ("create anomaly 12.3–14.0 s"); undo and redo repeat it. */
  description: string
  /** The edit an undo or redo acted on; null for edits. */
  targetId: number | null
  /** Null for undo and redo. */
  state: LabelActionState | null
}

/** One label change: enough to undo it, redo it, and say who made it. */
export interface LabelJournalEntry {
  seq: number
  actionId: number
  /** Unix ms */
  at: number
  actor: string
  op: LabelOp
  labelId: number
  recordingId: number
  before: Label | null
  after: Label | null
}

export interface LabelEditResult {
  action: LabelAction
  /** Per edit, in order: the label after it (null for a delete). */
  labels: (Label | null)[]
}

/**
 * An undo or redo that cannot be applied because the labels are no longer as the action left
 * them (changed by something that does not journal, or a class that is gone). Nothing was changed.
 */
export class LabelHistoryConflict extends Error {
  override readonly name = 'LabelHistoryConflict'
}

interface LabelRow {
  id: number
  recording_id: number
  class_id: number
  start_us: number
  end_us: number
}

interface ActionRow {
  id: number
  recording_id: number
  at: number
  actor: string
  kind: LabelActionKind
  description: string
  target_id: number | null
  state: LabelActionState | null
}

interface JournalRow {
  seq: number
  action_id: number
  at: number
  actor: string
  op: LabelOp
  label_id: number
  recording_id: number
  before: string | null
  after: string | null
}

type JournalInsert = [number, number, string, LabelOp, number, number, string | null, string | null]
type ActionInsert = [
  number,
  number,
  string,
  LabelActionKind,
  string,
  number | null,
  LabelActionState | null,
]

/**
 * Labels, changed only through actions: each action and each of its label changes are journaled
 * in the transaction that makes them, which is what undo, redo and "who changed what" stand on.
 *
 * Undo history is linear per recording: the edits still 'done' form the undo stack (newest on
 * top), those 'undone' the redo stack (the one undone last on top); a new edit drops the redo
 * stack. Undo and redo are actions too, journaled with their own actor.
 */
export class Labels {
  readonly #connection: Connection
  readonly #list: Statement<[number], LabelRow>
  readonly #get: Statement<[number], LabelRow>
  readonly #insert: Statement<[number, number, number, number], LabelRow>
  readonly #insertWithId: Statement<[number, number, number, number, number], LabelRow>
  readonly #update: Statement<[number, number, number, number], LabelRow>
  readonly #delete: Statement<[number]>
  readonly #classExists: Statement<[number], number>
  readonly #actionInsert: Statement<ActionInsert>
  readonly #actionGet: Statement<[number], ActionRow>
  readonly #actionState: Statement<[LabelActionState, number]>
  readonly #dropRedo: Statement<[number]>
  readonly #dropDoneUpTo: Statement<[number, number]>
  readonly #dropUndoneFrom: Statement<[number, number]>
  readonly #nextUndo: Statement<[number], ActionRow>
  readonly #nextRedo: Statement<[number], ActionRow>
  readonly #actions: Statement<[number, number], ActionRow & { changes: number }>
  readonly #actionsOfClass: Statement<[number, number], ActionRow>
  readonly #journalInsert: Statement<JournalInsert>
  readonly #journalAll: Statement<[], JournalRow>
  readonly #journalOfRecording: Statement<[number], JournalRow>
  readonly #journalOfAction: Statement<[number], JournalRow>
  /** Sample times, to put label edges on samples. */
  readonly times: SampleTimes

  constructor(connection: Connection) {
    this.#connection = connection
    const { db } = connection
    this.times = new SampleTimes(db)
    this.#list = db.prepare<[number], LabelRow>(
      'SELECT * FROM labels WHERE recording_id = ? ORDER BY start_us, id',
    )
    this.#get = db.prepare<[number], LabelRow>('SELECT * FROM labels WHERE id = ?')
    this.#insert = db.prepare<[number, number, number, number], LabelRow>(
      `INSERT INTO labels (recording_id, class_id, start_us, end_us) VALUES (?, ?, ?, ?)
       RETURNING *`,
    )
    this.#insertWithId = db.prepare<[number, number, number, number, number], LabelRow>(
      `INSERT INTO labels (id, recording_id, class_id, start_us, end_us) VALUES (?, ?, ?, ?, ?)
       RETURNING *`,
    )
    this.#update = db.prepare<[number, number, number, number], LabelRow>(
      'UPDATE labels SET class_id = ?, start_us = ?, end_us = ? WHERE id = ? RETURNING *',
    )
    this.#delete = db.prepare<[number]>('DELETE FROM labels WHERE id = ?')
    this.#classExists = db.prepare<[number], number>('SELECT 1 FROM classes WHERE id = ?').pluck()
    this.#actionInsert = db.prepare<ActionInsert>(
      `INSERT INTO label_actions (recording_id, at, actor, kind, description, target_id, state)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#actionGet = db.prepare<[number], ActionRow>('SELECT * FROM label_actions WHERE id = ?')
    this.#actionState = db.prepare<[LabelActionState, number]>(
      'UPDATE label_actions SET state = ? WHERE id = ?',
    )
    this.#dropRedo = db.prepare<[number]>(
      `UPDATE label_actions SET state = 'dropped'
       WHERE recording_id = ? AND kind = 'edit' AND state = 'undone'`,
    )
    this.#dropDoneUpTo = db.prepare<[number, number]>(
      `UPDATE label_actions SET state = 'dropped'
       WHERE recording_id = ? AND kind = 'edit' AND state = 'done' AND id <= ?`,
    )
    this.#dropUndoneFrom = db.prepare<[number, number]>(
      `UPDATE label_actions SET state = 'dropped'
       WHERE recording_id = ? AND kind = 'edit' AND state = 'undone' AND id >= ?`,
    )
    this.#nextUndo = db.prepare<[number], ActionRow>(
      `SELECT * FROM label_actions WHERE recording_id = ? AND kind = 'edit' AND state = 'done'
       ORDER BY id DESC LIMIT 1`,
    )
    this.#nextRedo = db.prepare<[number], ActionRow>(
      `SELECT * FROM label_actions WHERE recording_id = ? AND kind = 'edit' AND state = 'undone'
       ORDER BY id LIMIT 1`,
    )
    this.#actions = db.prepare<[number, number], ActionRow & { changes: number }>(
      `SELECT *, (SELECT count(*) FROM label_journal WHERE action_id = a.id) AS changes
       FROM label_actions AS a WHERE recording_id = ? ORDER BY id DESC LIMIT ?`,
    )
    this.#actionsOfClass = db.prepare<[number, number], ActionRow>(
      `SELECT * FROM label_actions AS a
       WHERE kind = 'edit' AND state IN ('done', 'undone') AND EXISTS (
         SELECT 1 FROM label_journal AS j
         WHERE j.action_id = a.id AND (j.before ->> 'classId' = ? OR j.after ->> 'classId' = ?))
       ORDER BY id`,
    )
    this.#journalInsert = db.prepare<JournalInsert>(
      `INSERT INTO label_journal (action_id, at, actor, op, label_id, recording_id, before, after)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#journalAll = db.prepare<[], JournalRow>('SELECT * FROM label_journal ORDER BY seq')
    this.#journalOfRecording = db.prepare<[number], JournalRow>(
      'SELECT * FROM label_journal WHERE recording_id = ? ORDER BY seq',
    )
    this.#journalOfAction = db.prepare<[number], JournalRow>(
      'SELECT * FROM label_journal WHERE action_id = ? ORDER BY seq',
    )
  }

  /** In time order. */
  list(recordingId: number): Label[] {
    return this.#list.all(recordingId).map(labelOf)
  }

  get(id: number): Label | undefined {
    const row = this.#get.get(id)
    return row && labelOf(row)
  }

  /** One label as one action; `actor` says who (a user name, "cli", "web", ...). */
  insert(label: NewLabel, actor: string, description = 'insert label'): Label {
    const { labels } = this.edit(label.recordingId, actor, description, [{ op: 'insert', label }])
    return labels[0] as Label
  }

  update(id: number, change: LabelChange, actor: string, description = 'update label'): Label {
    return this.#connection.write(() => {
      const { recordingId } = this.#existing(id)
      const { labels } = this.edit(recordingId, actor, description, [{ op: 'update', id, change }])
      return labels[0] as Label
    })
  }

  delete(id: number, actor: string, description = 'delete label'): void {
    this.#connection.write(() => {
      const { recordingId } = this.#existing(id)
      this.edit(recordingId, actor, description, [{ op: 'delete', id }])
    })
  }

  /**
   * Makes `edits` (all of labels of `recordingId`) as one action, in one transaction: all of them
   * or none. The action becomes the top of the undo stack and the redo stack is dropped.
   */
  edit(
    recordingId: number,
    actor: string,
    description: string,
    edits: readonly LabelEdit[],
  ): LabelEditResult {
    if (!actor) throw new RangeError('A label change needs an actor')
    if (edits.length === 0) throw new RangeError('An action needs one or more label changes')
    return this.#connection.write(() => {
      const actionId = this.#newAction(recordingId, actor, 'edit', description, null, 'done')
      const labels = edits.map((edit) => this.#apply(actionId, recordingId, actor, edit))
      this.#dropRedo.run(recordingId)
      return { action: this.#action(actionId), labels }
    })
  }

  /** The edit an undo would revert (the newest one still done), if any. */
  nextUndo(recordingId: number): LabelAction | undefined {
    const row = this.#nextUndo.get(recordingId)
    return row && actionOf(row)
  }

  /** The edit a redo would make again (the one undone last), if any. */
  nextRedo(recordingId: number): LabelAction | undefined {
    const row = this.#nextRedo.get(recordingId)
    return row && actionOf(row)
  }

  /**
   * Reverts the newest edit still done, as a new 'undo' action; returns it, or null when there
   * is nothing to undo. Throws LabelHistoryConflict (changing nothing) if the labels are no
   * longer as that edit left them.
   */
  undo(recordingId: number, actor: string): LabelAction | null {
    if (!actor) throw new RangeError('An undo needs an actor')
    return this.#connection.write(() => {
      const target = this.nextUndo(recordingId)
      if (!target) return null
      const actionId = this.#newAction(recordingId, actor, 'undo', target.description, target.id)
      for (const entry of this.#entriesOf(target.id).reverse()) {
        const current = this.get(entry.labelId) ?? null
        const expected = entry.after
        if (!sameLabel(current, expected)) throw conflict('undo', target)
        this.#put(actionId, recordingId, actor, entry.labelId, current, entry.before, target)
      }
      this.#actionState.run('undone', target.id)
      return this.#action(actionId)
    })
  }

  /** Makes the edit undone last again, as a new 'redo' action; null when there is none. */
  redo(recordingId: number, actor: string): LabelAction | null {
    if (!actor) throw new RangeError('A redo needs an actor')
    return this.#connection.write(() => {
      const target = this.nextRedo(recordingId)
      if (!target) return null
      const actionId = this.#newAction(recordingId, actor, 'redo', target.description, target.id)
      for (const entry of this.#entriesOf(target.id)) {
        const current = this.get(entry.labelId) ?? null
        if (!sameLabel(current, entry.before)) throw conflict('redo', target)
        this.#put(actionId, recordingId, actor, entry.labelId, current, entry.after, target)
      }
      this.#actionState.run('done', target.id)
      return this.#action(actionId)
    })
  }

  /** Forgets the undo stack, the redo stack or both of a recording (the journal stays). */
  clearHistory(recordingId: number, which: 'undo' | 'redo' | 'both'): void {
    this.#connection.write(() => {
      if (which !== 'redo') this.#dropDoneUpTo.run(recordingId, Number.MAX_SAFE_INTEGER)
      if (which !== 'undo') this.#dropRedo.run(recordingId)
    })
  }

  /**
   * Cuts the undo and redo stacks of every recording below the edits that involve `classId`, so
   * no undo or redo can bring back a label of a class about to be deleted.
   */
  forgetClass(classId: number): void {
    this.#connection.write(() => {
      const lastDone = new Map<number, number>()
      const firstUndone = new Map<number, number>()
      for (const action of this.#actionsOfClass.all(classId, classId)) {
        if (action.state === 'done') lastDone.set(action.recording_id, action.id)
        else if (!firstUndone.has(action.recording_id)) {
          firstUndone.set(action.recording_id, action.id)
        }
      }
      for (const [recordingId, id] of lastDone) this.#dropDoneUpTo.run(recordingId, id)
      for (const [recordingId, id] of firstUndone) this.#dropUndoneFrom.run(recordingId, id)
    })
  }

  /** Actions on the labels of a recording, newest first, with how many labels each changed. */
  actions(recordingId: number, limit = 1000): (LabelAction & { changes: number })[] {
    return this.#actions
      .all(recordingId, limit)
      .map((row) => ({ ...actionOf(row), changes: row.changes }))
  }

  /** Label changes in the order they were made, of one recording or of all. */
  journal(recordingId?: number): LabelJournalEntry[] {
    const rows =
      recordingId === undefined ? this.#journalAll.all() : this.#journalOfRecording.all(recordingId)
    return rows.map(entryOf)
  }

  #entriesOf(actionId: number): LabelJournalEntry[] {
    return this.#journalOfAction.all(actionId).map(entryOf)
  }

  #existing(id: number): Label {
    const row = this.#get.get(id)
    if (!row) throw new RangeError(`Label ${id} does not exist`)
    return labelOf(row)
  }

  #action(id: number): LabelAction {
    return actionOf(this.#actionGet.get(id) as ActionRow)
  }

  #newAction(
    recordingId: number,
    actor: string,
    kind: LabelActionKind,
    description: string,
    targetId: number | null,
    state: LabelActionState | null = null,
  ): number {
    const at = Date.now()
    return Number(
      this.#actionInsert.run(recordingId, at, actor, kind, description, targetId, state)
        .lastInsertRowid,
    )
  }

  #apply(actionId: number, recordingId: number, actor: string, edit: LabelEdit): Label | null {
    if (edit.op === 'insert') {
      const { label } = edit
      if (label.recordingId !== recordingId) {
        throw new RangeError(`A label of recording ${label.recordingId} in an action of another`)
      }
      checkSpan(label)
      const row = this.#insert.get(recordingId, label.classId, label.startUs, label.endUs)
      const after = labelOf(row as LabelRow)
      this.#journal(actionId, actor, 'insert', null, after)
      return after
    }
    const before = this.#existing(edit.id)
    if (before.recordingId !== recordingId) {
      throw new RangeError(`Label ${edit.id} belongs to recording ${before.recordingId}`)
    }
    if (edit.op === 'delete') {
      this.#delete.run(edit.id)
      this.#journal(actionId, actor, 'delete', before, null)
      return null
    }
    const { classId = before.classId, startUs = before.startUs, endUs = before.endUs } = edit.change
    checkSpan({ startUs, endUs })
    const after = labelOf(this.#update.get(classId, startUs, endUs, edit.id) as LabelRow)
    this.#journal(actionId, actor, 'update', before, after)
    return after
  }

  /** Makes label `id` be `wanted` (null: absent), from `current`, journaled. */
  #put(
    actionId: number,
    recordingId: number,
    actor: string,
    id: number,
    current: Label | null,
    wanted: Label | null,
    target: LabelAction,
  ): void {
    if (wanted && !this.#classExists.get(wanted.classId)) {
      throw new LabelHistoryConflict(
        `"${target.description}" cannot be undone or redone: its class no longer exists.`,
      )
    }
    if (current === null && wanted !== null) {
      const row = this.#insertWithId.get(
        id,
        recordingId,
        wanted.classId,
        wanted.startUs,
        wanted.endUs,
      )
      this.#journal(actionId, actor, 'insert', null, labelOf(row as LabelRow))
    } else if (current !== null && wanted === null) {
      this.#delete.run(id)
      this.#journal(actionId, actor, 'delete', current, null)
    } else if (current !== null && wanted !== null) {
      const row = this.#update.get(wanted.classId, wanted.startUs, wanted.endUs, id)
      this.#journal(actionId, actor, 'update', current, labelOf(row as LabelRow))
    }
  }

  #journal(
    actionId: number,
    actor: string,
    op: LabelOp,
    before: Label | null,
    after: Label | null,
  ): void {
    const { id, recordingId } = (after ?? before) as Label
    const json = (label: Label | null) => label && JSON.stringify(label)
    this.#journalInsert.run(
      actionId,
      Date.now(),
      actor,
      op,
      id,
      recordingId,
      json(before),
      json(after),
    )
  }
}

function conflict(what: 'undo' | 'redo', target: LabelAction): LabelHistoryConflict {
  return new LabelHistoryConflict(
    `"${target.description}" cannot be ${what === 'undo' ? 'undone' : 'redone'}: ` +
      'its labels were changed since by something that is not in the history.',
  )
}

function sameLabel(a: Label | null, b: Label | null): boolean {
  if (a === null || b === null) return a === b
  return (
    a.id === b.id &&
    a.recordingId === b.recordingId &&
    a.classId === b.classId &&
    a.startUs === b.startUs &&
    a.endUs === b.endUs
  )
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

function actionOf(row: ActionRow): LabelAction {
  return {
    id: row.id,
    recordingId: row.recording_id,
    at: row.at,
    actor: row.actor,
    kind: row.kind,
    description: row.description,
    targetId: row.target_id,
    state: row.state,
  }
}

function entryOf(row: JournalRow): LabelJournalEntry {
  return {
    seq: row.seq,
    actionId: row.action_id,
    at: row.at,
    actor: row.actor,
    op: row.op,
    labelId: row.label_id,
    recordingId: row.recording_id,
    before: row.before === null ? null : (JSON.parse(row.before) as Label),
    after: row.after === null ? null : (JSON.parse(row.after) as Label),
  }
}
