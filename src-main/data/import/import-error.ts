import { basename } from 'node:path'
import { InputFileError } from '../../input-file.js'

/**
 * A file that cannot be imported, told to the user: the file (and line, when there is one), what
 * is wrong, and what to do. Nothing of that file is stored.
 */
export class ImportError extends Error {
  override readonly name = 'ImportError'

  constructor(
    readonly file: string,
    problem: string,
    readonly line?: number,
  ) {
    super(`${basename(file)}${line === undefined ? '' : `, line ${line}`}: ${problem}`)
  }

  /** The import error for a file that could not be read at all, or null for other errors. */
  static ofUnreadable(error: unknown): ImportError | null {
    if (error instanceof ImportError) return error
    return error instanceof InputFileError ? new ImportError(error.path, error.reason) : null
  }
}
