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

export class Classes {
  readonly #connection: Connection
  readonly #list: Statement<[], ClassRow>
  readonly #upsertByName: Statement<ClassFields, number>
  readonly #updateById: Statement<[...ClassFields, number]>
  readonly #labelCount: Statement<[number], number>
  readonly #delete: Statement<[number]>

  constructor(connection: Connection) {
    this.#connection = connection
    const { db } = connection
    this.#list = db.prepare<[], ClassRow>('SELECT * FROM classes ORDER BY sort_order, name')
    this.#upsertByName = db
      .prepare<ClassFields, number>(
        `INSERT INTO classes (name, color, hotkey, sort_order) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET
           color = excluded.color, hotkey = excluded.hotkey, sort_order = excluded.sort_order
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
  }

  /** In display order. */
  list(): LabelClass[] {
    return this.#list.all().map((row) => ({
      id: row.id,
      name: row.name,
      color: row.color,
      hotkey: row.hotkey,
      sortOrder: row.sort_order,
    }))
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
