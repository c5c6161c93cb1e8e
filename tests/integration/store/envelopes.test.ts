import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import type { SampleChunk } from '../../../src-main/store/chunk-format.js'
import { openProject } from '../../../src-main/store/open.js'
import type { Project } from '../../../src-main/store/project.js'
import { random, rawRows, useTempDir } from './helpers.js'

const tempDir = useTempDir()
const CHANNELS = 3

interface Row {
  level: number
  t0_us: number
  t1_us: number
  n: number
  stats: Buffer
}

/**
 * About 200 s of 3-channel samples at 1 kHz in chunks of random sizes, some at the nominal rate,
 * some with jittered device timestamps; enough for five envelope levels.
 */
function randomChunks(seed: number): SampleChunk[] {
  const next = random(seed)
  const chunks: SampleChunk[] = []
  let t = 0
  while (t < 200_000_000) {
    const n = 1 + Math.floor(next() * 1500)
    const data = Float32Array.from({ length: n * CHANNELS }, (_, i) =>
      next() < 0.001 ? (next() - 0.5) * 1e4 : Math.sin(t / 1e6 + i) * (1 + (i % CHANNELS)) + next(),
    )
    if (next() < 0.5) {
      chunks.push({ t0Us: t, dtUs: 1000, data })
      t += n * 1000
    } else {
      const timestampsUs = new Float64Array(n)
      for (let i = 0; i < n; i++) {
        timestampsUs[i] = t
        t += 900 + Math.floor(next() * 200)
      }
      chunks.push({ timestampsUs, data })
    }
    t += Math.floor(next() * 3) * 50_000 // sometimes a gap
  }
  return chunks
}

/** Appends in batches of 1 to 10 chunks, the way a recorder flushes. */
function appendAll(project: Project, streamId: number, chunks: readonly SampleChunk[]): void {
  const next = random(99)
  for (let i = 0; i < chunks.length;) {
    const size = 1 + Math.floor(next() * 10)
    project.samples.appendChunks(streamId, chunks.slice(i, i + size))
    i += size
  }
}

function newStream(project: Project): number {
  const recordingId = project.recordings.create({ name: 'random' })
  return project.streams.create(recordingId, {
    name: 'imu',
    rateHz: 1000,
    channels: ['x', 'y', 'z'].map((name) => ({ name })),
  })
}

function envelopeRows(file: string, streamId: number): Row[] {
  return rawRows<Row>(
    file,
    'SELECT level, t0_us, t1_us, n, stats FROM envelopes WHERE stream_id = ? ORDER BY level, t0_us',
    streamId,
  )
}

function statsOf(row: Row): Float32Array {
  return new Float32Array(new Uint8Array(row.stats).buffer)
}

function expectMean(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(expected)))
}

/**
 * Every level-0 bucket summarizes its own run of raw samples; every coarser bucket combines the
 * next 8 (fewer only at the end) buckets of the level below; the top level is one bucket of all.
 */
function expectConsistentEnvelopes(project: Project, file: string, streamId: number): void {
  const { t, data } = project.samples.read(streamId, -Infinity, Infinity)
  const rows = envelopeRows(file, streamId)
  const levels: Row[][] = []
  for (const row of rows) (levels[row.level] ??= []).push(row)

  let sample = 0
  for (const bucket of levels[0] ?? []) {
    expect(bucket.n).toBeLessThanOrEqual(256)
    expect([t[sample], t[sample + bucket.n - 1]]).toEqual([bucket.t0_us, bucket.t1_us])
    const stats = statsOf(bucket)
    for (let channel = 0; channel < CHANNELS; channel++) {
      const values = Array.from(
        { length: bucket.n },
        (_, i) => data[(sample + i) * CHANNELS + channel] as number,
      )
      expect(stats[channel * 3]).toBe(Math.min(...values))
      expect(stats[channel * 3 + 1]).toBe(Math.max(...values))
      expectMean(stats[channel * 3 + 2] as number, values.reduce((a, b) => a + b, 0) / bucket.n)
    }
    sample += bucket.n
  }
  expect(sample).toBe(t.length)

  for (let level = 1; level < levels.length; level++) {
    const children = levels[level - 1] ?? []
    const parents = levels[level] ?? []
    let child = 0
    parents.forEach((parent, index) => {
      const group = children.filter((c) => c.t0_us >= parent.t0_us && c.t1_us <= parent.t1_us)
      expect(group).toEqual(children.slice(child, child + group.length))
      expect(group.length).toBe(
        index < parents.length - 1 ? 8 : Math.min(8, children.length - child),
      )
      child += group.length
      expect([parent.t0_us, parent.t1_us]).toEqual([group[0]?.t0_us, group.at(-1)?.t1_us])
      expect(parent.n).toBe(group.reduce((sum, c) => sum + c.n, 0))
      const stats = statsOf(parent)
      for (let channel = 0; channel < CHANNELS; channel++) {
        const childStats = group.map(statsOf)
        expect(stats[channel * 3]).toBe(
          Math.min(...childStats.map((s) => s[channel * 3] as number)),
        )
        expect(stats[channel * 3 + 1]).toBe(
          Math.max(...childStats.map((s) => s[channel * 3 + 1] as number)),
        )
        const weighted = group.reduce(
          (sum, c, i) => sum + (childStats[i]?.[channel * 3 + 2] as number) * c.n,
          0,
        )
        expectMean(stats[channel * 3 + 2] as number, weighted / parent.n)
      }
    })
    expect(child).toBe(children.length)
  }

  const top = levels.at(-1) ?? []
  expect(top).toHaveLength(1)
  expect([top[0]?.n, top[0]?.t0_us, top[0]?.t1_us]).toEqual([t.length, t[0], t.at(-1)])
}

