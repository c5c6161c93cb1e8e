import { constants, type Stats } from 'node:fs'
import { open, stat, type FileHandle } from 'node:fs/promises'
import { Transform, type Readable } from 'node:stream'
import { formatBytes } from '../src-preload/limits.js'

/**
 * Files given by a user are untrusted in kind as well as in content: a named pipe blocks whoever
 * opens it until something writes to it, a device such as /dev/zero never ends, and `stat().size`
 * is 0 for both. Every file TinyLoop reads on a user's say-so goes through here: anything that is
 * not a regular file is refused before it is opened, the file is opened without blocking and
 * checked again on the open descriptor, and bytes are counted against the limit as they are read.
 */

export type InputFileProblem = 'NOT_FOUND' | 'NOT_A_FILE' | 'TOO_LARGE' | 'UNREADABLE'

/** A file that cannot be read, with the reason in words (without the file's name). */
export class InputFileError extends Error {
  override readonly name = 'InputFileError'

  constructor(
    readonly problem: InputFileProblem,
    readonly path: string,
    /** For people, to follow the file's name: "is a named pipe (FIFO), not a file." */
    readonly reason: string,
  ) {
    super(`${path} ${reason}`)
  }
}

// O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer. (Windows has none.)
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0)

type FileType = Pick<
  Stats,
  'isFile' | 'isDirectory' | 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket'
>

/** What a path is, in words, for the messages (from `stat` or a folder listing). */
export function kindOf(stats: FileType): string {
  if (stats.isFile()) return 'a file'
  if (stats.isDirectory()) return 'a folder'
  if (stats.isFIFO()) return 'a named pipe (FIFO)'
  if (stats.isCharacterDevice()) return 'a character device'
  if (stats.isBlockDevice()) return 'a block device'
  if (stats.isSocket()) return 'a socket'
  return 'not a regular file'
}

/** The reason in words for a failed file system call: "permission denied" for EACCES. */
export function systemReason(error: unknown): string {
  const err = error as NodeJS.ErrnoException | null
  // Node's messages are "EACCES: permission denied, open '/x'": the part after the code is the
  // operating system's own description.
  const described = /^[A-Z0-9_]+: ([^,]+)/.exec(err?.message ?? '')?.[1]
  return described ?? err?.code ?? String(error)
}

function failureOf(path: string, error: unknown): InputFileError {
  if (error instanceof InputFileError) return error
  const code = (error as NodeJS.ErrnoException | null)?.code
  if (code === 'ENOENT') return new InputFileError('NOT_FOUND', path, 'does not exist.')
  if (code === 'ENOTDIR') {
    return new InputFileError('NOT_FOUND', path, 'does not exist: a part of its path is a file.')
  }
  if (code === 'EISDIR') return notAFile(path, 'a folder')
  return new InputFileError('UNREADABLE', path, `cannot be read: ${systemReason(error)}.`)
}

function notAFile(path: string, kind: string): InputFileError {
  return new InputFileError(
    'NOT_A_FILE',
    path,
    `is ${kind}, not a regular file. TinyLoop reads regular files only.`,
  )
}

function tooLarge(path: string, maxBytes: number): InputFileError {
  return new InputFileError(
    'TOO_LARGE',
    path,
    `is larger than ${formatBytes(maxBytes)}, the most TinyLoop reads from a file of this kind.`,
  )
}

/** A regular file, opened for reading; refuses anything else without blocking on it. */
export async function openInputFile(path: string): Promise<{ handle: FileHandle; size: number }> {
  try {
    const before = await stat(path)
    if (!before.isFile()) throw notAFile(path, kindOf(before))
    const handle = await open(path, OPEN_FLAGS)
    try {
      // The path may have been swapped between the two calls: what counts is what was opened.
      const opened = await handle.stat()
      if (!opened.isFile()) throw notAFile(path, kindOf(opened))
      return { handle, size: opened.size }
    } catch (error) {
      await handle.close()
      throw error
    }
  } catch (error) {
    throw failureOf(path, error)
  }
}

/** The whole file, refused if it turns out (while reading, not by `stat`) larger than `maxBytes`. */
export async function readInputFile(path: string, maxBytes: number): Promise<Buffer> {
  const { handle, size } = await openInputFile(path)
  try {
    if (size > maxBytes) throw tooLarge(path, maxBytes)
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(size - total + 1, 64 * 1024), 1024 * 1024))
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      total += bytesRead
      if (total > maxBytes) throw tooLarge(path, maxBytes)
      chunks.push(chunk.subarray(0, bytesRead))
    }
    return Buffer.concat(chunks, total)
  } catch (error) {
    throw failureOf(path, error)
  } finally {
    await handle.close()
  }
}

/** The first `count` bytes of a regular file (fewer if it is shorter). */
export async function readInputHead(path: string, count: number): Promise<Buffer> {
  const { handle } = await openInputFile(path)
  try {
    const buffer = Buffer.alloc(count)
    const { bytesRead } = await handle.read(buffer, 0, count, 0)
    return buffer.subarray(0, bytesRead)
  } catch (error) {
    throw failureOf(path, error)
  } finally {
    await handle.close()
  }
}

/**
 * A stream of the file's bytes that fails with TOO_LARGE once more than `maxBytes` have come,
 * whatever `stat` said. `bytesRead()` tells how far it got.
 */
export async function streamInputFile(
  path: string,
  maxBytes: number,
): Promise<{ stream: Readable; size: number; bytesRead: () => number }> {
  const { handle, size } = await openInputFile(path)
  if (size > maxBytes) {
    await handle.close()
    throw tooLarge(path, maxBytes)
  }
  let total = 0
  const source = handle.createReadStream({ autoClose: true })
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length
      if (total > maxBytes) done(tooLarge(path, maxBytes))
      else done(null, chunk)
    },
  })
  source.on('error', (error) => counted.destroy(failureOf(path, error)))
  counted.on('close', () => source.destroy())
  return { stream: source.pipe(counted), size, bytesRead: () => total }
}
