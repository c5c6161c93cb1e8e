import { basename, resolve } from 'node:path'
import type { LabelFileFormat } from '../../src-preload/contract/index.js'
import { plural } from '../../src-preload/format.js'
import { MAX_LABEL_FILE_BYTES } from '../../src-preload/limits.js'
import { InputFileError, readInputFile } from '../input-file.js'
import { writeOutputFile } from '../data/export/output-file.js'
import { ServiceError } from '../rpc/errors.js'
import type { Project } from '../store/project.js'
import type { Recording } from '../store/recordings.js'
import type { ClassService } from './class-service.js'
import { formatSpan } from './describe.js'
import { parseCsv, writeCsv } from './formats/csv.js'
import { detectFormat } from './formats/detect.js'
import {
  coverSamples,
  parseEdgeImpulse,
  writeEdgeImpulse,
  type EdgeImpulseRegion,
} from './formats/edge-impulse.js'
import { parseJson, writeJson } from './formats/json.js'
import type { FileLabel, FileProblem, OutputLabel, ParsedLabels } from './formats/types.js'
import { problem } from './formats/types.js'
import { planLabels, type Wanted } from './merge.js'
import { SampleGrid } from './sample-grid.js'

/** Problems listed at most; the rest are counted. */
const MAX_PROBLEMS = 200

export interface ImportRequest {
  recordingId: number
  /** The file to read, on this machine; or `file`, given whole. */
  path?: string
  file?: { name: string; text: string }
  format: 'auto' | LabelFileFormat
  replace: boolean
  sample?: string
}

export interface ExportRequest {
  recordingId: number
  path: string
  format: LabelFileFormat
  overwrite: boolean
  sample?: string
}

export interface ExportResult {
  path: string
  format: LabelFileFormat
  labels: number
}

export type ImportResult =
  | {
      ok: true
      path: string
      format: LabelFileFormat
      imported: number
      skipped: number
      createdClasses: string[]
      /** Whether any label changed (false when the file had nothing new). */
      changed: boolean
    }
  | { ok: false; path: string; format: LabelFileFormat | null; problems: FileProblem[] }

interface ImportContext {
  project: Project
  classes: ClassService
  actor: string
}

/**
 * Reads a label file, checks every label against the recording (times inside it and at least
 * one sample long once snapped, classes known when they are locked) and stores them all as one
 * undoable action, merged like labels drawn on the timeline; or, if any label is wrong, nothing.
 * The steps: read, detect and parse, place (validate and snap), store.
 */
export async function importLabels(
  ctx: ImportContext,
  recording: Recording,
  request: ImportRequest,
): Promise<ImportResult> {
  const { path, text } = await readLabelSource(request)
  const { format, parsed } = parseLabelFile(path, text, request, recording.name)
  const failed = (problems: FileProblem[]): ImportResult => ({
    ok: false,
    path,
    format,
    problems: capped(sortProblems(problems)),
  })
  if ('notJson' in parsed) return failed([fileProblem(parsed.notJson)])
  const placed = placeLabels(ctx, recording, parsed)
  if (placed.problems.length > 0) return failed(placed.problems)

  const base = { ok: true as const, path, format, imported: placed.accepted.length }
  if (placed.accepted.length === 0 && !request.replace) {
    return { ...base, skipped: placed.skipped, createdClasses: [], changed: false }
  }
  const createdClasses = [...placed.toCreate.values()]
  const changed = storeLabels(ctx, recording, {
    path,
    accepted: placed.accepted,
    createdClasses,
    colors: parsed.colors,
    replace: request.replace,
  })
  return { ...base, skipped: placed.skipped, createdClasses, changed }
}

/** The file's name and text: read from `path` on this machine, or given whole. */
async function readLabelSource(request: ImportRequest): Promise<{ path: string; text: string }> {
  const given = request.file
  if ((request.path === undefined) === (given === undefined)) {
    throw new RangeError('An import needs a path or a file, one of them')
  }
  if (given) return { path: given.name, text: given.text }
  const path = resolve(request.path as string)
  return { path, text: await readLabelFile(path) }
}

/** The file's format (given, or detected) and its labels; JSON that does not parse says why. */
function parseLabelFile(
  path: string,
  text: string,
  request: Pick<ImportRequest, 'format' | 'sample'>,
  recordingName: string,
): { format: LabelFileFormat; parsed: ParsedLabels | { notJson: string } } {
  const detected =
    request.format === 'auto'
      ? detectFormat(path, text)
      : { format: request.format, document: undefined }
  const { format } = detected
  if (format === 'csv') return { format, parsed: parseCsv(text) }
  let document = detected.document
  if (document === undefined) {
    try {
      document = JSON.parse(text.replace(/^\uFEFF/, ''))
    } catch (error) {
      return {
        format,
        parsed: { notJson: `this is not valid JSON (${(error as Error).message}).` },
      }
    }
  }
  const parsed =
    format === 'json'
      ? parseJson(document)
      : parseEdgeImpulse(document, recordingName, request.sample)
  return { format, parsed }
}