describe('envelopes', () => {
  test('match the raw samples at every level', () => {
    const file = join(tempDir(), 'envelopes.tinyloop')
    const project = openProject(file)
    const streamId = newStream(project)
    appendAll(project, streamId, randomChunks(1))
    project.samples.finish(streamId)

    const levels = new Set(envelopeRows(file, streamId).map((row) => row.level))
    expect(levels.size).toBeGreaterThanOrEqual(5)
    expectConsistentEnvelopes(project, file, streamId)
    project.close()
  })

  test('are the same when appending resumes after a reopen and after a failed append', () => {
    const chunks = randomChunks(2)
    const oneGo = join(tempDir(), 'one-go.tinyloop')
    let project = openProject(oneGo)
    const streamId = newStream(project)
    appendAll(project, streamId, chunks)
    project.close()

    const resumed = join(tempDir(), 'resumed.tinyloop')
    const half = Math.floor(chunks.length / 2)
    project = openProject(resumed)
    newStream(project)
    appendAll(project, streamId, chunks.slice(0, half))
    project.close()
    project = openProject(resumed)
    appendAll(project, streamId, chunks.slice(half, half + 10))
    const overlapping = chunks[half]
    expect(() => project.samples.appendChunks(streamId, overlapping ? [overlapping] : [])).toThrow()
    appendAll(project, streamId, chunks.slice(half + 10))
    project.close()

    project = openProject(resumed)
    expectConsistentEnvelopes(project, resumed, streamId)
    project.close()
    expect(envelopeRows(resumed, streamId)).toEqual(envelopeRows(oneGo, streamId))
  })

  test('rebuild recovers the coarser levels from level 0', () => {
    const file = join(tempDir(), 'crashed.tinyloop')
    let project = openProject(file)
    const streamId = newStream(project)
    appendAll(project, streamId, randomChunks(3))
    project.close()
    const intact = envelopeRows(file, streamId)

    // What a crash loses: coarser buckets at the end; plus a stray one for good measure.
    const db = new Database(file)
    const middle = (intact.at(-1)?.t1_us ?? 0) / 2
    db.prepare('DELETE FROM envelopes WHERE level >= 1 AND t1_us > ?').run(middle)
    db.prepare('INSERT INTO envelopes VALUES (?, 2, ?, ?, 1, ?)').run(
      streamId,
      middle + 1,
      middle + 2,
      Buffer.alloc(36),
    )
    db.close()
    expect(envelopeRows(file, streamId)).not.toEqual(intact)

    project = openProject(file)
    project.envelopes.rebuild(streamId)
    expect(envelopeRows(file, streamId)).toEqual(intact)
    expectConsistentEnvelopes(project, file, streamId)
    project.close()
  })
})

