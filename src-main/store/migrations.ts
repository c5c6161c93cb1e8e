import { basename, extname } from 'node:path'
import type { Database } from 'better-sqlite3'

/** `PRAGMA application_id` of every TinyLoop project: "TLOP". */
export const APPLICATION_ID = 0x544c4f50

/** One schema step, run inside its own transaction. */
export type Migration = (db: Database) => void

/**
 * `MIGRATIONS[v]` takes a file from schema version v to v + 1 (version 0 is an empty file).
 * Append new steps; never edit a released one, since files in the field already went through it.
 * All times named `*_us` are microseconds since the recording started (`recordings.started_at`,
 * Unix ms, anchors them to the wall clock). Their columns have INTEGER affinity, so whole values
 * are stored compactly and the fractional times of nominal-rate samples are stored as REAL.
 */
export const MIGRATIONS: readonly Migration[] = [
  function createSchemaVersion1(db) {
    db.pragma(`application_id = ${APPLICATION_ID}`)
    db.exec(`
      -- name, created_at; classes_seeded, classes_locked and default_class_id (the project's
      -- default class, e.g. "normal") are written by the label classes (src-main/labels/).
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      -- Names are unique whatever their case ("Anomaly" is "anomaly"), as people read them.
      CREATE TABLE classes (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (name <> ''),
        color TEXT NOT NULL CHECK (color GLOB '#[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]'),
        hotkey TEXT UNIQUE,
        sort_order INTEGER NOT NULL DEFAULT 0
      );

      CREATE TABLE recordings (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        device TEXT,
        notes TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]' CHECK (json_type(tags) = 'array'),
        started_at INTEGER,
        status TEXT NOT NULL CHECK (status IN ('recording', 'complete', 'interrupted', 'imported')),
        default_class_id INTEGER REFERENCES classes (id) ON DELETE SET NULL,
        created_at INTEGER NOT NULL,
        -- Unix ms of the recorder's last write, and which process it is ("host:pid"): a
        -- 'recording' whose process is gone, or that went quiet, was interrupted.
        heartbeat_at INTEGER,
        recorder TEXT,
        metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_type(metadata) = 'object')
      );
      CREATE INDEX recordings_by_default_class ON recordings (default_class_id);

      CREATE TABLE streams (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recording_id INTEGER NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        rate_hz REAL NOT NULL CHECK (rate_hz > 0),
        channels TEXT NOT NULL CHECK (json_type(channels) = 'array' AND json_array_length(channels) > 0),
        UNIQUE (recording_id, name)
      );

      CREATE TABLE chunks (
        stream_id INTEGER NOT NULL REFERENCES streams (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        t0_us INTEGER NOT NULL,
        t1_us INTEGER NOT NULL,
        n INTEGER NOT NULL CHECK (n > 0),
        dt_us REAL CHECK (dt_us > 0),
        ts BLOB,
        data BLOB NOT NULL,
        PRIMARY KEY (stream_id, seq),
        CHECK ((dt_us IS NULL) <> (ts IS NULL))
      );
      -- Covers time lookups and the per-stream aggregates without touching the sample blobs.
      CREATE INDEX chunks_by_time ON chunks (stream_id, t0_us, t1_us, n);

      CREATE TABLE envelopes (
        stream_id INTEGER NOT NULL REFERENCES streams (id) ON DELETE CASCADE,
        level INTEGER NOT NULL CHECK (level >= 0),
        t0_us INTEGER NOT NULL,
        t1_us INTEGER NOT NULL,
        n INTEGER NOT NULL CHECK (n > 0),
        stats BLOB NOT NULL,
        PRIMARY KEY (stream_id, level, t0_us)
      ) WITHOUT ROWID;

      -- Ids are never reused (AUTOINCREMENT): undo and redo put a label back under its own id.
      CREATE TABLE labels (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recording_id INTEGER NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
        class_id INTEGER NOT NULL REFERENCES classes (id),
        start_us INTEGER NOT NULL,
        end_us INTEGER NOT NULL,
        CHECK (end_us > start_us)
      );
      CREATE INDEX labels_by_recording ON labels (recording_id, start_us);
      CREATE INDEX labels_by_class ON labels (class_id);

      -- One user action on the labels of a recording (an edit, which may change several labels,
      -- e.g. a merge or an import; or the undo or redo of an edit). \`state\` is the undo
      -- bookkeeping of edits: 'done' (can be undone), 'undone' (can be redone), 'dropped' (a later
      -- edit cleared the redo stack, or the history was cut); NULL for undo and redo actions.
      CREATE TABLE label_actions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recording_id INTEGER NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL CHECK (actor <> ''),
        kind TEXT NOT NULL CHECK (kind IN ('edit', 'undo', 'redo')),
        description TEXT NOT NULL,
        target_id INTEGER REFERENCES label_actions (id) ON DELETE CASCADE,
        state TEXT CHECK (state IN ('done', 'undone', 'dropped')),
        CHECK ((kind = 'edit') = (target_id IS NULL) AND (kind = 'edit') = (state IS NOT NULL))
      );
      CREATE INDEX label_actions_by_recording ON label_actions (recording_id, kind, state, id);
      CREATE INDEX label_actions_by_target ON label_actions (target_id);

      -- One row per label change, written in the transaction of its action. Rows outlive the
      -- labels they describe (undo of a delete); they go with their recording.
      CREATE TABLE label_journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        action_id INTEGER NOT NULL REFERENCES label_actions (id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
        label_id INTEGER NOT NULL,
        recording_id INTEGER NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
        before TEXT CHECK (before IS NULL OR json_type(before) = 'object'),
        after TEXT CHECK (after IS NULL OR json_type(after) = 'object')
      );
      CREATE INDEX label_journal_by_recording ON label_journal (recording_id, seq);
      CREATE INDEX label_journal_by_action ON label_journal (action_id, seq);

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL
          CHECK (status IN ('queued', 'running', 'complete', 'failed', 'cancelled', 'interrupted')),
        config TEXT NOT NULL CHECK (json_type(config) = 'object'),
        metrics TEXT NOT NULL DEFAULT '{}' CHECK (json_type(metrics) = 'object'),
        curves TEXT NOT NULL DEFAULT '{}' CHECK (json_type(curves) = 'object'),
        dataset_ref TEXT NOT NULL DEFAULT '{}' CHECK (json_type(dataset_ref) = 'object')
      );

      CREATE TABLE run_artifacts (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (run_id, kind)
      );

      -- A saved dataset version: its config, where the label journal and the samples of its
      -- recordings stood (snapshot), and what was computed from them (normalization, counts), so
      -- a run refers to exactly the data it saw. Saving a name again adds the next version.
      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL COLLATE NOCASE CHECK (name <> ''),
        version INTEGER NOT NULL CHECK (version > 0),
        created_at INTEGER NOT NULL,
        config TEXT NOT NULL CHECK (json_type(config) = 'object'),
        snapshot TEXT NOT NULL CHECK (json_type(snapshot) = 'object'),
        summary TEXT NOT NULL CHECK (json_type(summary) = 'object'),
        UNIQUE (name, version)
      );
    `)
    const name = basename(db.name, extname(db.name))
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?), (?, ?)').run(
      'name',
      name,
      'created_at',
      String(Date.now()),
    )
  },

  /**
   * Every project gets the classes `normal` (its default class, grey, no key) and `anomaly`
   * (vermillion, key 1) once, here rather than on first use, so that a project opened read-only
   * shows them too. Files that were already given them (`classes_seeded`) keep what they have,
   * including any the user deleted since.
   */
  function seedDefaultClasses(db) {
    const setting = db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck()
    if (setting.get('classes_seeded') === '1') return
    const classId = db.prepare<[string], number>('SELECT id FROM classes WHERE name = ?').pluck()
    const nextOrder = db.prepare('SELECT coalesce(max(sort_order) + 1, 0) FROM classes').pluck()
    const insert = db.prepare<[string, string, string | null, number]>(
      'INSERT INTO classes (name, color, hotkey, sort_order) VALUES (?, ?, ?, ?)',
    )
    const setMeta = db.prepare<[string, string]>(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    )
    const normal =
      classId.get('normal') ??
      Number(insert.run('normal', '#999999', null, nextOrder.get() as number).lastInsertRowid)
    if (classId.get('anomaly') === undefined) {
      const keyTaken = db.prepare("SELECT 1 FROM classes WHERE hotkey = '1'").get() !== undefined
      insert.run('anomaly', '#D55E00', keyTaken ? null : '1', nextOrder.get() as number)
    }
    if (setting.get('default_class_id') === undefined)
      setMeta.run('default_class_id', String(normal))
    setMeta.run('classes_seeded', '1')
  },

  /**
   * Training runs: when they started and ended, why one failed, the saved dataset version they
   * trained on, and which process runs one in progress (`host:pid`, with its heartbeat), so a
   * run whose trainer died is found and marked interrupted, as recordings are.
   */
  function trainingRuns(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN started_at INTEGER;
      ALTER TABLE runs ADD COLUMN ended_at INTEGER;
      ALTER TABLE runs ADD COLUMN error TEXT;
      ALTER TABLE runs ADD COLUMN dataset_id INTEGER REFERENCES datasets (id) ON DELETE SET NULL;
      ALTER TABLE runs ADD COLUMN owner TEXT;
      ALTER TABLE runs ADD COLUMN heartbeat_at INTEGER;
      CREATE INDEX runs_by_dataset ON runs (dataset_id);
    `)
  },

  /**
   * What a device's model said during a recording: one track per recording and model (the
   * image's CRC-32), with the model's classes and output quantization when the app knew it (a
   * run of this project whose image has that CRC), and one row per window the device classified.
   */
  function predictionTracks(db) {
    db.exec(`
      CREATE TABLE prediction_tracks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recording_id INTEGER NOT NULL REFERENCES recordings (id) ON DELETE CASCADE,
        model_crc32 INTEGER NOT NULL CHECK (model_crc32 BETWEEN 0 AND 4294967295),
        run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL,
        -- The model's class names in output order; empty when the model was not known.
        classes TEXT NOT NULL DEFAULT '[]' CHECK (json_type(classes) = 'array'),
        output_scale REAL,
        output_zero_point INTEGER,
        -- The window the model sees, µs (its start is end_us minus this); null when unknown.
        window_us REAL,
        created_at INTEGER NOT NULL,
        UNIQUE (recording_id, model_crc32)
      );
      CREATE INDEX prediction_tracks_by_run ON prediction_tracks (run_id);

      -- end_us: the end of the classified window on the recording's time axis (the device's
      -- clock, placed as its samples are). class_index and probability are null when the model
      -- was not known; outputs are the int8 output tensor as the device sent it.
      CREATE TABLE predictions (
        track_id INTEGER NOT NULL REFERENCES prediction_tracks (id) ON DELETE CASCADE,
        end_us INTEGER NOT NULL,
        outputs BLOB NOT NULL,
        class_index INTEGER,
        probability REAL,
        score REAL,
        latency_us INTEGER NOT NULL,
        instructions INTEGER NOT NULL,
        PRIMARY KEY (track_id, end_us)
      ) WITHOUT ROWID;
    `)
  },
]

export const SCHEMA_VERSION = MIGRATIONS.length

export interface MigrateOptions {
  /** Stop at this version (tests build files of every older version). */
  to?: number
  migrations?: readonly Migration[]
}

/**
 * Brings the file up to `to`, one transaction per step. The version is re-read inside each
 * transaction, so two processes migrating the same file at once apply every step exactly once.
 * Foreign keys must be OFF (they cannot change inside a transaction, and table rebuilds need them
 * off); each step checks them before it commits instead.
 */
export function migrate(db: Database, options: MigrateOptions = {}): void {
  const migrations = options.migrations ?? MIGRATIONS
  const target = options.to ?? migrations.length
  const step = db.transaction((): boolean => {
    const version = userVersion(db)
    if (version >= target) return false
    const migration = migrations[version]
    if (!migration) throw new Error(`No migration from schema version ${version}`)
    migration(db)
    if ((db.pragma('foreign_key_check') as unknown[]).length > 0) {
      throw new Error(`Migration to schema version ${version + 1} broke foreign keys`)
    }
    db.pragma(`user_version = ${version + 1}`)
    return true
  })
  // Up to date: no transaction, so opening a current project never waits for the write lock.
  if (userVersion(db) >= target) return
  while (step.immediate()) {
    // One step per transaction until the file is at the target version.
  }
}

export function userVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number
}
