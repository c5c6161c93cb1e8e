import { readdir, stat } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import type { JsonObject } from '../../store/index.js'
import { importableExtension } from './detect-format.js'
import type { ImportFormat } from './detect-format.js'
import { LABELS_FILE, readLabels } from './edge-impulse-labels.js'
import { ImportError } from './import-error.js'

/** One file to import, with what a listing said about it. */
export interface ImportJob {
  file: string
  name: string | null
  tags: string[]
  metadata: JsonObject
}

export interface ExpandedPaths {
  jobs: ImportJob[]
  /** Paths that cannot be imported at all (missing, unreadable, a refused info.labels). */
  errors: ImportError[]
}

/** Folders below the one given that are still searched (an export has one or two levels). */
const MAX_FOLDER_DEPTH = 8

/**
 * The files behind the paths a user gave: a file is itself; a folder with an `info.labels` is
 * the files it lists; any other folder is its .csv/.json/.cbor files (for `format` csv or ei,
 * only those), its subfolders searched the same way.
 */
export async function expandPaths(
  paths: readonly string[],
  format: ImportFormat,
): Promise<ExpandedPaths> {
  const expanded: ExpandedPaths = { jobs: [], errors: [] }
  const seen = new Set<string>()
  const addJob = (job: ImportJob) => {
    if (seen.has(job.file)) return
    seen.add(job.file)
    expanded.jobs.push(job)
  }
  for (const path of paths.map((p) => resolve(p))) {
    try {
      const stats = await stat(path)
      if (stats.isDirectory()) {
        const before = expanded.jobs.length
        await expandFolder(path, format, 0, addJob)
        if (expanded.jobs.length === before) {
          throw new ImportError(path, 'contains no .csv, .json or .cbor file to import.')
        }
      } else if (basename(path) === LABELS_FILE) {
        for (const job of await readLabels(path)) addJob(job)
      } else {
        addJob({ file: path, name: null, tags: [], metadata: {} })
      }
    } catch (error) {
      expanded.errors.push(importErrorOf(path, error))
    }
  }
  return expanded
}

async function expandFolder(
  folder: string,
  format: ImportFormat,
  depth: number,
  addJob: (job: ImportJob) => void,
): Promise<void> {
  const entries = (await readdir(folder, { withFileTypes: true }))
    .filter((entry) => !entry.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))
  if (entries.some((entry) => entry.isFile() && entry.name === LABELS_FILE)) {
    for (const job of await readLabels(join(folder, LABELS_FILE))) addJob(job)
    return
  }
  for (const entry of entries) {
    const path = join(folder, entry.name)
    if (entry.isFile() && importableExtension(entry.name, format)) {
      addJob({ file: path, name: null, tags: [], metadata: {} })
    } else if (entry.isDirectory() && depth < MAX_FOLDER_DEPTH) {
      await expandFolder(path, format, depth + 1, addJob)
    }
  }
}

function importErrorOf(path: string, error: unknown): ImportError {
  if (error instanceof ImportError) return error
  const code = (error as NodeJS.ErrnoException | null)?.code
  if (code === 'ENOENT') return new ImportError(path, 'does not exist. Check the path.')
  if (typeof code === 'string') return new ImportError(path, `cannot be read (${code}).`)
  throw error
}
