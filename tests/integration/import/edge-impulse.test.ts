import { describe, expect, test } from 'vitest'
import { importPaths } from '../../../src-main/data/import/import-paths.js'
import { asFloat32, fixture, onlyImported, samplesOf, useTempProject } from './helpers.js'

const { project } = useTempProject()

const ACCEL_ROWS = [
  [-9.81, 0.03, 1.21],
  [-9.83, 0.04, 1.27],
  [-9.12, 0.03, 1.23],
  [-9.14, 0.01, 1.25],
]

describe('Edge Impulse data acquisition import', () => {
  test.each(['ei-accel.json', 'ei-accel.cbor'])(
    '%s keeps values, times, sensors and device',
    async (file) => {
      const imported = onlyImported(await importPaths(project(), [fixture(file)]))
      expect(imported).toMatchObject({
        name: 'ei-accel',
        samples: 4,
        channels: ['accX', 'accY', 'accZ'],
        rateHz: 100,
      })
      const { t, rows } = samplesOf(project(), imported.recordingId)
      expect(t).toEqual([0, 10_000, 20_000, 30_000])
      expect(rows).toEqual(asFloat32(ACCEL_ROWS))
      const recording = project().recordings.get(imported.recordingId)
      expect(recording?.device).toBe('ac:87:a3:0a:2d:1b')
      expect(recording?.metadata).toMatchObject({
        source: { file },
        edgeImpulse: {
          deviceName: 'ac:87:a3:0a:2d:1b',
          deviceType: 'DISCO-L475VG-IOT01A',
          intervalMs: 10,
          signatureAlgorithm: 'HS256',
          signedAt: 1564128599,
        },
      })
      const [stream] = project().streams.list(imported.recordingId)
      expect(stream?.channels.map((c) => c.unit)).toEqual(['m/s2', 'm/s2', 'm/s2'])
    },
  )

  test('a single sensor may list plain numbers', async () => {
    const imported = onlyImported(await importPaths(project(), [fixture('ei-single-sensor.json')]))
    expect(imported).toMatchObject({ channels: ['temperature'], rateHz: 1, durationS: 4 })
    const { t, rows } = samplesOf(project(), imported.recordingId)
    expect(t).toEqual([0, 1e6, 2e6, 3e6])
    expect(rows).toEqual([[21.5], [21.625], [21.75], [21.5]])
    expect(project().recordings.get(imported.recordingId)?.device).toBe('THERMOMETER')
  })

  test('--format ei refuses a CSV file', async () => {
    const [outcome] = await importPaths(project(), [fixture('no-header.csv')], { format: 'ei' })
    expect(outcome?.ok === false && outcome.error).toMatch(/not an Edge Impulse data file/)
  })
})

describe('Edge Impulse export folder (info.labels)', () => {
  test('imports each listed file with its label and category', async () => {
    const outcomes = await importPaths(project(), [fixture('ei-export')])
    expect(outcomes.map((o) => o.ok)).toEqual([true, true])
    const recordings = outcomes.map((o) => (o.ok ? project().recordings.get(o.recordingId) : null))
    expect(recordings.map((r) => r?.name)).toEqual(['idle.1', 'wave.1'])
    expect(recordings.map((r) => r?.tags)).toEqual([
      ['training', 'label:idle'],
      ['testing', 'label:wave'],
    ])
    expect(recordings[0]?.metadata).toMatchObject({
      label: 'idle',
      category: 'training',
      edgeImpulseMetadata: { site: 'pump 3' },
    })
    expect(recordings[1]?.metadata).toMatchObject({ label: 'wave', category: 'testing' })
    const wave = outcomes[1]
    if (!wave?.ok) throw new Error('wave.1 was not imported')
    expect(samplesOf(project(), wave.recordingId)).toEqual({
      t: [0, 16_000, 32_000, 48_000],
      rows: [
        [4.5, -3.25],
        [-4.5, 3.5],
        [4.75, -3.25],
        [-4, 3],
      ],
    })
  })

  test('an info.labels given as the path works like its folder', async () => {
    const outcomes = await importPaths(project(), [fixture('ei-export', 'info.labels')])
    expect(outcomes.map((o) => o.ok)).toEqual([true, true])
  })
})
