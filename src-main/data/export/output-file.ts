import { constants, createWriteStream } from 'node:fs'
import { copyFile, link, rename, rm, stat } from 'node:fs/promises'
import type { WriteStream } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { ServiceError } from '../../rpc/errors.js'

/** Writes text or bytes to a file, waiting when the disk is slower than the producer. */
export interface OutputSink {
  write(chunk: string | Uint8Array): Promise<void>
}

/**
 * Writes `path` and nothing else: the text goes to a temporary file beside it, which then takes
 * the name, so a failed export never leaves a half-written file and never replaces an existing
 * one unless `overwrite` says so (checked again at the last moment, by `link`, which refuses an
 * existing name atomically).
 */
export async function writeOutputFile(
  path: string,
  overwrite: boolean,
  produce: (sink: OutputSink) => Promise<void>,
): Promise<void> {
  await checkTarget(path, overwrite)
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const stream = createWriteStream(temporary, { flags: 'wx' })
  try {
    await once(stream, 'open')
    await produce(sinkOf(stream))
    stream.end()
    await once(stream, 'finish')
    await (overwrite ? rename(temporary, path) : placeExclusively(temporary, path))
  } catch (error) {
    throw writeFailure(path, error)
  } finally {
    stream.destroy()
    await rm(temporary, { force: true })
  }
}

async function checkTarget(path: string, overwrite: boolean): Promise<void> {
  const existing = await stat(path).catch(() => null)
  if (existing?.isDirectory()) {
    throw new ServiceError(
      'ALREADY_EXISTS',
      `${path} is a folder. Give the name of the file to write, such as ${join(path, 'recording.csv')}.`,
    )
  }
  if (existing && !overwrite) throw alreadyExists(path)
  const folder = await stat(dirname(path)).catch(() => null)
  if (!folder?.isDirectory()) {
    throw new ServiceError(
      'NOT_FOUND',
      `The folder ${dirname(path)} does not exist. Create it first.`,
    )
  }
}

async function placeExclusively(temporary: string, path: string): Promise<void> {
  try {
    await link(temporary, path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw error
    // File systems without hard links (FAT on a USB stick): an exclusive copy refuses too.
    await copyFile(temporary, path, constants.COPYFILE_EXCL)
  }
}

function writeFailure(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code
  if (code === 'EEXIST') return alreadyExists(path)
  if (typeof code !== 'string') return error
  return new ServiceError(
    'INVALID_ARGUMENT',
    `TinyLoop could not write ${path} (${code}). Choose a folder you can write to, with free space.`,
  )
}

function alreadyExists(path: string): ServiceError {
  return new ServiceError(
    'ALREADY_EXISTS',
    `${path} already exists and was left as it is. Choose another name, or allow replacing it ` +
      '(--force on the command line).',
  )
}

function sinkOf(stream: WriteStream): OutputSink {
  return {
    async write(chunk) {
      if (!stream.write(chunk)) await once(stream, 'drain')
    },
  }
}
