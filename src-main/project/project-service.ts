import { existsSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import type { ProjectInfo, RecentProject } from '../../src-preload/contract.js'
import { PROJECT_EXTENSION } from '../paths.js'
import type { EventBus } from '../rpc/events.js'
import { ServiceError } from '../rpc/errors.js'
import type { Settings } from '../settings.js'
import { openProject } from '../store/open.js'
import type { Project } from '../store/project.js'

/** Native file dialogs, provided by the desktop host only. */
export interface FileDialogs {
  pickProjectFile(purpose: 'open' | 'create'): Promise<string | null>
  pickImportPaths(): Promise<string[] | null>
  pickExportPath(format: 'csv' | 'ei', suggestedName: string): Promise<string | null>
}

export interface ProjectServiceOptions {
  /** The project to open first (created if it does not exist yet). */
  initialPath: string
  settings: Settings
  events: EventBus
  dialogs?: FileDialogs
  /** better-sqlite3 binary built for Electron's ABI, when running inside Electron. */
  nativeBinding?: string
  /** False while something (a recording) needs the open project to stay open. */
  canSwitch?: () => boolean
}

/**
 * Owns the one open project: opening, creating and switching project files, and the recent list.
 * Every other service reaches the store through `project()`.
 */
export class ProjectService {
  readonly #opts: ProjectServiceOptions
  #project: Project | null = null
  #initialError: unknown = null

  constructor(opts: ProjectServiceOptions) {
    this.#opts = opts
  }

  /** The open project, opening (or creating) the initial one on first use. */
  project(): Project {
    if (this.#project) return this.#project
    if (this.#initialError) throw this.#initialError
    try {
      this.#project = this.#openFile(this.#opts.initialPath, true)
      return this.#project
    } catch (err) {
      // Remember the failure: the UI shows it and offers to open or create another project.
      this.#initialError = err
      throw err
    }
  }

  info(): ProjectInfo {
    return this.project().info()
  }

  recent(): RecentProject[] {
    return this.#opts.settings.data.recentProjects.map((p) => ({
      ...p,
      exists: existsSync(p.path),
    }))
  }

  forgetRecent(path: string): RecentProject[] {
    this.#opts.settings.forgetProject(resolve(path))
    return this.recent()
  }

  open(path: string): ProjectInfo {
    const file = resolve(path)
    if (!existsSync(file)) {
      throw new ServiceError('NOT_FOUND', `There is no project file at ${file}.`)
    }
    return this.#switchTo(this.#openFile(file, false))
  }

  create(path: string): ProjectInfo {
    let file = resolve(path)
    if (extname(file) === '') file += PROJECT_EXTENSION
    if (existsSync(file)) {
      throw new ServiceError(
        'ALREADY_EXISTS',
        `${file} already exists. Open it instead, or choose another name.`,
      )
    }
    return this.#switchTo(this.#openFile(file, true))
  }

  async pickFile(purpose: 'open' | 'create'): Promise<string | null> {
    return this.dialogs().pickProjectFile(purpose)
  }

  /** The host's native file dialogs; web mode has none (the UI asks for paths instead). */
  dialogs(): FileDialogs {
    if (!this.#opts.dialogs) {
      throw new ServiceError('UNSUPPORTED', 'File dialogs are only available in the desktop app.')
    }
    return this.#opts.dialogs
  }

  close(): void {
    this.#project?.close()
    this.#project = null
  }

  #openFile(file: string, create: boolean): Project {
    if (this.#project && this.#opts.canSwitch?.() === false) {
      throw new ServiceError(
        'BUSY',
        'A recording is in progress. Stop it before switching projects.',
      )
    }
    const project = openProject(file, { create, nativeBinding: this.#opts.nativeBinding })
    // Recordings whose recorder died (a crash, a kill) are marked interrupted and made usable.
    project.recoverInterrupted()
    this.#opts.settings.rememberProject(project.path, project.info().name)
    return project
  }

  #switchTo(next: Project): ProjectInfo {
    if (this.#project && this.#project !== next) this.#project.close()
    this.#project = next
    this.#initialError = null
    const info = next.info()
    this.#opts.events.emit('project.onChanged', info)
    this.#opts.events.emit('recordings.onChanged', { reason: 'project' })
    return info
  }
}
