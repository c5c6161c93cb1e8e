import { basename } from 'node:path'

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
}
