import { randomBytes } from 'node:crypto'
import { accessSync, closeSync, constants, fstatSync, linkSync, lstatSync } from 'node:fs'
import { mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync } from 'node:fs'
import type { Stats } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { kindOf, systemReason } from '../input-file.js'
import { MAX_IN_MEMORY_BYTES, ProjectFileError, projectFileErrorFromSqlite } from './errors.js'
import type { ReadOnlyReason } from './errors.js'
import { APPLICATION_ID, migrate, SCHEMA_VERSION, userVersion } from './migrations.js'
import { Project } from './project.js'

export interface OpenProjectOptions {
  /** Create the file (and its folder) when it does not exist. Default true. */
  create?: boolean
  /** Open for reading only: nothing is written, not even a migration. */
  readonly?: boolean
  /** Why a read-only project refuses changes, for its messages. Default 'opened-read-only'. */
  readOnlyReason?: ReadOnlyReason
  /** better-sqlite3 binary built for the running ABI (Electron's differs from Node's). */
  nativeBinding?: string
  /** How long to wait for another process's write lock before giving up. Default 5 s. */
  busyTimeoutMs?: number
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1')
const SQLITE_HEADER_BYTES = 100
const USER_VERSION_OFFSET = 60
const APPLICATION_ID_OFFSET = 68
/** SQLite's files beside a database; the first two belong to WAL mode. */
const COMPANIONS = ['-wal', '-shm', '-journal'] as const
/** Folders created for a new project at most (a path deeper than this is surely a mistake). */
const MAX_NEW_FOLDERS = 64
// O_NONBLOCK: a named pipe given as a project must not block the process until someone writes.
const PEEK_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0)

/**
 * Opens a project file, creating it if asked. An existing file is validated before anything is
 * written to it, and a file that is not ours is never modified and gets no new files beside it:
 * its kind and header are checked with plain reads, then SQLite looks at it through a connection
 * that only reads; only a valid project is reopened for writing, and migrated. Read-only opens
 * never take the write lock. Failures a user can meet are `ProjectFileError`s.
 */
export function openProject(path: string, options: OpenProjectOptions = {}): Project {
  if (path.includes('\0')) throw ProjectFileError.cannotCreate(path, 'the name contains a NUL byte')
  const file = resolve(path)
  const { create = true, readonly = false } = options
  const stats = statOf(file)
  if (!stats) {
    if (!create || readonly) throw ProjectFileError.notFound(file)
    createEmptyDatabase(file, options)
  } else if (!stats.isFile()) {
    throw ProjectFileError.notAFile(file, kindOf(stats))
  }
  checkHeader(file)
  const reader = openReader(file, options)
  let version: number
  try {
    version = inspect(reader.db, file)
    if (readonly && version < SCHEMA_VERSION) throw ProjectFileError.readOnly(file, 'needs-upgrade')
  } catch (error) {
    reader.close({ refused: true })
    throw userFacing(file, error)
  }
  if (readonly) {
    return new Project(reader.db, file, version, {
      readOnly: true,
      readOnlyReason: options.readOnlyReason,
      close: reader.close,
    })
  }
  reader.close({ refused: false })
  return openForWriting(file, options)
}

/** `stat` of the path, null when nothing is there; a link to nothing cannot become a project. */
function statOf(file: string): Stats | null {
  try {
    return statSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      const link = lstatOrNull(file)
      if (link?.isSymbolicLink()) {
        throw ProjectFileError.cannotCreate(file, 'it is a link to a file that does not exist')
      }
      return null
    }
    if (code === 'ENOTDIR') throw ProjectFileError.cannotCreate(file, notAFolderReason(file))
    throw ProjectFileError.cannotCreate(file, systemReason(error))
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path)
  } catch {
    return null
  }
}

/** Which part of the path is a file where a folder should be. */
function notAFolderReason(file: string): string {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const stats = lstatOrNull(dir)
    if (stats && !stats.isDirectory() && !stats.isSymbolicLink()) {
      return `${dir} is ${kindOf(stats)}, not a folder`
    }
  }
  return 'a part of the path is not a folder'
}

/**
 * An empty SQLite file, made beside `file` and linked into place only once its header is
 * written, so neither a crash nor a second TinyLoop creating the same project at the same moment
 * can leave a 0-byte or overwritten file. `openProject` then adopts it like any empty database.
 */
function createEmptyDatabase(file: string, options: OpenProjectOptions): void {
  makeFolders(file)
  const temporary = `${file}.${randomBytes(4).toString('hex')}.creating`
  try {
    // Made by hand first, so that a refusal comes with the operating system's reason.
    closeSync(openSync(temporary, 'wx'))
  } catch (error) {
    throw ProjectFileError.cannotCreate(file, systemReason(error))
  }
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
  } catch (error) {
    throw userFacing(file, error, (cause) => ProjectFileError.cannotCreate(file, cause))
  } finally {
    rmSync(temporary, { force: true })
  }
}

/**
 * The folders above `file` that do not exist yet, made one by one from the top. (Node's
 * recursive mkdir loops forever where a folder refuses new entries with ENOENT, as in /proc.)
 */
