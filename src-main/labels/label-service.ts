import { userInfo } from 'node:os'
import type {
  LabelFileFormat,
  LabelHistoryEntry,
  LabelImportOutcome,
  LabelList,
} from '../../src-preload/contract/index.js'
import type { EventBus } from '../rpc/events.js'
import { ServiceError } from '../rpc/errors.js'
import type { Label, LabelAction } from '../store/labels.js'
import { LabelHistoryConflict } from '../store/labels.js'
import type { Project } from '../store/project.js'
import type { Recording } from '../store/recordings.js'
import type { ClassService } from './class-service.js'
import { formatSpan } from './describe.js'
import { exportLabels, importLabels, labelsFileName, labelsText } from './label-files.js'
import type { ExportRequest, ExportResult, ImportRequest } from './label-files.js'
import { coveredUs, planLabels, totalsOf, type Plan, type Wanted } from './merge.js'
import { SampleGrid } from './sample-grid.js'

export interface LabelServiceOptions {
  events: EventBus
  classes: ClassService
  /** Who the journal says made the changes: "alice (desktop)", "alice (cli)", ... */
  actor: string
}

/** "user (where)": the journal's actor for changes made through this process. */
export function actorName(where: string): string {
  let user = ''
  try {
    user = userInfo().username
  } catch {
    // No user name (some containers): say where only.
  }
  return user ? `${user} (${where})` : where
}

/**
 * Label edits as the timeline makes them: snapped to samples, same-class labels merged, labels of
 * the default class refused, every change one journaled action that undo and redo (persisted in
 * the project file) act on. Every change tells every open UI (`labels.onChanged`).
 */
export class LabelService {
  readonly #events: EventBus
  readonly #classes: ClassService
  readonly actor: string

  constructor(opts: LabelServiceOptions) {
    this.#events = opts.events
    this.#classes = opts.classes
    this.actor = opts.actor
  }

  list(recordingId: number, labelId: number | null = null): LabelList {
    const project = this.#classes.project()
    const recording = this.#recording(project, recordingId)
    const labels = project.labels.list(recordingId)
    const grid = SampleGrid.of(project, recordingId)
    const classOrder = project.classes.list().map((cls) => cls.id)
    const undo = project.labels.nextUndo(recordingId)
    const redo = project.labels.nextRedo(recordingId)
    const extent = grid?.extent ?? null
    const defaultDurationUs = extent
      ? extent.endUs - extent.startUs - coveredUs(labels, extent.startUs, extent.endUs)
      : 0
    return {
      recordingId,
      defaultClassId: this.#classes.defaultOf(project, recording),
      labels,
      totals: totalsOf(labels, classOrder),
      defaultDurationUs,
      extent: extent && { ...extent },
      snapRateHz: grid?.rateHz ?? null,
      canUndo: undo !== undefined,
      canRedo: redo !== undefined,
      undoLabel: undo ? `Undo: ${undo.description}` : null,
      redoLabel: redo ? `Redo: ${redo.description}` : null,
      labelId,
    }
  }

