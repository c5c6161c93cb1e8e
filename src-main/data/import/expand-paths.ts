import type { Dirent, Stats } from 'node:fs'
import { readdir, realpath, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { kindOf, systemReason } from '../../input-file.js'
import type { JsonObject } from '../../store/index.js'
import { importableExtension } from './detect-format.js'
import type { ImportFormat } from './detect-format.js'
import { isListing, LISTING_NAMES, readLabels } from './edge-impulse-labels.js'
import { ImportError } from './import-error.js'

/** One file to import, with what a listing said about it. */
export interface ImportJob {
  file: string
  name: string | null
  tags: string[]
  metadata: JsonObject
  /** What a listing says the file is: one class for all of it, or labeled regions. */
  classes?: FileClasses
}

/** Classes a listing gives a file: `whole` for all of it, `regions` by sample index. */
export interface FileClasses {
  whole: string | null
  /** Inclusive sample indices, as Edge Impulse writes them. */
  regions: { name: string; startIndex: number; endIndex: number }[]
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
 * only those), its subfolders searched the same way. Links are followed like the files and
 * folders they point to (each folder once); a link to nothing, and a pipe, device or socket with
 * an importable name, is reported as skipped rather than dropped.
 */
export async function expandPaths(
  paths: readonly string[],
  format: ImportFormat,
): Promise<ExpandedPaths> {
  const expanded: ExpandedPaths = { jobs: [], errors: [] }
  const seen = new Set<string>()
  const walk: FolderWalk = {
    format,
    visited: new Set(),
    addJob: (job) => {
      if (seen.has(job.file)) return
      seen.add(job.file)
      expanded.jobs.push(job)
    },
    skip: (error) => expanded.errors.push(error),
  }
  for (const path of paths.map((p) => resolve(p))) {
    try {
      const stats = await stat(path)
      if (stats.isDirectory()) {
        const before = expanded.jobs.length
        await expandFolder(path, 0, walk)
        if (expanded.jobs.length === before) {
          throw new ImportError(path, 'contains no .csv, .json or .cbor file to import.')
        }
      } else if (!stats.isFile()) {
        throw notRegular(path, stats)
      } else if (await isListing(path)) {
        for (const job of await readLabels(path)) walk.addJob(job)
      } else {
        walk.addJob({ file: path, name: null, tags: [], metadata: {} })
      }
    } catch (error) {
      expanded.errors.push(importErrorOf(path, error))
    }
  }
  return expanded
}

interface FolderWalk {
  format: ImportFormat
  /** Real paths of the folders searched so far: a link back up is not followed twice. */
  visited: Set<string>
  addJob(job: ImportJob): void
  skip(error: ImportError): void
}

async function expandFolder(folder: string, depth: number, walk: FolderWalk): Promise<void> {
  const real = await realpath(folder)
  if (walk.visited.has(real)) return
  walk.visited.add(real)
  const entries = (await readdir(folder, { withFileTypes: true }))
    .filter((entry) => !entry.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))
  const listing = await listingIn(folder, entries)
  if (listing) {
    for (const job of await readLabels(listing)) walk.addJob(job)
    return
  }
  for (const entry of entries) {
    const path = join(folder, entry.name)
    const importable = importableExtension(entry.name, walk.format)
    let target: Stats | Dirent = entry
    if (entry.isSymbolicLink()) {
      const followed = await stat(path).catch(() => null)
      if (!followed) {
        if (importable) walk.skip(new ImportError(path, 'is a link to nothing; skipped.'))
        continue
      }
      target = followed
    }
    if (target.isFile()) {
      if (importable) walk.addJob({ file: path, name: null, tags: [], metadata: {} })
    } else if (target.isDirectory()) {
      if (depth < MAX_FOLDER_DEPTH) await expandFolder(path, depth + 1, walk)
    } else if (importable) {
      walk.skip(notRegular(path, target, '; skipped'))
    }
  }
}

/** The folder's Edge Impulse listing, by name first, else any .json that is one. */
async function listingIn(folder: string, entries: readonly Dirent[]): Promise<string | null> {
  const files = entries.filter((e) => !e.isDirectory()).map((e) => e.name)
  const named = LISTING_NAMES.find((name) => files.includes(name))
  if (named) return join(folder, named)
  for (const name of files.filter((f) => f.toLowerCase().endsWith('.json'))) {
    if (await isListing(join(folder, name))) return join(folder, name)
  }
  return null
}

function notRegular(path: string, stats: Stats | Dirent, suffix = ''): ImportError {
  return new ImportError(path, `is ${kindOf(stats)}, not a regular file${suffix}.`)
}

function importErrorOf(path: string, error: unknown): ImportError {
  if (error instanceof ImportError) return error
  const code = (error as NodeJS.ErrnoException | null)?.code
  if (code === 'ENOENT') return new ImportError(path, 'does not exist. Check the path.')
  if (typeof code === 'string') {
    return new ImportError(path, `cannot be read: ${systemReason(error)}.`)
  }
  return ImportError.ofUnreadable(error) ?? rethrow(error)
}

function rethrow(error: unknown): never {
  throw error
}
