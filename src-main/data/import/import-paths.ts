import { stat } from 'node:fs/promises'
import type { Project } from '../../store/index.js'
import type { DecodedRecording } from './decoded-recording.js'
import { detectKind } from './detect-format.js'
import type { ImportFormat } from './detect-format.js'
import { expandPaths } from './expand-paths.js'
import type { ImportJob } from './expand-paths.js'
import { ImportError } from './import-error.js'
import { MAX_FILE_BYTES } from './limits.js'
import { ProgressThrottle } from './progress.js'
import type { ImportProgress } from './progress.js'
import { readCsv } from './read-csv.js'
import { readEdgeImpulse } from './read-edge-impulse.js'
import { classIdForImport } from '../../labels/class-service.js'
import { storeRecording, type StoreOptions } from './store-recording.js'

export interface ImportOptions {
  /** `auto` (default) picks by extension and content. */
  format?: ImportFormat
  /** Sample rate of CSV files without a time column (Hz); with one, it overrides the nominal rate. */
  rateHz?: number
  onProgress?: (progress: ImportProgress) => void
  /** Stops the import: the file being read is not stored, the files after it are not read. */
  signal?: AbortSignal
  /** Classes named by a listing or by the user, and who adds labels; see StoreOptions. */
  store?: Partial<StoreOptions>
}

export interface ImportedFile {
  ok: true
  file: string
  recordingId: number
  name: string
  samples: number
  channels: string[]
  rateHz: number
  durationS: number
}

export interface FailedFile {
  ok: false
  file: string
  /** For people: names the file (and line), says what is wrong and what to do. */
  error: string
  line: number | null
}

export type ImportOutcome = ImportedFile | FailedFile

/**
 * Imports files and folders (see expand-paths.ts) into `project`, each file as one new
 * recording in its own transaction: a file that fails is reported and leaves nothing behind,
 * and the others are imported all the same. Outcomes: the paths that could not be read at all,
 * then one per file, in order.
 */
export async function importPaths(
  project: Project,
  paths: readonly string[],
  options: ImportOptions = {},
): Promise<ImportOutcome[]> {
  const { format = 'auto', rateHz } = options
  if (rateHz !== undefined && !(Number.isFinite(rateHz) && rateHz > 0)) {
    throw new RangeError(`The sample rate must be a positive number of Hz, not ${rateHz}.`)
  }
  const { jobs, errors } = await expandPaths(paths, format)
  const outcomes: ImportOutcome[] = errors.map(failed)
  const sizes = await Promise.all(jobs.map((job) => sizeOf(job.file)))
  const progress = {
    file: '',
    bytesDone: 0,
    bytesTotal: sizes.reduce((sum, size) => sum + size, 0),
    filesDone: 0,
    filesTotal: jobs.length,
  }
  const throttle = new ProgressThrottle((update) => options.onProgress?.({ ...update }))
  for (const [i, job] of jobs.entries()) {
    const bytesBefore = progress.bytesDone
    progress.file = job.file
    throttle.update(progress)
    const onBytes = (bytesRead: number) => {
      progress.bytesDone = bytesBefore + bytesRead
      throttle.update(progress)
    }
    try {
      if (options.signal?.aborted) throw cancelled(job.file)
      outcomes.push(await importFile(project, job, sizes[i] ?? 0, { ...options, format, onBytes }))
    } catch (error) {
      outcomes.push(failed(ImportError.ofUnreadable(error) ?? storeFailure(job.file, error)))
    }
    progress.bytesDone = bytesBefore + (sizes[i] ?? 0)
    progress.filesDone++
    throttle.update(progress, progress.filesDone === jobs.length)
  }
  return outcomes
}

async function importFile(
  project: Project,
  job: ImportJob,
  size: number,
  options: ImportOptions & { format: ImportFormat; onBytes: (bytesRead: number) => void },
): Promise<ImportedFile> {
  const { format, rateHz, onBytes, signal } = options
  if (size > MAX_FILE_BYTES) {
    throw new ImportError(
      job.file,
      `is ${(size / 1024 ** 3).toFixed(1)} GiB; files over ${MAX_FILE_BYTES / 1024 ** 3} GiB ` +
        'are not imported. Split it into smaller files.',
    )
  }
  const kind = await detectKind(job.file, format)
  const decoded: DecodedRecording =
    kind === 'csv'
      ? await readCsv(job.file, { rateHz, onBytes, signal, cancelled: () => cancelled(job.file) })
      : await readEdgeImpulse(job.file, kind, onBytes)
  if (signal?.aborted) throw cancelled(job.file)
  const { recordingId } = storeRecording(project, job, decoded, {
    classIdOf: classIdForImport,
    actor: 'import',
    ...options.store,
  })
  const recording = project.recordings.get(recordingId)
  return {
    ok: true,
    file: job.file,
    recordingId,
    name: recording?.name ?? '',
    samples: decoded.samples,
    channels: decoded.channels.map((channel) => channel.name),
    rateHz: decoded.rateHz,
    durationS: recording?.durationS ?? 0,
  }
}

function cancelled(file: string): ImportError {
  return new ImportError(file, 'not imported: the import was cancelled.')
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size
  } catch {
    return 0 // reported when the file is read
  }
}

/** A failure after the file was read: the project refused the write (read-only, full disk...). */
function storeFailure(file: string, error: unknown): ImportError {
  const message = error instanceof Error ? error.message : String(error)
  if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
    return new ImportError(file, 'does not exist. Check the path.')
  }
  return new ImportError(file, `could not be imported: ${message}`)
}

function failed(error: ImportError): FailedFile {
  return { ok: false, file: error.file, error: error.message, line: error.line ?? null }
}
