import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { importPaths } from '../../../src-main/data/import/import-paths.js'
import { asFloat32, fixture, onlyImported, samplesOf, useTempProject } from './helpers.js'

const { project, dir } = useTempProject()

describe('CSV import', () => {
  test('a header with a timestamp column in ms (Edge Impulse CSV) keeps values and times', async () => {
    const imported = onlyImported(await importPaths(project(), [fixture('accel-timestamp.csv')]))
    expect(imported).toMatchObject({
      name: 'accel-timestamp',
      samples: 6,
      channels: ['accX', 'accY', 'accZ'],
      rateHz: 62.5,
    })
    const { t, rows } = samplesOf(project(), imported.recordingId)
    expect(t).toEqual([0, 16_000, 32_000, 48_000, 64_000, 80_000])
    expect(rows).toEqual(
      asFloat32([
        [4.22, 1.88, -16.89],
        [4.47, 2.0, -17.89],
        [4.32, 2.5, -18.93],
        [4.65, 2.96, -18.53],
        [4.77, 2.72, -18.8],
        [4.65, 2.69, -19.98],
      ]),
    )
    const recording = project().recordings.get(imported.recordingId)
    expect(recording).toMatchObject({ status: 'imported', durationS: 0.096 })
    expect(recording?.metadata).toMatchObject({
      source: { format: 'csv', timeColumn: 'timestamp', timeUnit: 'ms', timeUnitInferred: true },
    })
  })

  test('a time column in seconds, named with its unit, is stored in µs from 0', async () => {
    const imported = onlyImported(await importPaths(project(), [fixture('seconds.csv')]))
    expect(imported).toMatchObject({ channels: ['x', 'y'], rateHz: 100 })
    const { t, rows } = samplesOf(project(), imported.recordingId)
    expect(t).toEqual([0, 10_000, 20_000, 30_000, 40_000])
    expect(rows).toEqual([
      [1.5, -2],
      [1.25, -2.5],
      [1, -3],
      [0.75, -3.5],
      [0.5, -4],
    ])
  })

  test('without a header the channels are ch1..chN and the rate comes from the option', async () => {
    const imported = onlyImported(
      await importPaths(project(), [fixture('no-header.csv')], { rateHz: 4 }),
    )
    expect(imported).toMatchObject({ channels: ['ch1', 'ch2', 'ch3'], rateHz: 4, durationS: 1 })
    const { t, rows } = samplesOf(project(), imported.recordingId)
    expect(t).toEqual([0, 250_000, 500_000, 750_000])
    expect(rows).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
      [10, 11, 12],
    ])
  })

  test('without a time column or a rate, it asks for the rate and stores nothing', async () => {
    const [outcome] = await importPaths(project(), [fixture('no-header.csv')])
    expect(outcome).toMatchObject({ ok: false })
    expect(outcome?.ok === false && outcome.error).toMatch(/no-header\.csv.*--rate/)
    expect(project().recordings.list()).toEqual([])
  })

  test('tab-separated', async () => {
    const imported = onlyImported(
      await importPaths(project(), [fixture('tabs.csv')], { rateHz: 10 }),
    )
    expect(imported.channels).toEqual(['ax', 'ay'])
    expect(samplesOf(project(), imported.recordingId).rows).toEqual([
      [0.5, -0.5],
      [1.5, -1.5],
      [2.5, -2.5],
    ])
  })

  test('space-separated with aligned columns and a t_ms column', async () => {
    const imported = onlyImported(await importPaths(project(), [fixture('spaces.txt')]))
    expect(imported).toMatchObject({ channels: ['temp', 'vib'], rateHz: 10 })
    const { t, rows } = samplesOf(project(), imported.recordingId)
    expect(t).toEqual([0, 100_000, 200_000])
    expect(rows).toEqual([
      [21.5, 0.125],
      [21.75, 0.25],
      [22, 0.5],
    ])
  })

  test('semicolons with decimal commas and a "time [s]" column', async () => {
    const imported = onlyImported(await importPaths(project(), [fixture('semicolons.csv')]))
    expect(imported).toMatchObject({ channels: ['Druck'], rateHz: 2 })
    const { t, rows } = samplesOf(project(), imported.recordingId)
    expect(t).toEqual([0, 500_000, 1_000_000])
    expect(rows).toEqual([[1013.25], [1013.5], [1013.75]])
  })

  test('Unix times in ms are rebased to 0 and set the recording start', async () => {
    const file = join(dir(), 'unix.csv')
    writeFileSync(file, 'timestamp,a\n1700000000000,1\n1700000000010,2\n1700000000020,3\n')
    const imported = onlyImported(await importPaths(project(), [file]))
    expect(imported.rateHz).toBe(100)
    expect(samplesOf(project(), imported.recordingId).t).toEqual([0, 10_000, 20_000])
    expect(project().recordings.get(imported.recordingId)?.startedAt).toBe(1_700_000_000_000)
  })

  test('a single timed row needs the rate', async () => {
    const file = join(dir(), 'one.csv')
    writeFileSync(file, 'timestamp,a\n0,1\n')
    const [outcome] = await importPaths(project(), [file])
    expect(outcome?.ok === false && outcome.error).toMatch(/single row.*--rate/)
    expect(project().recordings.list()).toEqual([])
  })

  test('many rows are stored in chunks with correct envelopes', async () => {
    const file = join(dir(), 'long.csv')
    const lines = ['timestamp_us,a']
    for (let i = 0; i < 10_000; i++) lines.push(`${i * 1000},${Math.sin(i / 50).toFixed(4)}`)
    writeFileSync(file, `${lines.join('\n')}\n`)
    const imported = onlyImported(await importPaths(project(), [file]))
    expect(imported).toMatchObject({ samples: 10_000, rateHz: 1000 })
    const [stream] = project().streams.list(imported.recordingId)
    const stats = project().samples.stats(stream?.id ?? -1)
    expect(stats).toMatchObject({ samples: 10_000, firstUs: 0, lastUs: 9_999_000 })
    expect(stats.chunks).toBeGreaterThan(1)
    const envelope = project().envelopes.query(stream?.id ?? -1, 0, 9_999_000, 10)
    expect(Math.min(...envelope.min)).toBeCloseTo(-1, 3)
    expect(Math.max(...envelope.max)).toBeCloseTo(1, 3)
  })
})
