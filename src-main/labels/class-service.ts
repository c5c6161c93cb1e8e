import type { LabelClassInfo, ClassSettings } from '../../src-preload/contract/index.js'
import type { EventBus } from '../rpc/events.js'
import { ServiceError } from '../rpc/errors.js'
import type { LabelClass } from '../store/classes.js'
import type { Recording } from '../store/recordings.js'
import type { Project } from '../store/project.js'
import { plural } from '../../src-preload/format.js'
import { nextColor } from './palette.js'

export interface ClassServiceOptions {
  project: () => Project
  events: EventBus
}

export interface ClassInput {
  id?: number
  name?: string
  color?: string
  hotkey?: string | null
  sortOrder?: number
}

/**
 * The classes a label can have, and the project's settings about them: the default class
 * (the class of time no label covers) and whether imports may add classes ("locked").
 * A project comes with `normal` (its default class, grey, no key) and `anomaly` (key 1).
 */
/** Adds a class for an import (inside its transaction), with `color` if it is valid. */
export function addClassForImport(project: Project, name: string, color?: string): number {
  const colors = project.classes.list().map((c) => c.color)
  return project.classes.upsert({
    name,
    color: color && /^#[0-9a-fA-F]{6}$/.test(color) ? color : nextColor(colors),
    hotkey: null,
    sortOrder: project.classes.nextSortOrder(),
  })
}

/**
 * The class an imported file names: the project's of that name (whatever its case), or a new
 * one; refused in words while the project's classes are locked.
 */
export function classIdForImport(project: Project, name: string): number {
  const existing = project.classes.byName(name)
  if (existing) return existing.id
  if (project.classes.setting('classes_locked') === '1') {
    throw new ServiceError(
      'INVALID_ARGUMENT',
      `There is no class "${name}", and the project's classes are locked. Add the class first, ` +
        'or unlock the classes.',
    )
  }
  return addClassForImport(project, name)
}

export class ClassService {
  readonly #project: () => Project
  readonly #events: EventBus

  constructor(opts: ClassServiceOptions) {
    this.#project = opts.project
    this.#events = opts.events
  }

  /** The open project (its default classes come with it: see the store's migrations). */
  project(): Project {
    return this.#project()
  }

  list(): LabelClassInfo[] {
    const project = this.project()
    const usage = project.classes.usage()
    const projectDefault = this.projectDefault(project)
    return project.classes.list().map((cls) => {
      const used = usage.get(cls.id)
      return {
        ...cls,
        labels: used?.labels ?? 0,
        recordings: used?.recordings ?? 0,
        isDefault: cls.id === projectDefault,
      }
    })
  }

  settings(): ClassSettings {
    const project = this.project()
    return {
      locked: project.classes.setting('classes_locked') === '1',
      defaultClassId: this.projectDefault(project),
    }
  }

  setSettings(change: { locked?: boolean; defaultClassId?: number | null }): ClassSettings {
    const project = this.project()
    project.transaction(() => {
      if (change.locked !== undefined) {
        project.classes.setSetting('classes_locked', change.locked ? '1' : '0')
      }
      if (change.defaultClassId !== undefined) {
        if (change.defaultClassId !== null) {
          const cls = this.#existing(project, change.defaultClassId)
          const labels = project.classes.labelsFollowingProjectDefault(cls.id)
          if (labels > 0) {
            throw new ServiceError(
              'INVALID_ARGUMENT',
              `Recordings that use the project's default class have ${plural(labels, 'label')} ` +
                `of "${cls.name}", so it cannot be the default class (the time no label covers). ` +
                'Relabel or delete them first.',
            )
          }
        }
        const value = change.defaultClassId === null ? null : String(change.defaultClassId)
        project.classes.setSetting('default_class_id', value)
      }
    })
    this.#changed()
    return this.settings()
  }

