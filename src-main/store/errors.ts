import { basename } from 'node:path'

export type ProjectFileErrorCode =
  'NOT_FOUND' | 'NOT_A_PROJECT' | 'CORRUPT' | 'TOO_NEW' | 'READ_ONLY' | 'LOCKED'

/** Why a project cannot be written; each reason gets its own advice. */
export type ReadOnlyReason = 'permissions' | 'opened-read-only' | 'needs-upgrade'

/**
 * A project file that cannot be opened or written, told to the user: what happened, what to do,
 * naming the file. `code` is for programs (the UI picks its buttons from it).
 */
export class ProjectFileError extends Error {
  override readonly name = 'ProjectFileError'

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
      'needs-upgrade':
        `${name} was made by an older TinyLoop and must be upgraded before it can be read. ` +
        'Open it for editing once to upgrade it.',
    }
    return new ProjectFileError('READ_ONLY', path, messages[reason], { cause })
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
