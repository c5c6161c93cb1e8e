import { basename, extname } from 'node:path'
import { isObject } from './json.js'
import { className, problem, type FileLabel, type ParsedLabels } from './types.js'

/** One region of an Edge Impulse multi-label sample: samples startIndex..endIndex, inclusive. */
export interface EdgeImpulseRegion {
  label: string
  startIndex: number
  endIndex: number
}

interface Entry {
  /** Where the entry is, for messages: 'files[2]', 'structuredLabels["a.json"]'. */
  where: string
  name: string | null
  path: string | null
  label: unknown
}

/**
 * Edge Impulse labels of one sample: an `info.labels` (`{ version: 1, files: [{ path, name,
 * category, label: { type: 'multi-label', labels: [{ label, startIndex, endIndex }] } }] }`)
 * or a `structured_labels.labels` (`{ type: 'structured-labels', structuredLabels: { file:
 * [{ label, startIndex, endIndex }] } }`). Indices are sample numbers in the sample's values,
 * the end one included, as Edge Impulse's own SDK reads and writes them. A file listing several
 * samples gives the one named like the recording (or `sampleName`).
 */
export function parseEdgeImpulse(
  document: unknown,
  recordingName: string,
  sampleName?: string,
): ParsedLabels {
  const result: ParsedLabels = { labels: [], problems: [], colors: new Map() }
  const fail = (message: string) => {
    result.problems.push({ line: null, index: null, message })
    return result
  }
  const entries: Entry[] = []
  if (isObject(document) && isObject(document.structuredLabels)) {
    for (const [file, labels] of Object.entries(document.structuredLabels)) {
      entries.push({
        where: `structuredLabels[${JSON.stringify(file)}]`,
        name: null,
        path: file,
        label: { type: 'multi-label', labels },
      })
    }
  } else if (isObject(document) && Array.isArray(document.files)) {
    for (const [i, file] of document.files.entries()) {
      if (!isObject(file)) return fail(`files[${i}] is not an object.`)
      entries.push({
        where: `files[${i}].label`,
        name: typeof file.name === 'string' ? file.name : null,
        path: typeof file.path === 'string' ? file.path : null,
        label: file.label,
      })
    }
  } else {
    return fail(
      'this is not Edge Impulse labels: an info.labels has a "files" list, a ' +
        'structured_labels.labels a "structuredLabels" object.',
    )
  }
  const wanted = [sampleName, recordingName].filter((n): n is string => Boolean(n))
  const matches = (entry: Entry) =>
    wanted.some(
      (name) =>
        entry.name === name ||
        (entry.path !== null &&
          (basename(entry.path) === name || basename(entry.path, extname(entry.path)) === name)),
    )
  const named = entries.filter(matches)
  const entry = entries.length === 1 ? entries[0] : named.length === 1 ? named[0] : undefined
  if (!entry) {
    return fail(
      entries.length === 0
        ? 'this file lists no samples.'
        : `this file lists ${entries.length} samples and ${named.length === 0 ? 'none' : named.length} ` +
            `of them ${named.length === 1 ? 'is' : 'are'} named "${wanted.join('" or "')}". ` +
            'Give the sample name to import.',
    )
  }
  const { label } = entry
  if (label === undefined || label === null) return result
  if (typeof label === 'string' || (isObject(label) && label.type === 'label')) {
    const name = className(typeof label === 'string' ? label : label.label)
    if (name === null) return fail(`${entry.where}: the label is not a class name.`)
    result.labels.push({
      where: entry.where,
      line: null,
      index: null,
      label: name,
      span: { unit: 'whole' },
    })
    return result
  }
  if (!isObject(label) || label.type === 'unlabeled') return result
  if (label.type !== 'multi-label' || !Array.isArray(label.labels)) {
    return fail(
      `${entry.where}: label type ${JSON.stringify(label.type)} is not one TinyLoop reads.`,
    )
  }
  for (const [index, region] of label.labels.entries()) {
    const at = { where: `${entry.where}.labels[${index}]`, line: null, index }
    if (!isObject(region)) {
      result.problems.push(problem(at, 'is not an object { label, startIndex, endIndex }.'))
      continue
    }
    const { startIndex, endIndex } = region
    const name = className(region.label)
    if (!isSampleNumber(startIndex)) {
      result.problems.push(problem(at, '"startIndex" must be a sample number (0, 1, 2, ...).'))
    } else if (!isSampleNumber(endIndex)) {
      result.problems.push(problem(at, '"endIndex" must be a sample number (0, 1, 2, ...).'))
    } else if (name === null) {
      result.problems.push(problem(at, '"label" must be a class name.'))
    } else {
      result.labels.push({
        ...at,
        label: name,
        span: { unit: 'sample', start: startIndex, end: endIndex },
      } satisfies FileLabel)
    }
  }
  return result
}

/** An `info.labels` for one sample file whose values are the recording's samples. */
export function writeEdgeImpulse(
  sample: { path: string; name: string },
  regions: readonly EdgeImpulseRegion[],
): string {
  const document = {
    version: 1,
    files: [
      {
        path: sample.path,
        name: sample.name,
        category: 'split',
        label: { type: 'multi-label', labels: regions },
      },
    ],
  }
  return `${JSON.stringify(document, null, 2)}\n`
}

/**
 * Edge Impulse gives every sample of a multi-label sample exactly one label: the regions in
 * sample order with the gaps given to `gapLabel` (the default class; gaps stay when there is
 * none). Returns the two regions that overlap instead, which the format cannot hold.
 */
export function coverSamples(
  regions: readonly EdgeImpulseRegion[],
  sampleCount: number,
  gapLabel: string | null,
): { regions: EdgeImpulseRegion[] } | { overlap: [EdgeImpulseRegion, EdgeImpulseRegion] } {
  const sorted = [...regions].sort((a, b) => a.startIndex - b.startIndex)
  const out: EdgeImpulseRegion[] = []
  let next = 0
  let previous: EdgeImpulseRegion | null = null
  for (const region of sorted) {
    if (previous && region.startIndex <= previous.endIndex) return { overlap: [previous, region] }
    if (gapLabel !== null && region.startIndex > next) {
      out.push({ label: gapLabel, startIndex: next, endIndex: region.startIndex - 1 })
    }
    out.push(region)
    next = region.endIndex + 1
    previous = region
  }
  if (gapLabel !== null && next < sampleCount) {
    out.push({ label: gapLabel, startIndex: next, endIndex: sampleCount - 1 })
  }
  return { regions: out }
}

function isSampleNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}
