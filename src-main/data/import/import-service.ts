import type { EventBus } from '../../rpc/events.js'
import type { Project } from '../../store/index.js'
import type { ImportFormat } from './detect-format.js'
import { importPaths } from './import-paths.js'
import type { ImportOutcome } from './import-paths.js'
import type { ImportProgress } from './progress.js'

export interface ImportServiceOptions {
  /** The open project, looked up at each import (the user may switch projects). */
  project: () => Project
  /** Told when recordings were added, so every UI refreshes its list. */
  events?: EventBus
  onProgress?: (progress: ImportProgress) => void
  /** Who the label journal says added imported labeled regions (default "import"). */
  actor?: string
}

export interface ImportRequest {
  paths: string[]
  format?: ImportFormat
  rateHz?: number
  /** One class for the whole of every file (its recording's own class). */
  className?: string
}

/** Imports recordings into the open project for the UI and the CLI. */
export class ImportService {
  readonly #options: ImportServiceOptions
  readonly #running = new Set<AbortController>()

  constructor(options: ImportServiceOptions) {
    this.#options = options
  }

  async import(request: ImportRequest): Promise<ImportOutcome[]> {
    const controller = new AbortController()
    this.#running.add(controller)
    let outcomes: ImportOutcome[]
    try {
      outcomes = await importPaths(this.#options.project(), request.paths, {
        format: request.format,
        rateHz: request.rateHz,
        onProgress: this.#options.onProgress,
        signal: controller.signal,
        store: { actor: this.#options.actor, className: request.className },
      })
    } finally {
      this.#running.delete(controller)
    }
    if (outcomes.some((outcome) => outcome.ok)) {
      this.#options.events?.emit('recordings.onChanged', { reason: 'import' })
    }
    return outcomes
  }

  /** Cancels the imports running now; files already imported stay. Returns how many. */
  cancel(): number {
    for (const controller of this.#running) controller.abort()
    return this.#running.size
  }
}
