import { describe, expect, it } from 'vitest'
import { LineDecoder } from '../../../src-main/capture/decoders/text-decoder.js'
import { parseNumber } from '../../../src-main/capture/decoders/parse-number.js'

function decodeAll(decoder: LineDecoder, ...parts: (string | Buffer)[]): number[][] {
  const rows: number[][] = []
  const take = ({ values, samples }: { values: Float32Array; samples: number }) => {
    const channels = samples ? values.length / samples : 0
    for (let i = 0; i < samples; i++)
      rows.push(Array.from(values.subarray(i * channels, (i + 1) * channels)))
  }
  for (const part of parts)
    take(decoder.push(Buffer.isBuffer(part) ? part : Buffer.from(part, 'latin1')))
  take(decoder.flush())
  return rows
}

const lines = (n: number, make: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => `${make(i)}\n`).join('')

describe('parseNumber', () => {
  const parse = (s: string) => parseNumber(Buffer.from(s, 'latin1'), 0, s.length)
  it('agrees with parseFloat on ordinary numbers', () => {
    for (const s of [
      '0',
      '-1',
      '+2.5',
      '3.14159',
      '-0.000123',
      '123456789012',
      '.5',
      '7.',
      '1e3',
      '-2.5E-4',
    ]) {
      expect(parse(s), s).toBe(Number.parseFloat(s))
    }
  })
  it('rejects anything that is not entirely a number', () => {
    for (const s of ['', '-', '.', '1.2.3', '12a', 'nan', '1\u0007', '0x10', '1e', '--1']) {
      expect(parse(s), JSON.stringify(s)).toBeNaN()
    }
  })
})

describe('LineDecoder', () => {
  it('decodes comma-separated lines with a header, in any chunking', () => {
    const text = 'ax,ay,az\r\n' + lines(20, (i) => `${i},${i / 10},-${i}`)
    const whole = new LineDecoder()
    const rows = decodeAll(whole, text)
    expect(whole.format).toBe('csv')
    expect(whole.channelNames).toEqual(['ax', 'ay', 'az'])
    expect(rows).toHaveLength(20)
    expect(rows[7]).toEqual([7, Math.fround(0.7), -7])

    const bytewise = new LineDecoder()
    const parts = Array.from(Buffer.from(text), (b) => Buffer.from([b]))
    expect(decodeAll(bytewise, ...parts)).toEqual(rows)
    expect(bytewise.counters.rejected).toBe(0)
  })

  it('detects tab, semicolon and space separators and names channels ch1..chN', () => {
    for (const sep of ['\t', ';', ' ', '   ']) {
      const d = new LineDecoder()
      const rows = decodeAll(
        d,
        lines(15, (i) => [i, i + 1].join(sep)),
      )
      expect(rows, JSON.stringify(sep)).toHaveLength(15)
      expect(d.channelNames).toEqual(['ch1', 'ch2'])
    }
  })

  it('decodes Arduino Serial Plotter lines with their labels as channel names', () => {
    const d = new LineDecoder()
    const rows = decodeAll(
      d,
      lines(15, (i) => `x:${i},y:${-i} z:${i * 2}`),
    )
    expect(d.format).toBe('plotter')
    expect(d.channelNames).toEqual(['x', 'y', 'z'])
    expect(rows[3]).toEqual([3, -3, 6])
  })

  it('ignores a truncated first line without counting it as an error', () => {
    const d = new LineDecoder()
    const rows = decodeAll(d, '.25,-3\n' + lines(15, (i) => `${i},${i},${i}`))
    expect(rows).toHaveLength(15)
    expect(d.counters.rejected).toBe(0)
  })

  it('counts and skips garbage, NUL, BELL, changed channel counts and overlong lines', () => {
    const d = new LineDecoder()
    const good = lines(15, (i) => `${i},${i}`)
    const garbage = Buffer.concat([
      Buffer.from('1,2\n3,\u00074\n1e300,1\n\u0000\u0000\n5,6,7\nhello,world\n8\n'),
      Buffer.from([0xff, 0xfe, 0x0a]),
      Buffer.alloc(70_000, 0x31),
      Buffer.from('\n9,10\n'),
    ])
    const rows = decodeAll(d, good, garbage, good)
    // 15 + "1,2" + "9,10" + 15 good rows
    expect(rows).toHaveLength(32)
    expect(d.counters.rejectedBy.malformed).toBe(5) // BELL, 1e300, NUL, "hello,world", 0xff 0xfe
    expect(d.counters.rejectedBy.channelCount).toBe(2) // "5,6,7", "8"
    expect(d.counters.rejectedBy.overlong).toBe(1)
    expect(d.counters.rejected).toBe(8)
  })

  it('skips a repeated header after a device reset without counting it', () => {
    const d = new LineDecoder()
    const rows = decodeAll(
      d,
      'a,b\n' + lines(15, (i) => `${i},1`) + 'a,b\n' + lines(3, () => '2,2'),
    )
    expect(rows).toHaveLength(18)
    expect(d.counters.rejected).toBe(0)
  })

  it('honours a forced format and decodes a short stream on flush', () => {
    const d = new LineDecoder('csv')
    const rows = decodeAll(d, '1 2\n3 4\n')
    expect(rows).toEqual([
      [1, 2],
      [3, 4],
    ])
  })

  it('decodes the unfinished last line when the stream ends', () => {
    const d = new LineDecoder()
    const rows = decodeAll(d, lines(15, () => '1,2') + '3,4')
    expect(rows.at(-1)).toEqual([3, 4])
  })
})
