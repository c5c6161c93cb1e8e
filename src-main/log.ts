import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Logger } from './rpc/dispatcher.js'

const MAX_LOG_BYTES = 5 * 1024 * 1024

/**
 * Appends to one log file (rotated once at 5 MB). Stack traces go here, never to the UI.
 * Logging must never take the app down, so write failures are ignored.
 */
export class FileLogger implements Logger {
  readonly path: string
  constructor(path: string) {
    this.path = path
  }

  info(message: string): void {
    this.#write('info', message)
  }

  error(message: string, err?: unknown): void {
    const detail =
      err instanceof Error ? `\n${err.stack ?? err.message}` : err ? `\n${String(err)}` : ''
    this.#write('error', message + detail)
  }

  #write(level: string, message: string): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true })
      try {
        if (statSync(this.path).size > MAX_LOG_BYTES) renameSync(this.path, `${this.path}.1`)
      } catch {
        // no log yet
      }
      appendFileSync(this.path, `${new Date().toISOString()} ${level} ${message}\n`)
    } catch {
      // a full disk or a read-only folder must not break the app
    }
  }
}