  create(request: {
    recordingId: number
    classId: number
    startUs: number
    endUs: number
  }): LabelList {
    const project = this.#classes.project()
    return this.#act(project, () => {
      const recording = this.#recording(project, request.recordingId)
      const className = this.#labelClass(project, recording, request.classId)
      const span = this.#snapped(project, recording.id, request.startUs, request.endUs)
      const current = project.labels.list(recording.id)
      const focus: Wanted = { classId: request.classId, ...span }
      const plan = planLabels(recording.id, current, [...current, focus], { focus })
      // Labels of its class the new region joined: all the plan changes but the insert.
      const merged = plan.edits.filter((edit) => edit.op !== 'insert').length
      const description =
        `create ${className} ${formatSpan(span.startUs, span.endUs)}` + mergedWith(merged)
      return { recordingId: recording.id, description, plan }
    })
  }

  /**
   * Several regions made labels in one action by `actor` (accepted suggestions, whose actor is
   * the model), snapped and merged as if drawn one by one; regions that cover no sample once
   * snapped are left out.
   */
  createMany(request: {
    recordingId: number
    regions: readonly { classId: number; startUs: number; endUs: number }[]
    actor: string
    description: string
  }): LabelList {
    const project = this.#classes.project()
    return this.#act(
      project,
      () => {
        const recording = this.#recording(project, request.recordingId)
        const grid = SampleGrid.of(project, recording.id)
        const spans = request.regions.flatMap((region) => {
          this.#labelClass(project, recording, region.classId)
          if (!grid) return []
          const startUs = grid.snap(Math.max(region.startUs, grid.extent.startUs))
          const endUs = grid.snap(Math.min(region.endUs, grid.extent.endUs))
          return endUs > startUs ? [{ classId: region.classId, startUs, endUs }] : []
        })
        const current = project.labels.list(recording.id)
        const plan = planLabels(recording.id, current, [...current, ...spans])
        return { recordingId: recording.id, description: request.description, plan }
      },
      request.actor,
    )
  }

  update(request: { id: number; classId?: number; startUs?: number; endUs?: number }): LabelList {
    const project = this.#classes.project()
    return this.#act(project, () => {
      const label = project.labels.get(request.id)
      if (!label) {
        throw new ServiceError(
          'NOT_FOUND',
          `There is no label ${request.id}: it was deleted or undone. Reload the labels.`,
        )
      }
      const recording = this.#recording(project, label.recordingId)
      const classId = request.classId ?? label.classId
      const className = this.#labelClass(project, recording, classId)
      const timesChange = request.startUs !== undefined || request.endUs !== undefined
      const span = timesChange
        ? this.#snapped(
            project,
            recording.id,
            request.startUs ?? label.startUs,
            request.endUs ?? label.endUs,
          )
        : { startUs: label.startUs, endUs: label.endUs }
      const current = project.labels.list(recording.id)
      const focus: Wanted = { id: label.id, classId, ...span }
      const wanted = current.map((l) => (l.id === label.id ? focus : l))
      const plan = planLabels(recording.id, current, wanted, { focus, prefer: label.id })
      const verb =
        classId !== label.classId
          ? `relabel ${this.#className(project, label.classId)} → ${className}`
          : span.endUs - span.startUs === label.endUs - label.startUs
            ? `move ${className} to`
            : `resize ${className} to`
      const merged = plan.edits.filter((edit) => edit.op === 'delete').length
      const description = `${verb} ${formatSpan(span.startUs, span.endUs)}` + mergedWith(merged)
      return { recordingId: recording.id, description, plan }
    })
  }

  delete(id: number): LabelList {
    const project = this.#classes.project()
    return this.#act(project, () => {
      const label = project.labels.get(id)
      if (!label) {
        throw new ServiceError('NOT_FOUND', `There is no label ${id}: it was already deleted.`)
      }
      const description =
        `delete ${this.#className(project, label.classId)} ` +
        formatSpan(label.startUs, label.endUs)
      const plan: Plan = { edits: [{ op: 'delete', id }], result: null }
      return { recordingId: label.recordingId, description, plan }
    })
  }

  undo(recordingId: number): LabelList {
    return this.#history(recordingId, 'undo')
  }

  redo(recordingId: number): LabelList {
    return this.#history(recordingId, 'redo')
  }

  /** Sets the recording's own default class (null: the project's default). */
  setDefaultClass(recordingId: number, classId: number | null): LabelList {
    const project = this.#classes.project()
    const recording = this.#recording(project, recordingId)
    project.transaction(() => {
      if (classId !== null) {
        const cls = project.classes.get(classId)
        if (!cls)
          throw new ServiceError('NOT_FOUND', `There is no class ${classId} in this project.`)
      }
      const effective = classId ?? this.#classes.projectDefault(project)
      const clashing = project.labels.list(recordingId).filter((l) => l.classId === effective)
      if (effective !== null && clashing.length > 0) {
        const name = this.#className(project, effective)
        throw new ServiceError(
          'INVALID_ARGUMENT',
          `This recording has ${clashing.length === 1 ? 'a label' : `${clashing.length} labels`} ` +
            `of "${name}", so "${name}" cannot be its default class (the default class is the ` +
            'time no label covers). Relabel or delete them first.',
        )
      }
      project.recordings.update(recording.id, { defaultClassId: classId })
    })
    this.#changed(recordingId, false)
    return this.list(recordingId)
  }

  history(recordingId: number, limit = 200): LabelHistoryEntry[] {
    const project = this.#classes.project()
    this.#recording(project, recordingId)
    return project.labels.actions(recordingId, limit).map((action) => ({
      id: action.id,
      at: action.at,
      actor: action.actor,
      kind: action.kind,
      description: action.description,
      state: action.state,
      changes: action.changes,
    }))
  }

  async import(request: ImportRequest): Promise<LabelImportOutcome> {
    const project = this.#classes.project()
    const recording = this.#recording(project, request.recordingId)
    const before = project.labels.list(recording.id).length
    const outcome = await importLabels(
      { project, classes: this.#classes, actor: this.actor },
      recording,
      request,
    )
    if (!outcome.ok) return outcome
    if (outcome.changed)
      this.#changed(recording.id, before !== project.labels.list(recording.id).length)
    if (outcome.createdClasses.length > 0) this.#classes.notify()
    const { changed: _changed, ...rest } = outcome
    return { ...rest, list: this.list(recording.id) }
  }

  async export(request: ExportRequest): Promise<ExportResult> {
    const project = this.#classes.project()
    return exportLabels(
      project,
      this.#classes,
      this.#recording(project, request.recordingId),
      request,
    )
  }

  /** The text `export` would write, and a file name for it (the CLI prints it; a browser saves it). */
  exportText(request: Omit<ExportRequest, 'path' | 'overwrite'>): {
    text: string
    fileName: string
    format: LabelFileFormat
    labels: number
  } {
    const project = this.#classes.project()
    const recording = this.#recording(project, request.recordingId)
    const { text, labels } = labelsText(project, this.#classes, recording, request)
    return {
      text,
      fileName: labelsFileName(recording, request.format),
      format: request.format,
      labels,
    }
  }

  #history(recordingId: number, which: 'undo' | 'redo'): LabelList {
    const project = this.#classes.project()
    this.#recording(project, recordingId)
    const before = project.labels.list(recordingId).length
    let action: LabelAction | null
    try {
      action =
        which === 'undo'
          ? project.labels.undo(recordingId, this.actor)
          : project.labels.redo(recordingId, this.actor)
    } catch (error) {
      if (!(error instanceof LabelHistoryConflict)) throw error
      // The history no longer matches the labels: forget that side of it, so the next undo or
      // redo works, and say so.
      project.labels.clearHistory(recordingId, which)
      this.#changed(recordingId, false)
      throw new ServiceError(
        'INVALID_ARGUMENT',
        `${error.message} The ${which} history of this recording was cleared.`,
      )
    }
    if (action) this.#changed(recordingId, before !== project.labels.list(recordingId).length)
    return this.list(recordingId)
  }

  /**
   * Works out an edit from the labels as they are and makes it, in one transaction (so another
   * process changing the same labels meanwhile cannot make the plan stale), then tells the UIs.
   */
  #act(
    project: Project,
    build: () => { recordingId: number; description: string; plan: Plan },
    actor: string = this.actor,
  ): LabelList {
    const done = project.transaction(() => {
      const { recordingId, description, plan } = build()
      const { result, edits } = plan
      if (edits.length === 0) {
        // Already so (e.g. a region inside a label of its class): nothing to save or undo.
        return { recordingId, labelId: result && 'id' in result ? result.id : null, edits }
      }
      const { labels } = project.labels.edit(recordingId, actor, description, edits)
      const labelId =
        result === null ? null : 'id' in result ? result.id : (labels[result.insert] as Label).id
      return { recordingId, labelId, edits }
    })
    const { recordingId, labelId, edits } = done
    if (edits.length > 0) {
      const inserted = edits.filter((e) => e.op === 'insert').length
      const deleted = edits.filter((e) => e.op === 'delete').length
      this.#changed(recordingId, inserted !== deleted)
    }
    return this.list(recordingId, labelId)
  }

  #recording(project: Project, recordingId: number): Recording {
    const recording = project.recordings.get(recordingId)
    if (!recording) {
      throw new ServiceError('NOT_FOUND', `There is no recording ${recordingId} in this project.`)
    }
    return recording
  }

  /** The name of a class a label may have in `recording`: it exists and is not the default. */
  #labelClass(project: Project, recording: Recording, classId: number): string {
    const cls = project.classes.get(classId)
    if (!cls) throw new ServiceError('NOT_FOUND', `There is no class ${classId} in this project.`)
    if (classId === this.#classes.defaultOf(project, recording)) {
      throw new ServiceError(
        'INVALID_ARGUMENT',
        `"${cls.name}" is the default class of this recording: the time no label covers is ` +
          `already "${cls.name}", so it needs no label. Pick another class, or change the ` +
          "recording's default class.",
      )
    }
    return cls.name
  }

  #className(project: Project, classId: number): string {
    return project.classes.get(classId)?.name ?? `class ${classId}`
  }

  /** Start and end clamped to the recording and put on samples; refused if empty then. */
  #snapped(
    project: Project,
    recordingId: number,
    startUs: number,
    endUs: number,
  ): { startUs: number; endUs: number } {
    const grid = SampleGrid.of(project, recordingId)
    if (!grid) {
      throw new ServiceError(
        'INVALID_ARGUMENT',
        `Recording ${recordingId} has no samples yet, so there is nothing to label.`,
      )
    }
    const { extent } = grid
    if (endUs <= extent.startUs || startUs >= extent.endUs) {
      throw new ServiceError(
        'INVALID_ARGUMENT',
        `The region ${formatSpan(startUs, endUs)} is outside the recording ` +
          `(${formatSpan(extent.startUs, extent.endUs)}).`,
      )
    }
    const span = { startUs: grid.snap(startUs), endUs: grid.snap(endUs) }
    if (!(span.endUs > span.startUs)) {
      throw new ServiceError(
        'INVALID_ARGUMENT',
        `The region is shorter than one sample (${(grid.periodUs / 1000).toPrecision(3)} ms at ` +
          `${grid.rateHz} Hz), so it covers no sample. Make it wider.`,
      )
    }
    return span
  }

  #changed(recordingId: number, countChanged: boolean): void {
    this.#events.emit('labels.onChanged', { recordingId })
    if (countChanged) this.#events.emit('recordings.onChanged', { reason: 'labels' })
  }
}

/** ", merged with 2 labels" for a description. */
function mergedWith(labels: number): string {
  return labels === 0 ? '' : `, merged with ${labels === 1 ? 'a label' : `${labels} labels`}`
}
