import { join } from 'node:path'
import { beforeEach, describe, expect, test } from 'vitest'
import { openProject } from '../../../src-main/store/open.js'
import type { Project } from '../../../src-main/store/project.js'
import { random, useTempDir } from './helpers.js'

const tempDir = useTempDir()

function bits(values: Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
}

/** Float32 values including the awkward ones: -0, subnormals, the extremes. */
function awkwardValues(length: number, seed: number): Float32Array {
  const next = random(seed)
  const special = [-0, 1.4e-45, -1.4e-45, 3.4028234663852886e38, -3.4028234663852886e38, 1e-40]
  return Float32Array.from(
    { length },
    (_, i) => special[i % 97] ?? (next() - 0.5) * 10 ** (next() * 20 - 10),
  )
}

describe('samples', () => {
  let project: Project
  let file: string
  let streamId: number
  beforeEach(() => {
    file = join(tempDir(), 'samples.tinyloop')
    project = openProject(file)
    const recordingId = project.recordings.create({ name: 'bench' })
    streamId = project.streams.create(recordingId, {
      name: 'imu',
      rateHz: 1000,
      channels: [
        { name: 'x', unit: 'g' },
        { name: 'y', unit: 'g' },
        { name: 'z', unit: 'g' },
      ],
    })
    return () => project.close()
  })

  test('nominal-rate chunks read back bit-exact, with their sample times', () => {
    const first = awkwardValues(3 * 1000, 1)
    const second = awkwardValues(3 * 500, 2)
    project.samples.appendChunks(streamId, [
      { t0Us: 0, dtUs: 1000, data: first },
      { t0Us: 2_000_000, dtUs: 1000, data: second },
    ])
    project.close()
    project = openProject(file)

    const { t, data } = project.samples.read(streamId, -Infinity, Infinity)
    const expected = new Float32Array([...first, ...second])
    expect(bits(data)).toEqual(bits(expected))
    expect(t.length).toBe(1500)
    expect([t[0], t[999], t[1000], t[1499]]).toEqual([0, 999_000, 2_000_000, 2_499_000])
    expect(project.samples.stats(streamId)).toEqual({
      samples: 1500,
      chunks: 2,
      firstUs: 0,
      lastUs: 2_499_000,
    })
  })

  test('device-timestamped chunks keep every timestamp exactly', () => {
    const next = random(3)
    let now = 17
    const timestampsUs = Float64Array.from(
      { length: 700 },
      () => (now += 900 + Math.floor(next() * 200)),
    )
    const data = awkwardValues(3 * 700, 4)
    project.samples.appendChunks(streamId, [{ timestampsUs, data }])

    const read = project.samples.read(streamId, -Infinity, Infinity)
    expect(bits(read.t)).toEqual(bits(timestampsUs))
    expect(bits(read.data)).toEqual(bits(data))
  })

  test('a range read returns exactly the samples inside it, across chunk boundaries', () => {
    const data = Float32Array.from({ length: 3 * 3000 }, (_, i) => i)
    project.samples.appendChunks(streamId, [
      { t0Us: 0, dtUs: 1000, data: data.subarray(0, 3000) },
      { t0Us: 1_000_000, dtUs: 1000, data: data.subarray(3000, 6000) },
      { t0Us: 5_000_000, dtUs: 1000, data: data.subarray(6000) },
    ])
    const { t, data: values } = project.samples.read(streamId, 998_000, 1_001_000)
    expect([...t]).toEqual([998_000, 999_000, 1_000_000, 1_001_000])
    expect([...values]).toEqual(Array.from({ length: 12 }, (_, i) => 2994 + i))
    // Between two chunks, in the gap: nothing.
    expect(project.samples.read(streamId, 2_500_000, 4_999_999).t.length).toBe(0)
    expect(project.samples.read(streamId, 4_999_999, 5_000_000).t).toEqual(
      new Float64Array([5_000_000]),
    )
  })

  test('a batch with one bad chunk is refused whole', () => {
    project.samples.appendChunks(streamId, [
      { t0Us: 0, dtUs: 1000, data: new Float32Array(3 * 10) },
    ])
    const good = { t0Us: 100_000, dtUs: 1000, data: new Float32Array(3 * 10) }
    const bad: [string, object][] = [
      [
        'length not a multiple of the channels',
        { t0Us: 200_000, dtUs: 1000, data: new Float32Array(10) },
      ],
      [
        'overlapping the previous samples',
        { t0Us: 105_000, dtUs: 1000, data: new Float32Array(3) },
      ],
      ['not finite', { t0Us: 200_000, dtUs: 1000, data: new Float32Array([1, NaN, 3]) }],
      [
        'timestamps not increasing',
        { timestampsUs: new Float64Array([300_000, 300_000]), data: new Float32Array(6) },
      ],
      [
        'missing timestamps',
        { timestampsUs: new Float64Array([300_000]), data: new Float32Array(6) },
      ],
      ['a zero interval', { t0Us: 200_000, dtUs: 0, data: new Float32Array(3) }],
    ]
    for (const [reason, chunk] of bad) {
      expect(
        () => project.samples.appendChunks(streamId, [good, chunk as typeof good]),
        reason,
      ).toThrow(RangeError)
    }
    expect(project.samples.stats(streamId).samples).toBe(10)
    expect(() => project.samples.appendChunks(9999, [good])).toThrow('Stream 9999 does not exist')
  })

  test('streams keep their channel schema and rate', () => {
    const [stream] = project.streams.list(project.recordings.list()[0]?.id ?? -1)
    expect(stream).toEqual({
      id: streamId,
      recordingId: expect.any(Number),
      name: 'imu',
      rateHz: 1000,
      channels: [
        { name: 'x', unit: 'g', scale: 1 },
        { name: 'y', unit: 'g', scale: 1 },
        { name: 'z', unit: 'g', scale: 1 },
      ],
    })
    const recordingId = stream?.recordingId ?? -1
    const invalid = { name: 'bad', rateHz: 10, channels: [{ name: 'a' }, { name: 'a' }] }
    expect(() => project.streams.create(recordingId, invalid)).toThrow(RangeError)
    expect(() => project.streams.create(recordingId, { ...invalid, channels: [] })).toThrow(
      RangeError,
    )
  })
})
