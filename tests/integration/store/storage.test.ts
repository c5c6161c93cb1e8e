import { statSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { expect, test } from 'vitest'
import { openProject } from '../../../src-main/store/open.js'
import { random, useTempDir } from './helpers.js'

const tempDir = useTempDir()

test('an hour of 3 channels at 1 kHz costs at most 1.15x its raw float32 bytes', () => {
  const file = join(tempDir(), 'hour.tinyloop')
  const project = openProject(file)
  const recordingId = project.recordings.create({ name: 'one hour' })
  const streamId = project.streams.create(recordingId, {
    name: 'imu',
    rateHz: 1000,
    channels: ['x', 'y', 'z'].map((name) => ({ name, unit: 'g' })),
  })
  const next = random(42)
  const samples = 3600 * 1000
  const chunkSamples = 1000
  for (let minute = 0; minute < 60; minute++) {
    // One transaction per minute of 1000-sample chunks.
    const chunks = Array.from({ length: 60 }, (_, second) => {
      const t0Us = (minute * 60 + second) * 1_000_000
      const data = Float32Array.from(
        { length: chunkSamples * 3 },
        (_, i) => Math.sin(t0Us + i) + next(),
      )
      return { t0Us, dtUs: 1000, data }
    })
    project.samples.appendChunks(streamId, chunks)
  }
  expect(project.samples.stats(streamId).samples).toBe(samples)
  project.close()

  const db = new Database(file)
  db.pragma('wal_checkpoint(TRUNCATE)')
  const envelopeBytes = db
    .prepare("SELECT sum(pgsize) FROM dbstat WHERE name = 'envelopes'")
    .pluck()
    .get() as number
  db.close()

  const rawBytes = samples * 3 * Float32Array.BYTES_PER_ELEMENT
  const ratio = statSync(file).size / rawBytes
  // Measured: 1.057 (chunks 1.025, envelopes 0.025).
  expect(ratio).toBeLessThanOrEqual(1.15)
  expect(envelopeBytes / rawBytes).toBeLessThanOrEqual(0.05)
})
