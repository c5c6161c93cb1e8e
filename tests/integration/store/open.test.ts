import { closeSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs'
import { writeFileSync, writeSync } from 'node:fs'
import { basename, join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import { ProjectFileError } from '../../../src-main/store/errors.js'
import type { ProjectFileErrorCode } from '../../../src-main/store/errors.js'
import { APPLICATION_ID, SCHEMA_VERSION } from '../../../src-main/store/migrations.js'
import { openProject } from '../../../src-main/store/open.js'
import { random, rawRows, snapshot, useTempDir } from './helpers.js'

const tempDir = useTempDir()

function errorOf(run: () => unknown): ProjectFileError {
  try {
    run()
  } catch (error) {
    if (error instanceof ProjectFileError) return error
    throw error
  }
  throw new Error('expected a ProjectFileError')
}

/** A project with a recording, a class and a label, closed. */
function makeProject(file: string): void {
  const project = openProject(file)
  const recordingId = project.recordings.create({ name: 'pump 3', status: 'complete' })
  const classId = project.classes.upsert({ name: 'cavitation', color: '#ff8800' })
  project.labels.insert({ recordingId, classId, startUs: 1_000_000, endUs: 2_500_000 }, 'ana')
  project.close()
}

describe('creating a project', () => {
  test('a missing file becomes a new project, in new folders if needed', () => {
    const file = join(tempDir(), 'site', 'line 2', 'press.tinyloop')
    const project = openProject(file)
    expect(project.info()).toMatchObject({
      path: file,
      name: 'press',
      schemaVersion: SCHEMA_VERSION,
      recordings: 0,
    })
    expect(project.info().createdAt).toBeGreaterThan(Date.now() - 60_000)
    project.close()

    expect(readdirSync(join(tempDir(), 'site', 'line 2'))).toEqual(['press.tinyloop'])
    const [pragmas] = rawRows(
      file,
      'SELECT * FROM pragma_application_id, pragma_user_version, pragma_journal_mode',
    )
    expect(pragmas).toEqual({
      application_id: APPLICATION_ID,
      user_version: SCHEMA_VERSION,
      journal_mode: 'wal',
    })
  })

  test('create: false and readonly never create a file', () => {
    const file = join(tempDir(), 'missing.tinyloop')
    expect(errorOf(() => openProject(file, { create: false })).code).toBe('NOT_FOUND')
    const error = errorOf(() => openProject(file, { readonly: true }))
    expect(error.code).toBe('NOT_FOUND')
    expect(error.message).toContain('missing.tinyloop')
    expect(readdirSync(tempDir())).toEqual([])
  })

  test('an empty SQLite database is adopted as a new project', () => {
    const file = join(tempDir(), 'empty.tinyloop')
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.close()
    const project = openProject(file, { create: false })
    expect(project.recordings.list()).toEqual([])
    expect(project.info().name).toBe('empty')
    project.close()
  })
})

test('a label survives closing and reopening the project', () => {
  const file = join(tempDir(), 'p.tinyloop')
  makeProject(file)
  const project = openProject(file, { create: false })
  const [recording] = project.recordings.list()
  expect(recording?.name).toBe('pump 3')
  expect(project.labels.list(recording?.id ?? -1)).toMatchObject([
    { startUs: 1_000_000, endUs: 2_500_000 },
  ])
  project.close()
})

describe('files that cannot be opened are left exactly as they were', () => {
  const cases: [string, ProjectFileErrorCode, (file: string) => void][] = [
    ['a text file', 'NOT_A_PROJECT', (file) => writeFileSync(file, 'time,x,y,z\n0,1,2,3\n')],
    [
      'random bytes',
      'NOT_A_PROJECT',
      (file) => {
        const next = random(7)
        writeFileSync(file, Buffer.from(Array.from({ length: 8192 }, () => (next() * 256) | 0)))
      },
    ],
    ['a 0-byte file', 'NOT_A_PROJECT', (file) => writeFileSync(file, '')],
    [
      'another SQLite database with tables of its own',
      'NOT_A_PROJECT',
      (file) => {
        const db = new Database(file)
        db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada')")
        db.close()
      },
    ],
    [
      "another application's SQLite database",
      'NOT_A_PROJECT',
      (file) => {
        const db = new Database(file)
        db.pragma('application_id = 1234567')
        db.close()
      },
    ],
    [
      'a project from a newer TinyLoop',
      'TOO_NEW',
      (file) => {
        makeProject(file)
        const db = new Database(file)
        db.pragma('user_version = 99')
        db.close()
      },
    ],
    [
      'a truncated project',
      'CORRUPT',
      (file) => {
        makeProject(file)
        const bytes = readFileSync(file)
        writeFileSync(file, bytes.subarray(0, bytes.length / 2))
      },
    ],
    [
      'a project with damaged pages',
      'CORRUPT',
      (file) => {
        makeProject(file)
        const next = random(11)
        const garbage = Buffer.from(Array.from({ length: 3 * 4096 }, () => (next() * 256) | 0))
        const descriptor = openSync(file, 'r+')
        writeSync(descriptor, garbage, 0, garbage.length, 4096)
        closeSync(descriptor)
      },
    ],
  ]

  test.each(cases)('%s gives %s', (_name, code, make) => {
    const dir = tempDir()
    const file = join(dir, 'candidate.tinyloop')
    make(file)
    const before = snapshot(file, dir)

    for (const options of [{}, { create: false }, { readonly: true }]) {
      const error = errorOf(() => openProject(file, options))
      expect(error.code).toBe(code)
      expect(error.message).toContain(basename(file))
    }

    const after = snapshot(file, dir)
    expect(after.bytes.equals(before.bytes)).toBe(true)
    expect(after.mtimeMs).toBe(before.mtimeMs)
    // Not even SQLite's companions (-wal, -shm) of a WAL-mode file are left beside it.
    expect(after.siblings).toEqual(before.siblings)
  })

  test('a folder is not a project', () => {
    const dir = join(tempDir(), 'folder.tinyloop')
    mkdirSync(dir)
    expect(errorOf(() => openProject(dir)).code).toBe('NOT_A_PROJECT')
  })

  test('the newer-TinyLoop message says which schemas are involved', () => {
    const file = join(tempDir(), 'future.tinyloop')
    makeProject(file)
    const db = new Database(file)
    db.pragma('user_version = 7')
    db.close()
    expect(errorOf(() => openProject(file)).message).toBe(
      `future.tinyloop was made by a newer TinyLoop (schema 7; this version reads up to ${SCHEMA_VERSION}). Update TinyLoop to open it.`,
    )
  })
})

describe('read-only projects', () => {
  test('can be read but refuse every change, and the file stays unchanged', () => {
    const dir = tempDir()
    const file = join(dir, 'shared.tinyloop')
    makeProject(file)
    const before = snapshot(file, dir)

    const project = openProject(file, { readonly: true })
    expect(project.readOnly).toBe(true)
    const [recording] = project.recordings.list()
    expect(recording?.name).toBe('pump 3')
    expect(errorOf(() => project.recordings.create({ name: 'new' })).code).toBe('READ_ONLY')
    expect(errorOf(() => project.recordings.delete(recording?.id ?? -1)).code).toBe('READ_ONLY')
    project.close()

    const after = snapshot(file, dir)
    expect(after.bytes.equals(before.bytes)).toBe(true)
    expect(after.mtimeMs).toBe(before.mtimeMs)
  })

  test('an empty database that would need setting up is not touched', () => {
    const dir = tempDir()
    const file = join(dir, 'blank.tinyloop')
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.close()
    const before = snapshot(file, dir)
    expect(errorOf(() => openProject(file, { readonly: true })).code).toBe('READ_ONLY')
    expect(snapshot(file, dir).bytes.equals(before.bytes)).toBe(true)
  })
})

test('a project another program holds an exclusive lock on is reported as LOCKED', () => {
  const file = join(tempDir(), 'busy.tinyloop')
  makeProject(file)
  const holder = new Database(file)
  holder.pragma('locking_mode = EXCLUSIVE')
  holder.exec('BEGIN EXCLUSIVE')
  try {
    const error = errorOf(() => openProject(file, { busyTimeoutMs: 50 }))
    expect(error.code).toBe('LOCKED')
  } finally {
    holder.exec('COMMIT')
    holder.close()
  }
  openProject(file).close()
})
