import { join } from 'node:path'
import { beforeEach, expect, test } from 'vitest'
import { openProject } from '../../../src-main/store/open.js'
import type { Project } from '../../../src-main/store/project.js'
import { rawRows, useTempDir } from './helpers.js'

const tempDir = useTempDir()
let project: Project
let file: string

beforeEach(() => {
  file = join(tempDir(), 'recordings.tinyloop')
  project = openProject(file)
  return () => project.close()
})

/** 10 s of a 400 Hz accelerometer and 10 readings of a 1 Hz thermometer. */
function recordPump(name: string, startedAt: number): number {
  const recordingId = project.recordings.create({
    name,
    device: 'esp32-s3 #4',
    tags: ['pump', 'site B'],
    startedAt,
  })
  const accelerometer = project.streams.create(recordingId, {
    name: 'accelerometer',
    rateHz: 400,
    channels: ['ax', 'ay', 'az'].map((name) => ({ name, unit: 'g', scale: 1 / 4096 })),
  })
  const thermometer = project.streams.create(recordingId, {
    name: 'temperature',
    rateHz: 1,
    channels: [{ name: 'temp', unit: '°C' }],
  })
  const accelerometerChunks = Array.from({ length: 4 }, (_, i) => ({
    t0Us: i * 2_500_000,
    dtUs: 2500,
    data: new Float32Array(1000 * 3).fill(i),
  }))
  project.samples.appendChunks(accelerometer, accelerometerChunks)
  project.samples.appendChunks(thermometer, [
    {
      timestampsUs: Float64Array.from({ length: 10 }, (_, i) => i * 1_000_000),
      data: new Float32Array(10),
    },
  ])
  project.recordings.setStatus(recordingId, 'complete')
  return recordingId
}

test('the list summarizes each recording from its streams, newest first', () => {
  const older = recordPump('monday', 1_700_000_000_000)
  const newer = project.recordings.create({ name: 'tuesday', startedAt: 1_700_086_400_000 })

  expect(project.recordings.list()).toEqual([
    {
      id: newer,
      name: 'tuesday',
      device: null,
      notes: '',
      tags: [],
      startedAt: 1_700_086_400_000,
      status: 'recording',
      streams: 0,
      samples: 0,
      durationS: 0,
      rateHz: null,
      channels: [],
      labels: 0,
    },
    {
      id: older,
      name: 'monday',
      device: 'esp32-s3 #4',
      notes: '',
      tags: ['pump', 'site B'],
      startedAt: 1_700_000_000_000,
      status: 'complete',
      streams: 2,
      samples: 4010,
      durationS: 10,
      rateHz: 400,
      channels: ['ax', 'ay', 'az', 'temp'],
      labels: 0,
    },
  ])
  expect(project.info().recordings).toBe(2)
})

test('recordings can be renamed, annotated and given a default class', () => {
  const id = recordPump('draft', 0)
  const normal = project.classes.upsert({ name: 'normal', color: '#22aa55' })
  project.recordings.update(id, {
    name: 'pump B, bearing worn',
    notes: 'noisy from minute 3',
    metadata: { firmware: '1.4.2', mount: { axis: 'z' } },
    defaultClassId: normal,
  })
  expect(project.recordings.get(id)).toMatchObject({
    name: 'pump B, bearing worn',
    notes: 'noisy from minute 3',
    device: 'esp32-s3 #4',
    tags: ['pump', 'site B'],
    metadata: { firmware: '1.4.2', mount: { axis: 'z' } },
    defaultClassId: normal,
    samples: 4010,
  })
  expect(() => project.recordings.update(999, { name: 'x' })).toThrow(
    'Recording 999 does not exist',
  )
  expect(() => project.recordings.setStatus(999, 'complete')).toThrow(
    'Recording 999 does not exist',
  )
  expect(project.recordings.get(999)).toBeUndefined()
})

test('deleting a recording removes its streams, samples, envelopes, labels and journal, and frees the space', () => {
  const doomed = recordPump('doomed', 1)
  const kept = recordPump('kept', 2)
  const classId = project.classes.upsert({ name: 'fault', color: '#cc0000' })
  for (const recordingId of [doomed, kept]) {
    const label = project.labels.insert({ recordingId, classId, startUs: 0, endUs: 1000 }, 'ana')
    project.labels.update(label.id, { endUs: 2000 }, 'ana')
  }
  const big = project.streams.create(doomed, {
    name: 'big',
    rateHz: 1000,
    channels: [{ name: 'x' }],
  })
  project.samples.appendChunks(big, [{ t0Us: 0, dtUs: 1000, data: new Float32Array(500_000) }])
  // Rows that belong to a recording, found by its stream ids so that orphans would be counted.
  const rowsOf = (recordingId: number, streamIds: number[]) =>
    rawRows<Record<string, number>>(
      file,
      `SELECT
         (SELECT count(*) FROM streams WHERE recording_id = @id) AS streams,
         (SELECT count(*) FROM chunks WHERE stream_id IN (SELECT value FROM json_each(@streams))) AS chunks,
         (SELECT count(*) FROM envelopes WHERE stream_id IN (SELECT value FROM json_each(@streams))) AS envelopes,
         (SELECT count(*) FROM labels WHERE recording_id = @id) AS labels,
         (SELECT count(*) FROM label_journal WHERE recording_id = @id) AS journal`,
      { id: recordingId, streams: JSON.stringify(streamIds) },
    )[0]
  const doomedStreams = project.streams.list(doomed).map((stream) => stream.id)
  const keptStreams = project.streams.list(kept).map((stream) => stream.id)
  const doomedBefore = rowsOf(doomed, doomedStreams)
  expect(doomedBefore).toMatchObject({ streams: 3, chunks: 6, labels: 1, journal: 2 })
  expect(doomedBefore?.envelopes).toBeGreaterThan(0)
  const keptBefore = rowsOf(kept, keptStreams)
  const pagesBefore = rawRows<{ page_count: number }>(file, 'PRAGMA page_count')[0]?.page_count ?? 0

  project.recordings.delete(doomed)

  expect(rowsOf(doomed, doomedStreams)).toEqual({
    streams: 0,
    chunks: 0,
    envelopes: 0,
    labels: 0,
    journal: 0,
  })
  expect(rowsOf(kept, keptStreams)).toEqual(keptBefore)
  expect(project.recordings.list().map((r) => r.name)).toEqual(['kept'])
  const pagesAfter = rawRows<{ page_count: number }>(file, 'PRAGMA page_count')[0]?.page_count ?? 0
  expect(pagesAfter).toBeLessThan(pagesBefore - 400)
})
