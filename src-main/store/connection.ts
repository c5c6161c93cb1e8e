import type { Database } from 'better-sqlite3'
import { ProjectFileError, projectFileErrorFromSqlite } from './errors.js'

/** The open SQLite connection of a project, shared by its sub-APIs. */
export class Connection {
  constructor(
    readonly db: Database,
    readonly path: string,
    readonly readOnly: boolean,
  ) {}

  /**
   * Runs `write` in one transaction. IMMEDIATE takes the write lock up front, so a busy file waits
   * for the busy timeout instead of failing when a read turns into a write.
   */
  write<T>(write: () => T): T {
    if (this.readOnly) throw ProjectFileError.readOnly(this.path, 'opened-read-only')
    try {
      return this.db.transaction(write).immediate()
    } catch (error) {
      throw projectFileErrorFromSqlite(this.path, error) ?? error
    }
  }
}
