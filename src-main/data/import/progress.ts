export interface ImportProgress {
  /** The file being read. */
  file: string
  /** Bytes read of all files. */
  bytesDone: number
  bytesTotal: number
  filesDone: number
  filesTotal: number
}

/** Reports at most once per interval (a progress bar needs no more), and always the last one. */
export class ProgressThrottle {
  readonly #report: (progress: ImportProgress) => void
  readonly #intervalMs: number
  #lastAt = -Infinity

  constructor(report: (progress: ImportProgress) => void, intervalMs = 250) {
    this.#report = report
    this.#intervalMs = intervalMs
  }

  update(progress: ImportProgress, final = false): void {
    const now = performance.now()
    if (!final && now - this.#lastAt < this.#intervalMs) return
    this.#lastAt = now
    this.#report(progress)
  }
}
