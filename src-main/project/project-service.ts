import { existsSync, statSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import type {
  ModelExportFormat,
  ProjectInfo,
  RecentProject,
} from '../../src-preload/contract/index.js'
import { PROJECT_EXTENSION } from '../paths.js'
import type { EventBus } from '../rpc/events.js'
import { ServiceError } from '../rpc/errors.js'
import type { Settings } from '../settings.js'
import {
  ProjectFileError,
  type ProjectFileErrorCode,
  type ReadOnlyReason,
} from '../store/errors.js'
import { openProject } from '../store/open.js'
import type { Project } from '../store/project.js'

/**
 * How a host uses its projects: `write` (commands that change them) fails on a file it cannot
 * write; `read` (commands that only look) opens read-only and writes only when it must (to
 * create, upgrade or recover the file); `auto` (the app) writes where it may, and opens a file it
 * may not write read-only, saying so.
 */
export type ProjectAccess = 'read' | 'write' | 'auto'

/** Failures that stay until the file itself changes; the others (a lock) are tried again. */
const LASTING_FAILURES = new Set<ProjectFileErrorCode>(['NOT_A_PROJECT', 'CORRUPT', 'TOO_NEW'])
/** A project found busy is tried again with this short wait, so the UI never freezes for long. */
const RETRY_BUSY_TIMEOUT_MS = 250

/** Native file dialogs, provided by the desktop host only. */
export interface FileDialogs {
  pickProjectFile(purpose: 'open' | 'create'): Promise<string | null>
  pickImportPaths(): Promise<string[] | null>
  pickExportPath(format: 'csv' | 'ei', suggestedName: string): Promise<string | null>
  /** Where to write a model export: a file (.tflite, .tlmi, .zip), or a folder (C files, bundle). */
  pickModelExportPath(format: ModelExportFormat, suggestedName: string): Promise<string | null>
}

export interface ProjectServiceOptions {
  /** The project to open first (created if it does not exist yet). */
  initialPath: string
  settings: Settings
  events: EventBus
  dialogs?: FileDialogs
  /** better-sqlite3 binary built for Electron's ABI, when running inside Electron. */
  nativeBinding?: string
  /**
   * What keeps the open project open (a recording, a training run), in words for the refusal;
   * null when it may be switched.
   */
  switchBlocker?: () => string | null
  /** Default 'auto'. */
  access?: ProjectAccess
}

/**
 * Owns the one open project: opening, creating and switching project files, and the recent list.
 * Every other service reaches the store through `project()`.
 */
export class ProjectService {
  readonly #opts: ProjectServiceOptions
  #project: Project | null = null
  #initialFailure: { error: unknown; file: string | null } | null = null

  constructor(opts: ProjectServiceOptions) {
    this.#opts = opts
  }

  /** The open project, opening (or creating) the initial one on first use. */
  project(): Project {
    if (this.#project) return this.#project
    const path = this.#opts.initialPath
    const failure = this.#initialFailure
    // A damaged or foreign file fails the same way until it changes; anything else (a busy
    // file, a missing permission) may have gone away since, so it is tried again.
    if (failure?.file && failure.file === fileSignature(path)) throw failure.error
    try {
      this.#project = this.#openFile(path, true, failure ? RETRY_BUSY_TIMEOUT_MS : undefined)
      this.#initialFailure = null
      return this.#project
    } catch (err) {
      const lasting = err instanceof ProjectFileError && LASTING_FAILURES.has(err.code)
      this.#initialFailure = { error: err, file: lasting ? fileSignature(path) : null }
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

  #openFile(file: string, create: boolean, busyTimeoutMs?: number): Project {
    const blocker = this.#project ? (this.#opts.switchBlocker?.() ?? null) : null
    if (blocker) throw new ServiceError('BUSY', `${blocker} Stop it before switching projects.`)
    const project = this.#openWithAccess(file, create, busyTimeoutMs)
    // Recordings whose recorder died (a crash, a kill) are marked interrupted and made usable.
    project.recoverInterrupted()
    if (!project.readOnly) this.#opts.settings.rememberProject(project.path, project.info().name)
    return project
  }

  #openWithAccess(file: string, create: boolean, busyTimeoutMs?: number): Project {
    const options = { create, nativeBinding: this.#opts.nativeBinding, busyTimeoutMs }
    const access = this.#opts.access ?? 'auto'
    if (access === 'write') return openProject(file, options)
    if (access === 'auto') {
      try {
        return openProject(file, options)
      } catch (error) {
        if (!isReadOnly(error, 'permissions')) throw error
        return openProject(file, { ...options, readonly: true, readOnlyReason: 'not-writable' })
      }
    }
    // 'read': a file that does not exist yet is created like any project (that has to write).
    if (!existsSync(file)) return openProject(file, options)
    let project: Project
    try {
      project = openProject(file, { ...options, readonly: true })
    } catch (error) {
      if (!isReadOnly(error, 'needs-upgrade')) throw error
      return openProject(file, options) // an older file is upgraded before it can be read
    }
    if (!project.needsRecovery()) return project
    project.close()
    try {
      return openProject(file, options)
    } catch (error) {
      if (!isReadOnly(error, 'permissions')) throw error
      return openProject(file, { ...options, readonly: true })
    }
  }

  #switchTo(next: Project): ProjectInfo {
    if (this.#project && this.#project !== next) this.#project.close()
    this.#project = next
    this.#initialFailure = null
    const info = next.info()
    this.#opts.events.emit('project.onChanged', info)
    this.#opts.events.emit('recordings.onChanged', { reason: 'project' })
    return info
  }
}

function isReadOnly(error: unknown, reason: ReadOnlyReason): boolean {
  return error instanceof ProjectFileError && error.readOnlyReason === reason
}

/** What identifies a file's current content: a changed file gets another chance to open. */
function fileSignature(path: string): string {
  try {
    const { dev, ino, size, mtimeMs, mode } = statSync(path)
    return `${dev}:${ino}:${size}:${mtimeMs}:${mode}`
  } catch {
    return 'missing'
  }
}