interface PlacedLabel {
  label: FileLabel
  startUs: number
  endUs: number
}

/**
 * Each label of the file on the recording's samples: its class (known, new, or refused while
 * classes are locked; the default class needs no label) and its times, checked and snapped.
 */
function placeLabels(ctx: ImportContext, recording: Recording, parsed: ParsedLabels) {
  const { project, classes } = ctx
  const grid = SampleGrid.of(project, recording.id)
  if (!grid) {
    throw new ServiceError(
      'INVALID_ARGUMENT',
      `Recording ${recording.id} has no samples yet, so it cannot take labels.`,
    )
  }
  const defaultClass = classes.defaultOf(project, recording)
  const locked = classes.locked(project)
  const problems = [...parsed.problems]
  const toCreate = new Map<string, string>()
  const accepted: PlacedLabel[] = []
  let skipped = 0
  for (const label of parsed.labels) {
    const cls = project.classes.byName(label.label)
    if (cls && cls.id === defaultClass) {
      skipped++
      continue
    }
    if (!cls && locked) {
      problems.push(
        problem(
          label,
          `there is no class "${label.label}", and the project's classes are locked. ` +
            'Add the class first, or unlock the classes.',
        ),
      )
      continue
    }
    const times = timesOf(label, grid)
    if (typeof times === 'string') {
      problems.push(problem(label, times))
      continue
    }
    if (!cls && !toCreate.has(label.label.toLowerCase())) {
      toCreate.set(label.label.toLowerCase(), label.label)
    }
    accepted.push({ label, ...times })
  }
  return { accepted, toCreate, skipped, problems }
}

/** A label's span as snapped sample times, or what is wrong with it. */
function timesOf(label: FileLabel, grid: SampleGrid): { startUs: number; endUs: number } | string {
  const { span } = label
  const { extent } = grid
  if (span.unit === 'whole') return { startUs: extent.startUs, endUs: extent.endUs }
  if (span.unit === 'sample') {
    const count = grid.sampleCount()
    if (span.end < span.start) return `endIndex ${span.end} is before startIndex ${span.start}.`
    if (span.end >= count) {
      return (
        `endIndex ${span.end} is outside the recording, which has ${count} samples ` +
        `(0 to ${count - 1}).`
      )
    }
    return { startUs: grid.timeOf(span.start), endUs: grid.timeOf(span.end + 1) }
  }
  if (span.end < span.start) return `it ends (${span.end} ms) before it starts (${span.start} ms).`
  if (span.end === span.start) return `it is empty: it starts and ends at ${span.start} ms.`
  // One sample period of slack absorbs the rounding of times written in milliseconds.
  const toleranceUs = grid.periodUs
  if (
    span.start * 1000 < extent.startUs - toleranceUs ||
    span.end * 1000 > extent.endUs + toleranceUs
  ) {
    return (
      `${span.start}–${span.end} ms is outside the recording, which runs from ` +
      `${round(extent.startUs / 1000)} to ${round(extent.endUs / 1000)} ms.`
    )
  }
  const startUs = grid.snap(span.start * 1000)
  const endUs = grid.snap(span.end * 1000)
  if (!(endUs > startUs))
    return `it is shorter than one sample (${round(grid.periodUs / 1000)} ms).`
  return { startUs, endUs }
}

/** Adds the new classes and the labels as one undoable action; false if nothing changed. */
function storeLabels(
  ctx: ImportContext,
  recording: Recording,
  what: {
    path: string
    accepted: PlacedLabel[]
    createdClasses: string[]
    colors: ParsedLabels['colors']
    replace: boolean
  },
): boolean {
  const { project, classes } = ctx
  return project.transaction(() => {
    for (const name of what.createdClasses) {
      classes.addForImport(project, name, what.colors.get(name))
    }
    const current = project.labels.list(recording.id)
    const existing = new Map(current.map((l) => [`${l.classId}:${l.startUs}:${l.endUs}`, l.id]))
    const wanted: Wanted[] = what.replace ? [] : [...current]
    for (const { label, startUs, endUs } of what.accepted) {
      const classId = (project.classes.byName(label.label) as { id: number }).id
      const id = what.replace ? existing.get(`${classId}:${startUs}:${endUs}`) : undefined
      wanted.push({ ...(id === undefined ? {} : { id }), classId, startUs, endUs })
    }
    const plan = planLabels(recording.id, current, wanted)
    if (plan.edits.length === 0) return false
    const description =
      `import ${plural(what.accepted.length, 'label')} from ${basename(what.path)}` +
      (what.replace && current.length > 0 ? `, replacing ${plural(current.length, 'label')}` : '')
    project.labels.edit(recording.id, ctx.actor, description, plan.edits)
    return true
  })
}