describe('timeline queries', () => {
  function recorded(seed: number): { project: Project; file: string; streamId: number } {
    const file = join(tempDir(), 'timeline.tinyloop')
    const project = openProject(file)
    const streamId = newStream(project)
    appendAll(project, streamId, randomChunks(seed))
    return { project, file, streamId }
  }

  test('zoomed out: the finest level that fits in maxBuckets, covering every sample', () => {
    const { project, file, streamId } = recorded(4)
    project.samples.finish(streamId)
    const total = project.samples.stats(streamId).samples

    const slice = project.envelopes.query(streamId, -1e12, 1e12, 100)
    expect(slice.level).toBeGreaterThanOrEqual(1)
    expect(slice.t0.length).toBeLessThanOrEqual(100)
    expect(slice.n.reduce((a, b) => a + b, 0)).toBe(total)
    const finer = rawRows(
      file,
      'SELECT 1 FROM envelopes WHERE stream_id = ? AND level = ?',
      streamId,
      slice.level - 1,
    )
    expect(finer.length).toBeGreaterThan(100)
    project.close()
  })

  test('zoomed far in: the raw samples themselves', () => {
    const { project, streamId } = recorded(5)
    const raw = project.samples.read(streamId, 50_000_000, 50_060_000)
    expect(raw.t.length).toBeGreaterThan(10)

    const slice = project.envelopes.query(streamId, 50_000_000, 50_060_000, 100)
    expect(slice.level).toBe(-1)
    expect(slice.t0).toEqual(raw.t)
    expect(slice.t1).toEqual(raw.t)
    for (const values of [slice.min, slice.max, slice.mean]) expect(values).toEqual(raw.data)
    project.close()
  })

  test('any range: at most maxBuckets + 1 buckets, holding every sample of the range', () => {
    const { project, streamId } = recorded(6)
    const next = random(8)
    const levels = new Set<number>()
    for (let i = 0; i < 60; i++) {
      const from = next() * 210e6 - 5e6
      const to = from + 10 ** (3 + next() * 6)
      const maxBuckets = 20 + Math.floor(next() * 1000)
      const slice = project.envelopes.query(streamId, from, to, maxBuckets)
      levels.add(slice.level)
      expect(slice.t0.length).toBeLessThanOrEqual(maxBuckets + 1)
      const inRange = project.samples.read(streamId, from, to).t.length
      const covered = slice.n.reduce((sum, n, b) => {
        const overlaps = (slice.t1[b] as number) >= from && (slice.t0[b] as number) <= to
        return sum + (overlaps ? n : 0)
      }, 0)
      expect(covered).toBeGreaterThanOrEqual(inRange)
      expect(slice.min.length).toBe(slice.t0.length * CHANNELS)
    }
    expect(levels.size).toBeGreaterThanOrEqual(3)
    project.close()
  })

  test('while recording, the newest samples are on the timeline before finish()', () => {
    const { project, file, streamId } = recorded(7)
    const { samples, lastUs } = project.samples.stats(streamId)
    const top = rawRows<{ n: number }>(
      file,
      `SELECT n FROM envelopes
       WHERE stream_id = @id AND level = (SELECT max(level) FROM envelopes WHERE stream_id = @id)`,
      { id: streamId },
    )
    expect(top.reduce((sum, row) => sum + row.n, 0)).toBeLessThan(samples)

    for (const maxBuckets of [10, 100, 1000]) {
      const slice = project.envelopes.query(streamId, -1e12, 1e12, maxBuckets)
      expect(slice.n.reduce((a, b) => a + b, 0)).toBe(samples)
      expect(slice.t1.at(-1)).toBe(lastUs)
      expect(slice.t0.length).toBeLessThanOrEqual(maxBuckets + 1)
    }
    project.close()
  })
})

describe('zoomed in between raw samples and level 0', () => {
  const dir = useTempDir()

  test('each chart column gets the exact min and max of its raw samples', () => {
    const project = openProject(join(dir(), 'p.tinyloop'))
    try {
      const recording = project.recordings.create({ name: 'r' })
      const stream = project.streams.create(recording, {
        name: 's',
        rateHz: 100,
        channels: [{ name: 'x' }],
      })
      const next = random(3)
      const data = Float32Array.from({ length: 60_000 }, () => next() * 2 - 1)
      project.samples.appendChunks(stream, [{ t0Us: 0, dtUs: 10_000, data }])
      // 40 s = 4000 samples for 400 columns: too many for raw, far too few level-0 buckets (16).
      const slice = project.envelopes.query(stream, 100e6, 140e6, 400)
      expect(slice.level).toBe(-1)
      expect(slice.t0.length).toBe(400)
      for (const column of [0, 123, 399]) {
        const first = 10_000 + column * 10
        const values = Array.from(data.subarray(first, first + 10))
        expect(slice.min[column]).toBe(Math.min(...values))
        expect(slice.max[column]).toBe(Math.max(...values))
        expect(slice.t0[column]).toBe(first * 10_000)
      }
    } finally {
      project.close()
    }
  })
})