function makeFolders(file: string): void {
  const missing: string[] = []
  let dir = dirname(file)
  for (;;) {
    const stats = lstatOrNull(dir) && statOrNull(dir)
    if (stats) {
      if (!stats.isDirectory()) {
        throw ProjectFileError.cannotCreate(file, `${dir} is ${kindOf(stats)}, not a folder`)
      }
      break
    }
    if (lstatOrNull(dir)?.isSymbolicLink()) {
      throw ProjectFileError.cannotCreate(file, `${dir} is a link to a folder that does not exist`)
    }
    missing.push(dir)
    if (missing.length > MAX_NEW_FOLDERS || dir === dirname(dir)) {
      throw ProjectFileError.cannotCreate(file, 'its folder cannot be made')
    }
    dir = dirname(dir)
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && statOrNull(folder)?.isDirectory()) {
        continue // made by someone else meanwhile
      }
      throw ProjectFileError.cannotCreate(file, `the folder ${folder}: ${systemReason(error)}`)
    }
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path)
  } catch {
    return null
  }
}

/**
 * Rejects, before SQLite sees them, files that are not SQLite, belong to another application, or
 * are too new.
 */
function checkHeader(file: string): void {
  const header = Buffer.alloc(SQLITE_HEADER_BYTES)
  let length: number
  try {
    const descriptor = openSync(file, PEEK_FLAGS)
    try {
      const opened = fstatSync(descriptor)
      if (!opened.isFile()) throw ProjectFileError.notAFile(file, kindOf(opened))
      length = readSync(descriptor, header, 0, SQLITE_HEADER_BYTES, 0)
    } finally {
      closeSync(descriptor)
    }
  } catch (error) {
    if (error instanceof ProjectFileError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EISDIR') throw ProjectFileError.notAProject(file)
    if (code === 'EACCES' || code === 'EPERM') throw ProjectFileError.unreadable(file, error)
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
  // deciding here spares SQLite a look at the file.
  const version = header.readInt32BE(USER_VERSION_OFFSET)
  if (applicationId === APPLICATION_ID && version > SCHEMA_VERSION) {
    throw ProjectFileError.tooNew(file, version, SCHEMA_VERSION)
  }
}

/**
 * Checks, through a connection that only reads, that the file is a readable project of a schema
 * this version understands (or an empty database to adopt), and returns its schema version.
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

interface Reader {
  db: Database.Database
  /** Closes the connection; a refused file also loses the companions this connection made. */
  close(how?: { refused: boolean }): void
}

/**
 * A connection that only reads `file`, and leaves no new file beside it where it can help it.
 * SQLite gives every reader of a WAL-mode database a -wal and a -shm, which the last connection
 * removes on closing if it may write the file; a read-only connection leaves them. So:
 * - a file and folder we may write, with no companions yet: a normal connection that refuses
 *   writes (`query_only`); closing it removes what it made;
 * - otherwise a read-only connection; when the file is refused, the companions it made go;
 * - a folder we may not write, where SQLite cannot make the -shm it needs: a copy in memory.
 */
function openReader(file: string, options: OpenProjectOptions): Reader {
  const before = COMPANIONS.filter((suffix) => statOrNull(file + suffix))
  if (before.length === 0 && writable(file) && writable(dirname(file))) {
    const db = openSqlite(file, false, options)
    db.pragma('query_only = ON')
    return { db, close: () => db.close() }
  }
  const removeNew = () => {
    for (const suffix of COMPANIONS) {
      if (!before.includes(suffix)) rmSync(file + suffix, { force: true })
    }
  }
  let db: Database.Database
  try {
    db = openSqlite(file, true, options)
    db.pragma('schema_version') // the first read, where a WAL database needs its -shm
  } catch (error) {
    removeNew()
    const reason = userFacing(file, error)
    const readOnlyFolder =
      reason instanceof ProjectFileError && reason.code === 'READ_ONLY' && !writable(dirname(file))
    if (!readOnlyFolder) throw reason
    const memory = openInMemory(file, options)
    return { db: memory, close: () => memory.close() }
  }
  return {
    db,
    close: (how) => {
      db.close()
      if (how?.refused) removeNew()
    },
  }
}

/** The project read whole into memory, for a folder where SQLite may not make its -shm. */
function openInMemory(file: string, options: OpenProjectOptions): Database.Database {
  const size = statSync(file).size
  if (size > MAX_IN_MEMORY_BYTES) throw ProjectFileError.readOnly(file, 'folder-too-large')
  const bytes = readFileSync(file)
  // Header bytes 18 and 19 say WAL mode, which an in-memory copy cannot use: make it a plain file.
  if (bytes[18] === 2) bytes[18] = 1
  if (bytes[19] === 2) bytes[19] = 1
  try {
    return new Database(bytes, sqliteOptions(true, options))
  } catch (error) {
    throw userFacing(file, error)
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK)
    return true
  } catch {
    return false
  }
}

function openForWriting(file: string, options: OpenProjectOptions): Project {
  // SQLite would quietly fall back to read-only on a file it may not write.
  for (const path of [file, dirname(file)]) {
    try {
      accessSync(path, constants.W_OK)
    } catch (error) {
      throw ProjectFileError.readOnly(file, 'permissions', error)
    }
  }
  const db = openSqlite(file, false, options)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    // Truncate the WAL after checkpoints that follow big writes, instead of keeping it at its peak.
    db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`)
    migrate(db)
    db.pragma('foreign_keys = ON')
    return new Project(db, file, userVersion(db), { readOnly: false })
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

function userFacing(
  file: string,
  error: unknown,
  otherwise?: (reason: string) => ProjectFileError,
): unknown {
  if (error instanceof ProjectFileError) return error
  const known = projectFileErrorFromSqlite(file, error)
  if (known) return known
  if (otherwise && error instanceof Error) return otherwise(systemReason(error))
  return error
}