function fileProblem(message: string): FileProblem {
  return { line: null, index: null, message }
}

/** Writes the labels of a recording to a file, never half-written, replaced only if allowed. */
export async function exportLabels(
  project: Project,
  classes: ClassService,
  recording: Recording,
  request: ExportRequest,
): Promise<ExportResult> {
  const { text, labels } = labelsText(project, classes, recording, request)
  const path = resolve(request.path)
  await writeOutputFile(path, request.overwrite, (sink) => sink.write(text))
  return { path, format: request.format, labels }
}

/** A file name to suggest for the labels of a recording. */
export function labelsFileName(recording: Recording, format: LabelFileFormat): string {
  return format === 'ei' ? 'info.labels' : `${safeName(recording.name)}.labels.${format}`
}

/** The labels of a recording as the text of a label file, and how many labels it holds. */
export function labelsText(
  project: Project,
  classes: ClassService,
  recording: Recording,
  request: { format: LabelFileFormat; sample?: string },
): { text: string; labels: number } {
  const defaultClass = classes.defaultOf(project, recording)
  const all = project.classes.list()
  const names = new Map(all.map((cls) => [cls.id, cls.name]))
  const labels = project.labels.list(recording.id).filter((l) => l.classId !== defaultClass)
  const output: OutputLabel[] = labels.map((l) => ({
    label: names.get(l.classId) ?? String(l.classId),
    startUs: l.startUs,
    endUs: l.endUs,
  }))
  const defaultName = defaultClass === null ? null : (names.get(defaultClass) ?? null)
  if (request.format === 'csv') return { text: writeCsv(output), labels: output.length }
  if (request.format === 'json') {
    const used = new Set([
      ...labels.map((l) => l.classId),
      ...(defaultClass === null ? [] : [defaultClass]),
    ])
    const header = {
      recording: { id: recording.id, name: recording.name, startedAt: recording.startedAt },
      defaultClass: defaultName,
      classes: all.filter((c) => used.has(c.id)).map(({ name, color }) => ({ name, color })),
    }
    return { text: writeJson(header, output), labels: output.length }
  }

  const grid = SampleGrid.of(project, recording.id)
  if (!grid) {
    throw new ServiceError(
      'INVALID_ARGUMENT',
      `Recording ${recording.id} has no samples, so there is nothing for Edge Impulse labels to count.`,
    )
  }
  const regions: EdgeImpulseRegion[] = output
    .map(({ label, startUs, endUs }) => ({
      label,
      startIndex: grid.countBefore(startUs),
      endIndex: grid.countBefore(endUs) - 1,
    }))
    .filter((region) => region.endIndex >= region.startIndex)
  const covered = coverSamples(regions, grid.sampleCount(), defaultName)
  if ('overlap' in covered) {
    const [a, b] = covered.overlap
    const span = (r: EdgeImpulseRegion) =>
      formatSpan(grid.timeOf(r.startIndex), grid.timeOf(r.endIndex + 1))
    throw new ServiceError(
      'INVALID_ARGUMENT',
      `Edge Impulse gives every sample one label, but "${a.label}" ${span(a)} and ` +
        `"${b.label}" ${span(b)} overlap. Remove the overlap, or export CSV or JSON, which keep it.`,
    )
  }
  const sample = request.sample ?? `${safeName(recording.name)}.json`
  return {
    text: writeEdgeImpulse({ path: sample, name: recording.name }, covered.regions),
    labels: regions.length,
  }
}

async function readLabelFile(path: string): Promise<string> {
  try {
    return (await readInputFile(path, MAX_LABEL_FILE_BYTES)).toString('utf8')
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error
    throw new ServiceError(
      error.problem === 'NOT_FOUND' ? 'NOT_FOUND' : 'INVALID_ARGUMENT',
      `${path} ${error.reason}${error.problem === 'NOT_A_FILE' ? ' Give a label file.' : ''}`,
    )
  }
}

function sortProblems(problems: FileProblem[]): FileProblem[] {
  const key = (p: FileProblem) => p.line ?? p.index ?? -1
  return [...problems].sort((a, b) => key(a) - key(b))
}

function capped(problems: FileProblem[]): FileProblem[] {
  if (problems.length <= MAX_PROBLEMS) return problems
  return [
    ...problems.slice(0, MAX_PROBLEMS),
    {
      line: null,
      index: null,
      message: `and ${problems.length - MAX_PROBLEMS} more problems.`,
    },
  ]
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}

/** A recording name as a file name: letters, digits, `.`, `-` and `_`. */
function safeName(name: string): string {
  return name.replace(/[^\w.-]+/g, '_').replace(/^[.-]+/, '') || 'recording'
}
