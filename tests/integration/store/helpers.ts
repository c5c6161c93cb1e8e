import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach } from 'vitest'

/** A fresh temporary folder for the current test, removed after it. */
export function useTempDir(): () => string {
  let dir: string | undefined
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
    dir = undefined
  })
  return () => (dir ??= mkdtempSync(join(tmpdir(), 'tinyloop-store-')))
}

export interface FileSnapshot {
  bytes: Buffer
  mtimeMs: number
  siblings: string[]
}

export function snapshot(file: string, dir: string): FileSnapshot {
  return { bytes: readFileSync(file), mtimeMs: statSync(file).mtimeMs, siblings: readdirSync(dir) }
}

/** A seeded generator, so a failing random test fails the same way again. */
export { seededRandom as random } from '../../../src-main/seeded-random.js'

/** A plain read-only look at a project file, beside the store's own connection. */
export function rawRows<T>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    return db.prepare(sql).all(...params) as T[]
  } finally {
    db.close()
  }
}
