import { randomBytes } from 'node:crypto'
import { accessSync, closeSync, constants, linkSync, mkdirSync, openSync, readSync } from 'node:fs'
import { renameSync, rmSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { ProjectFileError, projectFileErrorFromSqlite } from './errors.js'
import { APPLICATION_ID, migrate, SCHEMA_VERSION, userVersion } from './migrations.js'
import { Project } from './project.js'

export interface OpenProjectOptions {
  /** Create the file (and its folder) when it does not exist. Default true. */
  create?: boolean
  /** Open for reading only: nothing is written, not even a migration. */
  readonly?: boolean
  /** better-sqlite3 binary built for the running ABI (Electron's differs from Node's). */
  nativeBinding?: string
  /** How long to wait for another process's write lock before giving up. Default 5 s. */
  busyTimeoutMs?: number
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1')
const SQLITE_HEADER_BYTES = 100
const USER_VERSION_OFFSET = 60
const APPLICATION_ID_OFFSET = 68

/**
 * Opens a project file, creating it if asked. An existing file is validated before anything is
 * written to it, and a file that is not ours is never modified: its header is checked with plain
 * reads, then SQLite looks at it read-only; only a valid project is reopened for writing and
 * migrated. Failures a user can meet are `ProjectFileError`s.
 */
export function openProject(path: string, options: OpenProjectOptions = {}): Project {
  const file = resolve(path)
  const { create = true, readonly = false } = options
  if (!statSync(file, { throwIfNoEntry: false })) {
    if (!create || readonly) throw ProjectFileError.notFound(file)
    createEmptyDatabase(file, options)
  }
  checkHeader(file)
  const inspection = openSqlite(file, true, options)
  let version: number
  try {
    version = inspect(inspection, file)
    if (readonly && version < SCHEMA_VERSION) throw ProjectFileError.readOnly(file, 'needs-upgrade')
  } catch (error) {
    inspection.close()
    throw userFacing(file, error)
  }
  if (readonly) return new Project(inspection, file, version)
  inspection.close()
  return openForWriting(file, options)
}

/**
 * An empty SQLite file, made beside `file` and linked into place only once its header is
 * written, so neither a crash nor a second TinyLoop creating the same project at the same moment
 * can leave a 0-byte or overwritten file. `openProject` then adopts it like any empty database.
 */
function createEmptyDatabase(file: string, options: OpenProjectOptions): void {
  mkdirSync(dirname(file), { recursive: true })
  const temporary = `${file}.${randomBytes(4).toString('hex')}.creating`
  try {
    const db = new Database(temporary, sqliteOptions(false, options))
    // Both settings need a file without tables; WAL mode also writes page 1.
    db.pragma('auto_vacuum = INCREMENTAL')
    db.pragma('journal_mode = WAL')
    db.close()
    try {
      linkSync(temporary, file)
    } catch (error) {
      // EEXIST: another process created the project first, so open theirs.
      // Anything else: a file system without hard links (FAT), where rename is the best there is.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') renameSync(temporary, file)
    }
  } finally {
    rmSync(temporary, { force: true })
  }
}

/** Rejects, unopened, files that are not SQLite, belong to another application, or are too new. */
function checkHeader(file: string): void {
  const header = Buffer.alloc(SQLITE_HEADER_BYTES)
  let length: number
  try {
    const descriptor = openSync(file, 'r')
    try {
      length = readSync(descriptor, header, 0, SQLITE_HEADER_BYTES, 0)
    } finally {
      closeSync(descriptor)
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') throw ProjectFileError.notAProject(file)
    throw error
  }
  const applicationId = header.readUInt32BE(APPLICATION_ID_OFFSET)
  if (
    length < SQLITE_HEADER_BYTES ||
    !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC) ||
    (applicationId !== 0 && applicationId !== APPLICATION_ID)
  ) {
    throw ProjectFileError.notAProject(file)
  }
  // Versions only grow, so a newer one in the header is final even if a WAL holds a later one;
  // deciding here spares the file SQLite's -wal and -shm companions.
  const version = header.readInt32BE(USER_VERSION_OFFSET)
  if (applicationId === APPLICATION_ID && version > SCHEMA_VERSION) {
    throw ProjectFileError.tooNew(file, version, SCHEMA_VERSION)
  }
}

/**
 * Checks, through a read-only connection, that the file is a readable project of a schema this
 * version understands (or an empty database to adopt), and returns its schema version.
 */
function inspect(db: Database.Database, file: string): number {
  const applicationId = db.pragma('application_id', { simple: true }) as number
  const version = userVersion(db)
  if (applicationId !== APPLICATION_ID) {
    const objects = db
      .prepare("SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
      .pluck()
      .get() as number
    if (applicationId !== 0 || objects > 0 || version !== 0) {
      throw ProjectFileError.notAProject(file)
    }
  }
  if (version > SCHEMA_VERSION) throw ProjectFileError.tooNew(file, version, SCHEMA_VERSION)
  // Linear in the file size, but a damaged file is found here rather than mid-way through work.
  const problems = db.pragma('quick_check') as { quick_check: string }[]
  if (problems[0]?.quick_check !== 'ok') {
    const report = problems.map((problem) => problem.quick_check).join('; ')
    throw ProjectFileError.corrupt(file, new Error(report))
  }
  return version
}

function openForWriting(file: string, options: OpenProjectOptions): Project {
  try {
    // SQLite would quietly fall back to read-only on a file it may not write.
    accessSync(file, constants.W_OK)
  } catch (error) {
    throw ProjectFileError.readOnly(file, 'permissions', error)
  }
  const db = openSqlite(file, false, options)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    // Truncate the WAL after checkpoints that follow big writes, instead of keeping it at its peak.
    db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`)
    migrate(db)
    db.pragma('foreign_keys = ON')
    return new Project(db, file, userVersion(db))
  } catch (error) {
    db.close()
    throw userFacing(file, error)
  }
}

function openSqlite(
  file: string,
  readonly: boolean,
  options: OpenProjectOptions,
): Database.Database {
  try {
    return new Database(file, { ...sqliteOptions(readonly, options), fileMustExist: true })
  } catch (error) {
    throw userFacing(file, error)
  }
}

function sqliteOptions(readonly: boolean, options: OpenProjectOptions): Database.Options {
  const { nativeBinding, busyTimeoutMs = 5000 } = options
  return { readonly, timeout: busyTimeoutMs, ...(nativeBinding ? { nativeBinding } : {}) }
}

function userFacing(file: string, error: unknown): unknown {
  if (error instanceof ProjectFileError) return error
  return projectFileErrorFromSqlite(file, error) ?? error
}
