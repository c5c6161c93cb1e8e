import { describe, expect, it } from 'vitest'
import { formatDuration, formatRate, plural } from '../../../src-preload/format'
import { filterCommands, type Command } from '../../../src-renderer/lib/commands'

describe('formatting', () => {
  it('writes durations as h:mm:ss.mmm', () => {
    expect(formatDuration(0)).toBe('0:00.000')
    expect(formatDuration(61.5)).toBe('1:01.500')
    expect(formatDuration(3600 * 25 + 62.0004)).toBe('25:01:02.000')
    expect(formatDuration(Number.NaN)).toBe('–')
  })

  it('writes rates in Hz and kHz', () => {
    expect(formatRate(100)).toBe('100 Hz')
    expect(formatRate(4000)).toBe('4 kHz')
    expect(formatRate(1666.6667)).toBe('1.67 kHz')
    expect(formatRate(null)).toBe('–')
  })

  it('pluralizes with grouped thousands', () => {
    expect(plural(1, 'recording')).toBe('1 recording')
    expect(plural(12000, 'sample')).toBe('12,000 samples')
  })
})

describe('command palette filter', () => {
  const cmd = (title: string): Command => ({ id: title, title, run: () => {} })
  const commands = ['Go to Capture', 'Go to Dataset', 'Open project…', 'New project…'].map(cmd)

  it('matches every word, earliest match first', () => {
    expect(filterCommands(commands, 'proj').map((c) => c.title)).toEqual([
      'New project…',
      'Open project…',
    ])
    expect(filterCommands(commands, 'go data').map((c) => c.title)).toEqual(['Go to Dataset'])
    expect(filterCommands(commands, 'zzz')).toEqual([])
    expect(filterCommands(commands, '  ')).toHaveLength(4)
  })
})
