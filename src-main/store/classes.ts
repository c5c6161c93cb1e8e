import type { Statement } from 'better-sqlite3'
import type { Connection } from './connection.js'

/** A class a label can give to a region of a recording (e.g. "bearing fault"). */
export interface LabelClass {
  id: number
  name: string
  /** "#rrggbb" */
  color: string
  /** Key that applies the class on the timeline, or null. */
  hotkey: string | null
  sortOrder: number
}

export type LabelClassInput = Omit<LabelClass, 'id' | 'hotkey' | 'sortOrder'> &
  Partial<Pick<LabelClass, 'id' | 'hotkey' | 'sortOrder'>>

interface ClassRow {
  id: number
  name: string
  color: string
  hotkey: string | null
  sort_order: number
}

type ClassFields = [string, string, string | null, number]

/** Keys of the `meta` table the label classes keep their project settings in. */
export type ClassSetting = 'classes_seeded' | 'classes_locked' | 'default_class_id'

/** How much a class is used: labels of it, and recordings whose default class it is. */
export interface ClassUsage {
  labels: number
  recordings: number
  defaultOf: number
}

export class Classes {
  readonly #connection: Connection
  readonly #list: Statement<[], ClassRow>
  readonly #upsertByName: Statement<ClassFields, number>
  readonly #updateById: Statement<[...ClassFields, number]>
  readonly #labelCount: Statement<[number], number>
  readonly #delete: Statement<[number]>
  readonly #get: Statement<[number], ClassRow>
  readonly #byName: Statement<[string], ClassRow>
  readonly #nextSortOrder: Statement<[], number>
  readonly #usage: Statement<[], { class_id: number; labels: number; recordings: number }>
  readonly #defaultOf: Statement<[], { class_id: number; n: number }>
  readonly #labelsFollowingProjectDefault: Statement<[number], number>
  readonly #settingGet: Statement<[ClassSetting], string>
  readonly #settingSet: Statement<[ClassSetting, string]>
  readonly #settingDelete: Statement<[ClassSetting]>

  constructor(connection: Connection) {
    this.#connection = connection
    const { db } = connection
    this.#list = db.prepare<[], ClassRow>('SELECT * FROM classes ORDER BY sort_order, name')
    this.#upsertByName = db
      .prepare<ClassFields, number>(
        `INSERT INTO classes (name, color, hotkey, sort_order) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET
           name = excluded.name, color = excluded.color, hotkey = excluded.hotkey, sort_order = excluded.sort_order
         RETURNING id`,
      )
      .pluck()
    this.#updateById = db.prepare<[...ClassFields, number]>(
      'UPDATE classes SET name = ?, color = ?, hotkey = ?, sort_order = ? WHERE id = ?',
    )
    this.#labelCount = db
      .prepare<[number], number>('SELECT count(*) FROM labels WHERE class_id = ?')
      .pluck()
    this.#delete = db.prepare<[number]>('DELETE FROM classes WHERE id = ?')
    this.#get = db.prepare<[number], ClassRow>('SELECT * FROM classes WHERE id = ?')
    this.#byName = db.prepare<[string], ClassRow>('SELECT * FROM classes WHERE name = ?')
    this.#nextSortOrder = db
      .prepare<[], number>('SELECT coalesce(max(sort_order) + 1, 0) FROM classes')
      .pluck()
    this.#usage = db.prepare(
      `SELECT class_id, count(*) AS labels, count(DISTINCT recording_id) AS recordings
       FROM labels GROUP BY class_id`,
    )
    this.#defaultOf = db.prepare(
      `SELECT default_class_id AS class_id, count(*) AS n FROM recordings
       WHERE default_class_id IS NOT NULL GROUP BY default_class_id`,
    )
    this.#labelsFollowingProjectDefault = db
      .prepare<[number], number>(
        `SELECT count(*) FROM labels JOIN recordings ON recordings.id = labels.recording_id
         WHERE labels.class_id = ? AND recordings.default_class_id IS NULL`,
      )
      .pluck()
    this.#settingGet = db
      .prepare<[ClassSetting], string>('SELECT value FROM meta WHERE key = ?')
      .pluck()
    this.#settingSet = db.prepare<[ClassSetting, string]>(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    )
    this.#settingDelete = db.prepare<[ClassSetting]>('DELETE FROM meta WHERE key = ?')
  }

  /** In display order. */
  list(): LabelClass[] {
    return this.#list.all().map(classOf)
  }

  get(id: number): LabelClass | undefined {
    const row = this.#get.get(id)
    return row && classOf(row)
  }

  /** The class of that name, whatever its case. */
  byName(name: string): LabelClass | undefined {
    const row = this.#byName.get(name)
    return row && classOf(row)
  }

  /** The sort order that puts a new class last. */
  nextSortOrder(): number {
    return this.#nextSortOrder.get() as number
  }

  /** Per class id, how much it is used (classes not in the map are not used). */
  usage(): Map<number, ClassUsage> {
    const usage = new Map<number, ClassUsage>()
    const of = (id: number) => {
      let entry = usage.get(id)
      if (!entry) usage.set(id, (entry = { labels: 0, recordings: 0, defaultOf: 0 }))
      return entry
    }
    for (const row of this.#usage.all()) {
      Object.assign(of(row.class_id), { labels: row.labels, recordings: row.recordings })
    }
    for (const row of this.#defaultOf.all()) of(row.class_id).defaultOf = row.n
    return usage
  }

  /** Labels of `classId` in recordings that have no default class of their own. */
  labelsFollowingProjectDefault(classId: number): number {
    return this.#labelsFollowingProjectDefault.get(classId) as number
  }

  /** A project setting of the classes, from the `meta` table. */
  setting(key: ClassSetting): string | undefined {
    return this.#settingGet.get(key)
  }

  /** Sets (or with null removes) a project setting of the classes. */
  setSetting(key: ClassSetting, value: string | null): void {
    this.#connection.write(() => {
      if (value === null) this.#settingDelete.run(key)
      else this.#settingSet.run(key, value)
    })
  }

  /** Updates the class with `id`, or else the one with the same name, or adds it; returns its id. */
  upsert(labelClass: LabelClassInput): number {
    const { id, name, color, hotkey = null, sortOrder = 0 } = labelClass
    const fields: ClassFields = [name, color, hotkey, sortOrder]
    return this.#connection.write(() => {
      if (id === undefined) return this.#upsertByName.get(...fields) as number
      if (this.#updateById.run(...fields, id).changes === 0) {
        throw new RangeError(`Class ${id} does not exist`)
      }
      return id
    })
  }

  /** Refuses to delete a class that labels still use: relabel or delete them first. */
  delete(id: number): void {
    this.#connection.write(() => {
      const labels = this.#labelCount.get(id) as number
      if (labels > 0) {
        throw new RangeError(
          `Class ${id} is used by ${labels} labels; relabel or delete them first`,
        )
      }
      this.#delete.run(id)
    })
  }
}

function classOf(row: ClassRow): LabelClass {
  return {
    id: row.id,
    name: row.name,
    color: row.color,
    hotkey: row.hotkey,
    sortOrder: row.sort_order,
  }
}
