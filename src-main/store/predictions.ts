import type { Statement } from 'better-sqlite3'
import { z } from 'zod'
import type { Connection } from './connection.js'
import { readJsonColumn } from './json.js'

/** What the app knows of the model a device ran: a run of this project with that image CRC. */
export interface PredictionModel {
  runId: number | null
  classes: string[]
  outputScale: number
  outputZeroPoint: number
  /** The window the model classifies, µs. */
  windowUs: number
  /**
   * An anomaly model's threshold: its classes are then `normal` and `anomaly`, a window being
   * an anomaly when its score (as the device sent it) is over it. Absent for a classifier.
   */
  threshold?: number | null
}

/** One recording's predictions by one model (`prediction_tracks` in migrations.ts). */
export interface PredictionTrack {
  id: number
  recordingId: number
  modelCrc32: number
  runId: number | null
  /** Empty when the model was not known: only the raw outputs are stored. */
  classes: string[]
  outputScale: number | null
  outputZeroPoint: number | null
  windowUs: number | null
  count: number
  /** Recording time of the first and last window ends, µs; null while empty. */
  firstEndUs: number | null
  lastEndUs: number | null
}

/** One classified window. */
export interface Prediction {
  /** End of the window on the recording's time axis, µs. */
  endUs: number
  /** The int8 output tensor as the device sent it. */
  outputs: number[]
  classIndex: number | null
  probability: number | null
  score: number | null
  latencyUs: number
  instructions: number
}

interface TrackRow {
  id: number
  recording_id: number
  model_crc32: number
  run_id: number | null
  classes: string
  output_scale: number | null
  output_zero_point: number | null
  window_us: number | null
  count: number
  first_end_us: number | null
  last_end_us: number | null
}

interface PredictionRow {
  end_us: number
  outputs: Buffer
  class_index: number | null
  probability: number | null
  score: number | null
  latency_us: number
  instructions: number
}

type PredictionFields = [
  number,
  number,
  Buffer,
  number | null,
  number | null,
  number | null,
  number,
  number,
]

const SELECT_TRACKS = `
  SELECT t.*, count(p.end_us) AS count, min(p.end_us) AS first_end_us, max(p.end_us) AS last_end_us
  FROM prediction_tracks t LEFT JOIN predictions p ON p.track_id = t.id`

/** The stored predictions of recordings. Writes are meant to go in the recorder's transactions. */
export class Predictions {
  readonly #connection: Connection
  readonly #findTrack: Statement<[number, number], number>
  readonly #insertTrack: Statement<
    [number, number, number | null, string, number | null, number | null, number | null, number]
  >
  readonly #insert: Statement<PredictionFields>
  readonly #tracks: Statement<[number], TrackRow>
  readonly #track: Statement<[number], TrackRow>
  readonly #range: Statement<[number, number, number], PredictionRow>

  constructor(connection: Connection) {
    this.#connection = connection
    const { db } = connection
    this.#findTrack = db
      .prepare<[number, number], number>(
        'SELECT id FROM prediction_tracks WHERE recording_id = ? AND model_crc32 = ?',
      )
      .pluck()
    this.#insertTrack = db.prepare(
      `INSERT INTO prediction_tracks (recording_id, model_crc32, run_id, classes, output_scale,
         output_zero_point, window_us, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#insert = db.prepare(
      `INSERT OR REPLACE INTO predictions (track_id, end_us, outputs, class_index, probability,
         score, latency_us, instructions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#tracks = db.prepare(
      `${SELECT_TRACKS} WHERE t.recording_id = ? GROUP BY t.id ORDER BY t.id`,
    )
    this.#track = db.prepare(`${SELECT_TRACKS} WHERE t.id = ? GROUP BY t.id`)
    this.#range = db.prepare(
      `SELECT * FROM predictions WHERE track_id = ? AND end_us >= ? AND end_us <= ? ORDER BY end_us`,
    )
  }

  /** The track of `recordingId` by the model `crc32`, made on first use (call in a transaction). */
  track(recordingId: number, crc32: number, model: PredictionModel | null): number {
    const existing = this.#findTrack.get(recordingId, crc32 >>> 0)
    if (existing !== undefined) return existing
    return Number(
      this.#insertTrack.run(
        recordingId,
        crc32 >>> 0,
        model?.runId ?? null,
        JSON.stringify(model?.classes ?? []),
        model?.outputScale ?? null,
        model?.outputZeroPoint ?? null,
        model?.windowUs ?? null,
        Date.now(),
      ).lastInsertRowid,
    )
  }

  /** Appends predictions to a track (call inside the recorder's transaction). */
  append(trackId: number, predictions: readonly Prediction[]): void {
    for (const p of predictions) {
      this.#insert.run(
        trackId,
        Math.round(p.endUs),
        Buffer.from(Int8Array.from(p.outputs).buffer),
        p.classIndex,
        p.probability,
        p.score,
        p.latencyUs,
        p.instructions,
      )
    }
  }

  /** A recording's tracks, oldest first. */
  tracks(recordingId: number): PredictionTrack[] {
    return this.#tracks.all(recordingId).map((row) => trackOf(row, this.#connection.path))
  }

  get(trackId: number): PredictionTrack | null {
    const row = this.#track.get(trackId)
    return row ? trackOf(row, this.#connection.path) : null
  }

  /** The predictions of a track whose windows end between `fromUs` and `toUs`, in time order. */
  range(trackId: number, fromUs: number, toUs: number): Prediction[] {
    return this.#range.all(trackId, Math.floor(fromUs), Math.ceil(toUs)).map((row) => ({
      endUs: row.end_us,
      outputs: Array.from(
        new Int8Array(row.outputs.buffer, row.outputs.byteOffset, row.outputs.length),
      ),
      classIndex: row.class_index,
      probability: row.probability,
      score: row.score,
      latencyUs: row.latency_us,
      instructions: row.instructions,
    }))
  }
}

function trackOf(row: TrackRow, path: string): PredictionTrack {
  return {
    id: row.id,
    recordingId: row.recording_id,
    modelCrc32: row.model_crc32,
    runId: row.run_id,
    classes: readJsonColumn(z.array(z.string()), row.classes, 'prediction_tracks.classes', path),
    outputScale: row.output_scale,
    outputZeroPoint: row.output_zero_point,
    windowUs: row.window_us,
    count: row.count,
    firstEndUs: row.first_end_us,
    lastEndUs: row.last_end_us,
  }
}

/**
 * The class a model's int8 outputs name and its probability, dequantized as the model's output
 * tensor says (`scale × (q − zeroPoint)`). Ties go to the first class, as argmax does.
 */
export function classOf(
  outputs: readonly number[],
  model: Pick<PredictionModel, 'outputScale' | 'outputZeroPoint'>,
): { classIndex: number; probability: number } {
  let best = 0
  for (let i = 1; i < outputs.length; i++) {
    if ((outputs[i] as number) > (outputs[best] as number)) best = i
  }
  return {
    classIndex: best,
    probability: model.outputScale * ((outputs[best] ?? 0) - model.outputZeroPoint),
  }
}
