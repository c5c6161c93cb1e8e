import { join } from 'node:path'
import Database from 'better-sqlite3'
import { expect, test } from 'vitest'
import {
  APPLICATION_ID,
  migrate,
  MIGRATIONS,
  SCHEMA_VERSION,
} from '../../../src-main/store/migrations.js'
import { userVersion } from '../../../src-main/store/migrations.js'
import { openProject } from '../../../src-main/store/open.js'
import { rawRows, useTempDir } from './helpers.js'

const tempDir = useTempDir()

/** An empty database as TinyLoop creates one, brought to `version`. */
function databaseAt(file: string, version: number): void {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  migrate(db, { to: version })
  db.close()
}

function schemaOf(file: string): unknown[] {
  return rawRows(file, 'SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name')
}

test('migrating an empty file creates the current schema and marks the file as a project', () => {
  const file = join(tempDir(), 'fresh.tinyloop')
  databaseAt(file, SCHEMA_VERSION)
  const tables = rawRows<{ name: string }>(
    file,
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name",
  ).map((row) => row.name)
  expect(tables).toEqual([
    'chunks',
    'classes',
    'datasets',
    'envelopes',
    'label_actions',
    'label_journal',
    'labels',
    'meta',
    'prediction_tracks',
    'predictions',
    'recordings',
    'run_artifacts',
    'runs',
    'streams',
  ])
  expect(rawRows(file, 'SELECT * FROM pragma_application_id, pragma_user_version')).toEqual([
    { application_id: APPLICATION_ID, user_version: SCHEMA_VERSION },
  ])
  expect(rawRows(file, "SELECT value FROM meta WHERE key = 'name'")).toEqual([{ value: 'fresh' }])
})

// Each released version gets a file here; openProject must bring every one of them to the
// schema a new file gets. (Add data at a version and check it afterwards when a step moves data.)
test.each(Array.from({ length: SCHEMA_VERSION }, (_, version) => version))(
  'a file at schema version %i is upgraded to the current schema',
  (version) => {
    const fresh = join(tempDir(), 'fresh.tinyloop')
    databaseAt(fresh, SCHEMA_VERSION)
    const old = join(tempDir(), 'old.tinyloop')
    databaseAt(old, version)

    const project = openProject(old, { create: false })
    expect(project.schemaVersion).toBe(SCHEMA_VERSION)
    project.close()
    expect(schemaOf(old)).toEqual(schemaOf(fresh))
  },
)

test('migrating twice changes nothing', () => {
  const file = join(tempDir(), 'twice.tinyloop')
  databaseAt(file, SCHEMA_VERSION)
  const before = schemaOf(file)
  databaseAt(file, SCHEMA_VERSION)
  expect(schemaOf(file)).toEqual(before)
})

test('a failing step is rolled back whole and the steps before it stay applied', () => {
  const db = new Database(join(tempDir(), 'failing.tinyloop'))
  const failing = (target: Database.Database) => {
    target.exec('CREATE TABLE half_done (x)')
    throw new Error('step 2 failed')
  }
  expect(() => migrate(db, { migrations: [...MIGRATIONS, failing] })).toThrow('step 2 failed')
  expect(userVersion(db)).toBe(SCHEMA_VERSION)
  expect(
    db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'").pluck().get(),
  ).toBe(0)
  db.close()
})

test('a version-1 file keeps its classes and runs through migrations 2 and 3', () => {
  const file = join(tempDir(), 'v1.tinyloop')
  databaseAt(file, 1)
  const db = new Database(file)
  // A version-1 project whose user made "normal" purple and used key 1 for "fault".
  db.prepare(
    "INSERT INTO classes (name, color, hotkey, sort_order) VALUES ('Normal', '#7F00FF', NULL, 0)",
  ).run()
  db.prepare(
    "INSERT INTO classes (name, color, hotkey, sort_order) VALUES ('fault', '#FF0000', '1', 1)",
  ).run()
  db.prepare(
    "INSERT INTO runs (created_at, status, config, metrics) VALUES (1700000000000, 'complete', '{\"epochs\":3}', '{\"accuracy\":0.9}')",
  ).run()
  db.close()

  const project = openProject(file, { create: false })
  expect(project.schemaVersion).toBe(SCHEMA_VERSION)
  expect(
    project.classes.list().map(({ name, color, hotkey }) => ({ name, color, hotkey })),
  ).toEqual([
    { name: 'Normal', color: '#7F00FF', hotkey: null },
    { name: 'fault', color: '#FF0000', hotkey: '1' },
    { name: 'anomaly', color: '#D55E00', hotkey: null },
  ])
  expect(project.classes.setting('default_class_id')).toBe(
    String(project.classes.byName('normal')?.id),
  )
  const [run] = project.runs.list()
  expect(run).toMatchObject({
    status: 'complete',
    config: { epochs: 3 },
    metrics: { accuracy: 0.9 },
    datasetId: null,
    startedAt: null,
    endedAt: null,
    error: null,
  })
  project.close()
})

test('a version-2 file keeps its recordings and gets prediction tracks (migrations 3 and 4)', () => {
  const file = join(tempDir(), 'v2.tinyloop')
  databaseAt(file, 2)
  const db = new Database(file)
  db.prepare(
    "INSERT INTO recordings (id, name, status, created_at) VALUES (7, 'pump', 'complete', 1700000000000)",
  ).run()
  db.close()

  const project = openProject(file, { create: false })
  expect(project.schemaVersion).toBe(SCHEMA_VERSION)
  expect(project.recordings.get(7)?.name).toBe('pump')
  const model = {
    runId: null,
    classes: ['normal', 'bearing'],
    outputScale: 1 / 256,
    outputZeroPoint: -128,
    windowUs: 1e6,
  }
  const track = project.transaction(() => {
    const id = project.predictions.track(7, 0xdeadbeef, model)
    project.predictions.append(id, [
      {
        endUs: 1_000_000,
        outputs: [127, -128],
        classIndex: 0,
        probability: 255 / 256,
        score: null,
        latencyUs: 812,
        instructions: 0,
      },
    ])
    return id
  })
  expect(project.predictions.tracks(7)).toEqual([
    expect.objectContaining({
      id: track,
      modelCrc32: 0xdeadbeef,
      classes: ['normal', 'bearing'],
      count: 1,
    }),
  ])
  expect(project.predictions.range(track, 0, 2e6)[0]?.outputs).toEqual([127, -128])
  project.recordings.delete(7)
  expect(project.predictions.get(track)).toBeNull()
  project.close()
})
