import { realpath } from 'node:fs/promises'
import { basename, dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path'
import { readInputFile, readInputHead } from '../../input-file.js'
import type { Json, JsonObject } from '../../store/index.js'
import type { FileClasses } from './expand-paths.js'
import { ImportError } from './import-error.js'
import { MAX_DOCUMENT_BYTES } from './limits.js'

/** The names Edge Impulse's exporter gives its listing (the second when saved by a browser). */
export const LISTING_NAMES = ['info.labels', 'info.labels.json']

/** Bytes of a .json file read to tell a listing from a data file. */
const SNIFF_BYTES = 4096

/**
 * Whether `file` is an Edge Impulse listing: by its name, or, for any other .json, by its
 * content (a `version` and a `files` list, and no `payload`, which data files have).
 */
export async function isListing(file: string): Promise<boolean> {
  if (LISTING_NAMES.includes(basename(file))) return true
  if (extname(file).toLowerCase() !== '.json') return false
  const head = (await readInputHead(file, SNIFF_BYTES).catch(() => Buffer.alloc(0))).toString(
    'utf8',
  )
  return /"files"\s*:\s*\[/.test(head) && /"version"\s*:/.test(head) && !/"payload"\s*:/.test(head)
}

/** A file listed by an Edge Impulse `info.labels`, with what the listing says about it. */
export interface LabeledFile {
  file: string
  /** The sample's name in Edge Impulse. */
  name: string | null
  tags: string[]
  /** `label`, `category`, multi-label `labels` and the sample's own `metadata`, when given. */
  metadata: JsonObject
  /** The sample's label as its class, or its multi-label regions as labels. */
  classes: FileClasses
}

/**
 * Reads an `info.labels` (the Edge Impulse exporter format: `{ version: 1, files: [{ path, name,
 * category, label: { type: 'label', label } | { type: 'unlabeled' } | { type: 'multi-label',
 * labels }, metadata }] }`). Paths are relative to its folder; a listing that points outside
 * the folder is refused whole, since it cannot come from an export.
 */
export async function readLabels(labelsFile: string): Promise<LabeledFile[]> {
  const folder = await realpath(dirname(labelsFile))
  let text: string
  try {
    text = (await readInputFile(labelsFile, MAX_DOCUMENT_BYTES)).toString('utf8')
  } catch (error) {
    throw ImportError.ofUnreadable(error) ?? error
  }
  let listing: unknown
  try {
    listing = JSON.parse(text)
  } catch (error) {
    throw new ImportError(
      labelsFile,
      `is not valid JSON (${(error as Error).message}). Export the data set again.`,
    )
  }
  const fail = (problem: string): never => {
    throw new ImportError(labelsFile, `${problem} Nothing from this folder was imported.`)
  }
  if (!isObject(listing) || !Array.isArray(listing.files)) {
    return fail('has no "files" list, so it is not an Edge Impulse info.labels.')
  }
  if (listing.version !== undefined && listing.version !== 1) {
    return fail(`is version ${JSON.stringify(listing.version)}; TinyLoop reads version 1.`)
  }
  const files: LabeledFile[] = []
  for (const [i, entry] of (listing.files as unknown[]).entries()) {
    if (!isObject(entry) || typeof entry.path !== 'string' || entry.path === '') {
      return fail(`entry ${i + 1} has no "path".`)
    }
    const file = await insideFolder(folder, entry.path)
    if (!file) {
      return fail(
        `entry ${i + 1} ("${entry.path.slice(0, 200)}") points outside its folder; TinyLoop ` +
          'only imports files inside the folder of the info.labels.',
      )
    }
    files.push({
      file,
      name: typeof entry.name === 'string' ? entry.name : null,
      ...labelsOf(entry),
    })
  }
  return files
}

/** The path resolved inside `folder` (following links), or null if it escapes it. */
async function insideFolder(folder: string, path: string): Promise<string | null> {
  const file = resolve(folder, path)
  if (!isWithin(folder, file)) return null
  const real = await realpath(file).catch(() => file)
  return isWithin(folder, real) ? file : null
}

function isWithin(folder: string, file: string): boolean {
  const path = relative(folder, file)
  return path !== '' && !isAbsolute(path) && path !== '..' && !path.startsWith(`..${sep}`)
}

function labelsOf(
  entry: Record<string, unknown>,
): Pick<LabeledFile, 'tags' | 'metadata' | 'classes'> {
  const tags: string[] = []
  const metadata: JsonObject = {}
  const classes: FileClasses = { whole: null, regions: [] }
  const { category, label } = entry
  if (typeof category === 'string' && category !== '') {
    metadata.category = category
    tags.push(category)
  }
  const single = typeof label === 'string' ? label : isObject(label) ? label.label : undefined
  if (typeof single === 'string' && single !== '') {
    metadata.label = single
    tags.push(`label:${single}`)
    classes.whole = single
  }
  if (isObject(label) && Array.isArray(label.labels)) {
    metadata.labels = label.labels as Json
    for (const region of label.labels as unknown[]) {
      const name = isObject(region) ? region.label : undefined
      if (typeof name !== 'string' || name === '') continue
      if (!tags.includes(`label:${name}`)) tags.push(`label:${name}`)
      const { startIndex, endIndex } = region as Record<string, unknown>
      if (Number.isInteger(startIndex) && Number.isInteger(endIndex)) {
        classes.regions.push({
          name,
          startIndex: startIndex as number,
          endIndex: endIndex as number,
        })
      }
    }
  }
  if (isObject(entry.metadata)) metadata.edgeImpulseMetadata = entry.metadata as JsonObject
  return { tags, metadata, classes }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
