import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { importPaths } from '../../../src-main/data/import/import-paths.js'
import { openProject } from '../../../src-main/store/open.js'
import type { Project } from '../../../src-main/store/project.js'
import { rawRows, useTempDir } from './helpers.js'

const tempDir = useTempDir()
const TABLES = ['recordings', 'streams', 'chunks', 'envelopes']

function rowCounts(file: string): Record<string, number> {
  return Object.fromEntries(
    TABLES.map((table) => [table, rawRows(file, `SELECT * FROM ${table}`).length]),
  )
}

/** Creates a recording, a stream and enough chunks for several envelope levels, then fails. */
function failingImport(project: Project): number {
  let streamId = -1
  expect(() =>
    project.transaction(() => {
      const recordingId = project.recordings.create({ name: 'doomed', status: 'imported' })
      streamId = project.streams.create(recordingId, {
        name: 'imported',
        rateHz: 1000,
        channels: [{ name: 'a' }],
      })
      for (let i = 0; i < 30; i++) {
        const data = Float32Array.from({ length: 1000 }, () => 1e6) // far outside the next import
        project.samples.appendChunks(streamId, [{ t0Us: i * 1e6, dtUs: 1000, data }])
      }
      throw new Error('the file turned out to be truncated')
    }),
  ).toThrow('truncated')
  return streamId
}

describe('Project.transaction', () => {
  test('a transaction that throws leaves nothing behind', () => {
    const file = join(tempDir(), 'tx.tinyloop')
    const project = openProject(file)
    try {
      failingImport(project)
      expect(project.recordings.list()).toEqual([])
      project.close()
      expect(rowCounts(file)).toEqual({ recordings: 0, streams: 0, chunks: 0, envelopes: 0 })
    } finally {
      project.close()
    }
  })

  test('an import after a failed one reuses the stream id and has correct envelopes', async () => {
    const dir = tempDir()
    const project = openProject(join(dir, 'tx.tinyloop'))
    try {
      const failedStreamId = failingImport(project)
      const csv = join(dir, 'wave.csv')
      const lines = ['timestamp_ms,a']
      for (let i = 0; i < 40_000; i++) lines.push(`${i},${(Math.sin(i / 97) * 3).toFixed(3)}`)
      writeFileSync(csv, `${lines.join('\n')}\n`)
      const [outcome] = await importPaths(project, [csv])
      if (!outcome?.ok) throw new Error(`import failed: ${outcome?.error}`)
      const [stream] = project.streams.list(outcome.recordingId)
      expect(stream?.id).toBe(failedStreamId)
      const streamId = stream?.id ?? -1
      const endUs = 39_999_000
      for (const maxBuckets of [1, 8, 50, 400]) {
        const slice = project.envelopes.query(streamId, 0, endUs, maxBuckets)
        expect(slice.t0.length).toBeLessThanOrEqual(maxBuckets + 1)
        for (let bucket = 0; bucket < slice.t0.length; bucket++) {
          const { data } = project.samples.read(
            streamId,
            slice.t0[bucket] as number,
            slice.t1[bucket] as number,
          )
          expect(slice.n[bucket]).toBe(data.length)
          expect(slice.min[bucket]).toBe(Math.min(...data))
          expect(slice.max[bucket]).toBe(Math.max(...data))
        }
        expect(slice.n.reduce((sum, n) => sum + n, 0)).toBe(40_000)
      }
    } finally {
      project.close()
    }
  })
})
