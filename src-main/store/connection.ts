import type { Database } from 'better-sqlite3'
import { ProjectFileError, projectFileErrorFromSqlite, type ReadOnlyReason } from './errors.js'

/** The open SQLite connection of a project, shared by its sub-APIs. */
export class Connection {
  readonly readOnly: boolean

  constructor(
    readonly db: Database,
    readonly path: string,
    /** Why writes are refused, or null when the project is open for writing. */
    readonly readOnlyReason: ReadOnlyReason | null,
  ) {
    this.readOnly = readOnlyReason !== null
  }

  /**
   * Runs `write` in one transaction. IMMEDIATE takes the write lock up front, so a busy file waits
   * for the busy timeout instead of failing when a read turns into a write.
   */
  write<T>(write: () => T): T {
    if (this.readOnlyReason) throw ProjectFileError.readOnly(this.path, this.readOnlyReason)
    try {
      return this.db.transaction(write).immediate()
    } catch (error) {
      throw projectFileErrorFromSqlite(this.path, error) ?? error
    }
  }
}