  /**
   * Changes the class with `id`, or else the one named `name` (whatever its case), or adds it.
   * Fields not given keep their values; a new class gets the next free palette colour and goes
   * last. Names and keys (1-9) are unique.
   */
  upsert(input: ClassInput): LabelClassInfo {
    const project = this.project()
    const id = project.transaction(() => {
      const existing =
        input.id !== undefined
          ? this.#existing(project, input.id)
          : input.name !== undefined
            ? project.classes.byName(input.name)
            : undefined
      if (!existing && input.name === undefined) {
        throw new ServiceError('INVALID_ARGUMENT', 'Give the new class a name.')
      }
      const name = input.name ?? (existing as LabelClass).name
      const namesake = project.classes.byName(name)
      if (namesake && namesake.id !== existing?.id) {
        throw new ServiceError(
          'ALREADY_EXISTS',
          `There is already a class named "${namesake.name}". Choose another name.`,
        )
      }
      const hotkey = input.hotkey === undefined ? (existing?.hotkey ?? null) : input.hotkey
      const holder =
        hotkey === null ? undefined : project.classes.list().find((c) => c.hotkey === hotkey)
      if (holder && holder.id !== existing?.id) {
        throw new ServiceError(
          'ALREADY_EXISTS',
          `Key ${hotkey} already picks "${holder.name}". Give this class another key, or ` +
            `take the key from "${holder.name}" first.`,
        )
      }
      const color =
        input.color ?? existing?.color ?? nextColor(project.classes.list().map((c) => c.color))
      return project.classes.upsert({
        id: existing?.id,
        name,
        color,
        hotkey,
        sortOrder: input.sortOrder ?? existing?.sortOrder ?? project.classes.nextSortOrder(),
      })
    })
    this.#changed()
    return this.list().find((cls) => cls.id === id) as LabelClassInfo
  }

  /**
   * Deletes an unused class: refused while labels have it or it is a default class. Undo steps
   * that would bring back a label of it are forgotten.
   */
  delete(id: number): LabelClassInfo[] {
    const project = this.project()
    project.transaction(() => {
      const cls = this.#existing(project, id)
      const usage = project.classes.usage().get(id)
      if (usage && usage.labels > 0) {
        throw new ServiceError(
          'INVALID_ARGUMENT',
          `"${cls.name}" is used by ${plural(usage.labels, 'label')} in ` +
            `${plural(usage.recordings, 'recording')}. Relabel or delete them first.`,
        )
      }
      if (usage && usage.defaultOf > 0) {
        throw new ServiceError(
          'INVALID_ARGUMENT',
          `"${cls.name}" is the default class of ${plural(usage.defaultOf, 'recording')}. ` +
            'Give them another default class first.',
        )
      }
      if (this.projectDefault(project) === id) {
        throw new ServiceError(
          'INVALID_ARGUMENT',
          `"${cls.name}" is the project's default class. Choose another default class first.`,
        )
      }
      project.labels.forgetClass(id)
      project.classes.delete(id)
    })
    this.#changed()
    return this.list()
  }

  /** The default class of the project: that of recordings which do not choose their own. */
  projectDefault(project: Project): number | null {
    return projectDefaultClass(project)
  }

  /** The class of the time no label of `recording` covers. */
  defaultOf(project: Project, recording: Recording): number | null {
    const own = recording.defaultClassId
    if (own !== null && project.classes.get(own)) return own
    return this.projectDefault(project)
  }

  /** Whether imports must refuse classes the project does not have. */
  locked(project: Project): boolean {
    return project.classes.setting('classes_locked') === '1'
  }

  /** Adds a class for an import (inside its transaction), with `color` if it is valid. */
  addForImport(project: Project, name: string, color?: string): number {
    return addClassForImport(project, name, color)
  }

  /** Tells every open UI that the classes changed. */
  notify(): void {
    this.#changed()
  }

  #existing(project: Project, id: number): LabelClass {
    const cls = project.classes.get(id)
    if (!cls) throw new ServiceError('NOT_FOUND', `There is no class ${id} in this project.`)
    return cls
  }

  #changed(): void {
    this.#events.emit('classes.onChanged', {})
  }
}

/** The project's default class (that of recordings which do not choose their own), if any. */
export function projectDefaultClass(project: Project): number | null {
  const value = project.classes.setting('default_class_id')
  const id = value === undefined ? null : Number(value)
  return id !== null && project.classes.get(id) ? id : null
}
