import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { exportRecording } from '../../../src-main/data/export/export-recording.js'
import { importPaths } from '../../../src-main/data/import/import-paths.js'
import { fixture, onlyImported, samplesOf, useTempProject } from './helpers.js'

const { project, dir } = useTempProject()

async function importFixture(file: string): Promise<number> {
  return onlyImported(await importPaths(project(), [fixture(file)])).recordingId
}

describe('export', () => {
  test('CSV: timestamp_ms then channels; re-importing it gives the same samples', async () => {
    const recordingId = await importFixture('accel-timestamp.csv')
    const path = join(dir(), 'out', 'accel.csv')
    mkdirSync(join(dir(), 'out'))
    const result = await exportRecording(project(), { recordingId, format: 'csv', path })
    expect(result).toEqual({
      path,
      format: 'csv',
      samples: 6,
      channels: ['accX', 'accY', 'accZ'],
      rateHz: 62.5,
    })
    const lines = readFileSync(path, 'utf8').split('\n')
    expect(lines.slice(0, 3)).toEqual([
      'timestamp_ms,accX,accY,accZ',
      '0,4.22,1.88,-16.89',
      '16,4.47,2,-17.89',
    ])
    expect(readdirSync(join(dir(), 'out'))).toEqual(['accel.csv'])
    const again = onlyImported(await importPaths(project(), [path]))
    expect(samplesOf(project(), again.recordingId)).toEqual(samplesOf(project(), recordingId))
  })

  test('Edge Impulse JSON: unsigned, valid structure; re-importing it gives the same samples', async () => {
    const recordingId = await importFixture('ei-accel.json')
    const path = join(dir(), 'accel.json')
    await exportRecording(project(), { recordingId, format: 'ei', path })
    const document = JSON.parse(readFileSync(path, 'utf8'))
    expect(document).toEqual({
      protected: { ver: 'v1', alg: 'none' },
      signature: '0'.repeat(64),
      payload: {
        device_name: 'ac:87:a3:0a:2d:1b',
        device_type: 'DISCO-L475VG-IOT01A',
        interval_ms: 10,
        sensors: ['accX', 'accY', 'accZ'].map((name) => ({ name, units: 'm/s2' })),
        values: [
          [-9.81, 0.03, 1.21],
          [-9.83, 0.04, 1.27],
          [-9.12, 0.03, 1.23],
          [-9.14, 0.01, 1.25],
        ],
      },
    })
    const again = onlyImported(await importPaths(project(), [path]))
    expect(samplesOf(project(), again.recordingId)).toEqual(samplesOf(project(), recordingId))
  })

  test('a CSV recording exports to Edge Impulse at its nominal interval', async () => {
    const imported = onlyImported(
      await importPaths(project(), [fixture('no-header.csv')], { rateHz: 400 }),
    )
    const path = join(dir(), 'n.json')
    await exportRecording(project(), { recordingId: imported.recordingId, format: 'ei', path })
    const { payload } = JSON.parse(readFileSync(path, 'utf8'))
    expect(payload).toMatchObject({
      device_type: 'TINYLOOP',
      interval_ms: 2.5,
      sensors: [
        { name: 'ch1', units: 'N/A' },
        { name: 'ch2', units: 'N/A' },
        { name: 'ch3', units: 'N/A' },
      ],
    })
    const again = onlyImported(await importPaths(project(), [path]))
    expect(samplesOf(project(), again.recordingId)).toEqual(
      samplesOf(project(), imported.recordingId),
    )
  })

  test('refuses to overwrite an existing file unless told to', async () => {
    const recordingId = await importFixture('seconds.csv')
    const path = join(dir(), 'existing.csv')
    writeFileSync(path, 'keep me')
    await expect(exportRecording(project(), { recordingId, format: 'csv', path })).rejects.toThrow(
      /existing\.csv already exists and was left as it is/,
    )
    expect(readFileSync(path, 'utf8')).toBe('keep me')
    await exportRecording(project(), { recordingId, format: 'csv', path, overwrite: true })
    expect(readFileSync(path, 'utf8')).toMatch(/^timestamp_ms,x,y\n0,1.5,-2\n10,1.25,-2.5\n/)
    expect(readdirSync(dir()).filter((file) => file.endsWith('.tmp'))).toEqual([])
  })

  test('refuses a folder as the output and an unknown recording', async () => {
    const recordingId = await importFixture('seconds.csv')
    await expect(
      exportRecording(project(), { recordingId, format: 'csv', path: dir() }),
    ).rejects.toThrow(/is a folder/)
    await expect(
      exportRecording(project(), { recordingId: 999, format: 'csv', path: join(dir(), 'x.csv') }),
    ).rejects.toThrow(/no recording 999/)
  })

  test('a recording with streams at different rates needs a stream chosen', async () => {
    const p = project()
    const recordingId = p.recordings.create({ name: 'two rates', status: 'imported' })
    const fast = p.streams.create(recordingId, {
      name: 'imu',
      rateHz: 100,
      channels: [{ name: 'x' }],
    })
    const slow = p.streams.create(recordingId, {
      name: 'temp',
      rateHz: 1,
      channels: [{ name: 'c' }],
    })
    p.samples.appendChunks(fast, [{ t0Us: 0, dtUs: 10_000, data: new Float32Array([1, 2, 3]) }])
    p.samples.appendChunks(slow, [{ t0Us: 0, dtUs: 1e6, data: new Float32Array([20.5]) }])
    const path = join(dir(), 'two.csv')
    await expect(exportRecording(p, { recordingId, format: 'csv', path })).rejects.toThrow(
      /different sample times.*--stream/,
    )
    await exportRecording(p, { recordingId, format: 'csv', path, stream: 'temp' })
    expect(readFileSync(path, 'utf8')).toBe('timestamp_ms,c\n0,20.5\n')
  })

  test('long recordings are written window by window, every sample once', async () => {
    const p = project()
    const recordingId = p.recordings.create({ name: 'long', status: 'imported' })
    const stream = p.streams.create(recordingId, {
      name: 's',
      rateHz: 1000,
      channels: [{ name: 'v' }],
    })
    const n = 200_000
    const data = Float32Array.from({ length: n }, (_, i) => i % 1000)
    for (let i = 0; i < n; i += 2000) {
      p.samples.appendChunks(stream, [
        { t0Us: i * 1000, dtUs: 1000, data: data.subarray(i, i + 2000) },
      ])
    }
    const path = join(dir(), 'long.csv')
    const result = await exportRecording(p, { recordingId, format: 'csv', path })
    expect(result.samples).toBe(n)
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n')
    expect(lines).toHaveLength(n + 1)
    expect(lines[n]).toBe(`${n - 1},${(n - 1) % 1000}`)
  })
})
