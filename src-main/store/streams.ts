import type { Statement } from 'better-sqlite3'
import { z } from 'zod'
import type { Connection } from './connection.js'
import { readJsonColumn } from './json.js'

/** Stored values are already in `unit`; `scale` is the device's raw-count-to-unit factor. */
export interface Channel {
  name: string
  unit: string
  scale: number
}

export interface Stream {
  id: number
  recordingId: number
  name: string
  /** Nominal rate; device-timestamped streams may drift from it. */
  rateHz: number
  channels: Channel[]
}

export interface NewStream {
  name: string
  rateHz: number
  channels: { name: string; unit?: string; scale?: number }[]
}

interface StreamRow {
  id: number
  recording_id: number
  name: string
  rate_hz: number
  channels: string
}

/** The sample streams of a recording (e.g. an accelerometer at 400 Hz, a thermometer at 1 Hz). */
export class Streams {
  readonly #connection: Connection
  readonly #insert: Statement<[number, string, number, string]>
  readonly #byRecording: Statement<[number], StreamRow>
  readonly #byId: Statement<[number], StreamRow>
  readonly #recordingExists: Statement<[number], number>

  constructor(connection: Connection) {
    this.#connection = connection
    const { db } = connection
    this.#insert = db.prepare<[number, string, number, string]>(
      'INSERT INTO streams (recording_id, name, rate_hz, channels) VALUES (?, ?, ?, ?)',
    )
    this.#byRecording = db.prepare<[number], StreamRow>(
      'SELECT * FROM streams WHERE recording_id = ? ORDER BY id',
    )
    this.#byId = db.prepare<[number], StreamRow>('SELECT * FROM streams WHERE id = ?')
    this.#recordingExists = db
      .prepare<[number], number>('SELECT 1 FROM recordings WHERE id = ?')
      .pluck()
  }

  create(recordingId: number, stream: NewStream): number {
    const { name, rateHz } = stream
    if (!name) throw new RangeError('A stream needs a name')
    if (!(Number.isFinite(rateHz) && rateHz > 0)) {
      throw new RangeError(`Stream "${name}" needs a positive rate, not ${rateHz} Hz`)
    }
    const channels = stream.channels.map(({ name, unit = '', scale = 1 }) => ({
      name,
      unit,
      scale,
    }))
    const names = new Set(channels.map((channel) => channel.name))
    if (channels.length === 0 || names.size !== channels.length || names.has('')) {
      throw new RangeError(`Stream "${name}" needs one or more channels with distinct names`)
    }
    return this.#connection.write(() => {
      if (!this.#recordingExists.get(recordingId)) {
        throw new RangeError(`Recording ${recordingId} does not exist`)
      }
      return Number(
        this.#insert.run(recordingId, name, rateHz, JSON.stringify(channels)).lastInsertRowid,
      )
    })
  }

  list(recordingId: number): Stream[] {
    return this.#byRecording.all(recordingId).map((row) => this.#streamOf(row))
  }

  get(streamId: number): Stream | undefined {
    const row = this.#byId.get(streamId)
    return row && this.#streamOf(row)
  }

  #streamOf(row: StreamRow): Stream {
    return {
      id: row.id,
      recordingId: row.recording_id,
      name: row.name,
      rateHz: row.rate_hz,
      channels: readJsonColumn(Channels, row.channels, 'streams.channels', this.#connection.path),
    }
  }
}

const Channels = z.array(z.object({ name: z.string(), unit: z.string(), scale: z.number() }))
