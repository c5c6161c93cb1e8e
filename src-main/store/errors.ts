import { basename } from 'node:path'

/** A read-only project in a folder TinyLoop cannot write to is read into memory up to this. */
export const MAX_IN_MEMORY_BYTES = 1024 ** 3

export type ProjectFileErrorCode =
  | 'NOT_FOUND'
  | 'NOT_A_PROJECT'
  | 'CORRUPT'
  | 'TOO_NEW'
  | 'READ_ONLY'
  | 'LOCKED'
  | 'CANNOT_CREATE'
  | 'UNREADABLE'

/** Why a project cannot be written; each reason gets its own advice. */
export type ReadOnlyReason =
  'permissions' | 'opened-read-only' | 'not-writable' | 'needs-upgrade' | 'folder-too-large'

/**
 * A project file that cannot be opened or written, told to the user: what happened, what to do,
 * naming the file. `code` is for programs (the UI picks its buttons from it).
 */
export class ProjectFileError extends Error {
  override readonly name = 'ProjectFileError'
  /** For READ_ONLY: why the project cannot be written. */
  readOnlyReason: ReadOnlyReason | null = null

  private constructor(
    readonly code: ProjectFileErrorCode,
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }

  static notFound(path: string): ProjectFileError {
    return new ProjectFileError(
      'NOT_FOUND',
      path,
      `${basename(path)} does not exist (looked for ${path}). Check the path, or create a new project.`,
    )
  }

  static notAProject(path: string): ProjectFileError {
    return new ProjectFileError(
      'NOT_A_PROJECT',
      path,
      `${basename(path)} is not a TinyLoop project, so TinyLoop left it untouched. ` +
        'Choose a .tinyloop file, or a new file name to create a project.',
    )
  }

  /** A folder, pipe, device or socket given as a project. */
  static notAFile(path: string, kind: string): ProjectFileError {
    return new ProjectFileError(
      'NOT_A_PROJECT',
      path,
      `${path} is ${kind}, not a project file, so TinyLoop left it untouched. ` +
        'Choose a .tinyloop file, or a new file name to create a project.',
    )
  }

  /** A new project file that cannot be made, with the operating system's reason in words. */
  static cannotCreate(path: string, reason: string): ProjectFileError {
    return new ProjectFileError(
      'CANNOT_CREATE',
      path,
      `TinyLoop cannot create ${path}: ${reason}. Choose a folder you can write to.`,
    )
  }

  static unreadable(path: string, cause?: unknown): ProjectFileError {
    return new ProjectFileError(
      'UNREADABLE',
      path,
      `TinyLoop may not read ${path} (permission denied). Ask its owner for access, or copy it.`,
      { cause },
    )
  }

  static corrupt(path: string, cause?: unknown): ProjectFileError {
    return new ProjectFileError(
      'CORRUPT',
      path,
      `${basename(path)} is damaged and cannot be read; TinyLoop did not change it. ` +
        'Restore it from a backup or ask for a fresh copy.',
      { cause },
    )
  }

  static tooNew(path: string, fileVersion: number, supportedVersion: number): ProjectFileError {
    return new ProjectFileError(
      'TOO_NEW',
      path,
      `${basename(path)} was made by a newer TinyLoop (schema ${fileVersion}; this version reads ` +
        `up to ${supportedVersion}). Update TinyLoop to open it.`,
    )
  }

  static readOnly(path: string, reason: ReadOnlyReason, cause?: unknown): ProjectFileError {
    const name = basename(path)
    const messages: Record<ReadOnlyReason, string> = {
      permissions:
        `TinyLoop cannot write to ${name} or to its folder. ` +
        'Open it read-only, or copy it to a folder you can write to.',
      'opened-read-only': `${name} is open read-only, so this change was not saved. Reopen it for editing.`,
      'not-writable':
        `${name} is open read-only, because TinyLoop may not write it or its folder, so this ` +
        'change was not saved. Copy it to a folder you can write to and open the copy.',
      'needs-upgrade':
        `${name} was made by an older TinyLoop and must be upgraded before it can be read. ` +
        'Open it for editing once to upgrade it.',
      'folder-too-large':
        `${name} is in a folder TinyLoop cannot write to, and too large to read from there ` +
        `(over ${MAX_IN_MEMORY_BYTES / 1024 ** 3} GiB). Copy it to a folder you can write to.`,
    }
    const error = new ProjectFileError('READ_ONLY', path, messages[reason], { cause })
    error.readOnlyReason = reason
    return error
  }

  static locked(path: string, cause?: unknown): ProjectFileError {
    return new ProjectFileError(
      'LOCKED',
      path,
      `${basename(path)} is busy: another program is using it. ` +
        'Close the other TinyLoop window or program that has it open, then try again.',
      { cause },
    )
  }
}

/** The user-facing error for a SQLite failure on a project file, or undefined if it is a bug. */
export function projectFileErrorFromSqlite(
  path: string,
  error: unknown,
): ProjectFileError | undefined {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return undefined
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return ProjectFileError.corrupt(path, error)
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return ProjectFileError.locked(path, error)
  }
  // CANTOPEN on an existing file: SQLite could not create the -wal/-shm files beside it.
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) {
    return ProjectFileError.readOnly(path, 'permissions', error)
  }
  return undefined
}
