import { describe, expect, test } from 'vitest'
import { formatMs, formatSpan } from '../../../src-main/labels/describe.js'
import { parseCsv, writeCsv } from '../../../src-main/labels/formats/csv.js'
import { detectFormat } from '../../../src-main/labels/formats/detect.js'
import { coverSamples, parseEdgeImpulse } from '../../../src-main/labels/formats/edge-impulse.js'
import { parseJson } from '../../../src-main/labels/formats/json.js'
import { nextColor, OKABE_ITO } from '../../../src-main/labels/palette.js'

describe('CSV', () => {
  test('reads start_ms,end_ms,label with line numbers, quotes, fractions, any column order', () => {
    const text = '\uFEFFlabel,END_MS,start_ms\r\n"a, b",2.5,1\r\n\r\nanomaly , 10,4.25\n'
    const parsed = parseCsv(text)
    expect(parsed.problems).toEqual([])
    expect(parsed.labels).toEqual([
      {
        where: 'line 2',
        line: 2,
        index: null,
        label: 'a, b',
        span: { unit: 'ms', start: 1, end: 2.5 },
      },
      {
        where: 'line 4',
        line: 4,
        index: null,
        label: 'anomaly',
        span: { unit: 'ms', start: 4.25, end: 10 },
      },
    ])
  })

  test('reports rows that are not numbers or have no label with their line; needs the header', () => {
    const parsed = parseCsv('start_ms,end_ms,label\n1,2,a\nx,2,a\n1,0x10,a\n1,2,\n')
    expect(parsed.problems.map((p) => [p.line, p.message])).toEqual([
      [3, 'line 3: start_ms "x" is not a number of ms.'],
      [4, 'line 4: end_ms "0x10" is not a number of ms.'],
      [5, expect.stringContaining('line 5: the label is empty')],
    ])
    expect(parseCsv('1,2,a\n').problems[0]?.message).toMatch(/line 1: the first line must be/)
  })

  test('writes what it reads, quoting names that need it, ms exact to the µs', () => {
    const text = writeCsv([
      { label: 'say "hi", there', startUs: 1_000_000 / 3, endUs: 2_500 },
      { label: 'x', startUs: 1e-3, endUs: 2 },
    ])
    expect(text.split('\n')[0]).toBe('start_ms,end_ms,label')
    const back = parseCsv(text).labels.map((l) => [l.label, l.span])
    expect(back).toEqual([
      ['say "hi", there', { unit: 'ms', start: 1000 / 3, end: 2.5 }],
      ['x', { unit: 'ms', start: 1e-6, end: 0.002 }],
    ])
    expect(formatMs(1e-3)).toBe('0.000001')
  })
})

test('JSON: labels with their index; bad entries reported by index; classes give colours', () => {
  const parsed = parseJson({
    classes: [{ name: 'fault', color: '#123456' }],
    labels: [
      { startMs: 1, endMs: 2, label: 'fault' },
      { startMs: '1', endMs: 2, label: 'x' },
      { startMs: 1, endMs: 2, label: '' },
      7,
    ],
  })
  expect(parsed.labels).toEqual([
    {
      where: 'labels[0]',
      line: null,
      index: 0,
      label: 'fault',
      span: { unit: 'ms', start: 1, end: 2 },
    },
  ])
  expect(parsed.problems.map((p) => p.index)).toEqual([1, 2, 3])
  expect(parsed.problems[0]?.message).toBe('labels[1]: "startMs" must be a number of ms.')
  expect(parsed.colors.get('fault')).toBe('#123456')
  expect(parseJson({ nope: 1 }).problems[0]?.message).toMatch(/no "labels" list/)
})

describe('Edge Impulse', () => {
  const multi = (labels: unknown[]) => ({ type: 'multi-label', labels })

  test('reads the multi-label regions of the sample named like the recording', () => {
    const document = {
      version: 1,
      files: [
        { path: 'training/other.json', name: 'other', label: multi([]) },
        {
          path: 'training/fan.json',
          name: 'fan',
          label: multi([
            { label: 'idle', startIndex: 0, endIndex: 451 },
            { label: 'fault', startIndex: 452, endIndex: 1847 },
          ]),
        },
      ],
    }
    const parsed = parseEdgeImpulse(document, 'fan')
    expect(parsed.problems).toEqual([])
    expect(parsed.labels.map((l) => [l.where, l.label, l.span])).toEqual([
      ['files[1].label.labels[0]', 'idle', { unit: 'sample', start: 0, end: 451 }],
      ['files[1].label.labels[1]', 'fault', { unit: 'sample', start: 452, end: 1847 }],
    ])
    expect(parseEdgeImpulse(document, 'pump').problems[0]?.message).toMatch(/lists 2 samples/)
    expect(parseEdgeImpulse(document, 'pump', 'other.json').problems).toEqual([])
  })

  test('reads structured labels, single labels, and reports bad regions by index', () => {
    const structured = {
      version: 1,
      type: 'structured-labels',
      structuredLabels: { 'a.json': [{ label: 'x', startIndex: 0, endIndex: 1.5 }] },
    }
    const parsed = parseEdgeImpulse(structured, 'whatever')
    expect(parsed.problems[0]).toEqual({
      line: null,
      index: 0,
      message:
        'structuredLabels["a.json"].labels[0]: "endIndex" must be a sample number (0, 1, 2, ...).',
    })
    const single = { files: [{ path: 'a.cbor', label: { type: 'label', label: 'idle' } }] }
    expect(parseEdgeImpulse(single, 'a').labels[0]?.span).toEqual({ unit: 'whole' })
  })

  test('covers every sample: gaps get the default class; overlaps cannot be written', () => {
    const regions = [
      { label: 'b', startIndex: 5, endIndex: 6 },
      { label: 'a', startIndex: 2, endIndex: 3 },
    ]
    expect(coverSamples(regions, 10, 'n')).toEqual({
      regions: [
        { label: 'n', startIndex: 0, endIndex: 1 },
        { label: 'a', startIndex: 2, endIndex: 3 },
        { label: 'n', startIndex: 4, endIndex: 4 },
        { label: 'b', startIndex: 5, endIndex: 6 },
        { label: 'n', startIndex: 7, endIndex: 9 },
      ],
    })
    const overlapping = [...regions, { label: 'c', startIndex: 6, endIndex: 8 }]
    expect(coverSamples(overlapping, 10, 'n')).toEqual({
      overlap: [regions[0], overlapping[2]],
    })
  })
})

test('formats are detected from the name and the content', () => {
  expect(detectFormat('a.csv', 'start_ms,end_ms,label\n').format).toBe('csv')
  expect(detectFormat('info.labels', '{"version":1,"files":[]}').format).toBe('ei')
  expect(detectFormat('x.json', '{"structuredLabels":{}}').format).toBe('ei')
  expect(detectFormat('x.txt', '{"labels":[]}').format).toBe('json')
  expect(detectFormat('x.json', 'not json').format).toBe('json')
})

test('colours follow the Okabe-Ito order, skipping those in use, then go round', () => {
  expect(nextColor([])).toBe(OKABE_ITO[0])
  expect(nextColor(['#e69f00', '#999999'])).toBe(OKABE_ITO[1])
  expect(nextColor([...OKABE_ITO])).toBe(OKABE_ITO[0])
  expect(formatSpan(12_300_000, 14_000_000)).toBe('12.3–14.0 s')
  expect(formatSpan(62_300_000, 64_000_000)).toBe('1:02.300–1:04.000')
  expect(formatSpan(1_200_000, 1_500_000)).toBe('1.20–1.50 s')
  expect(formatSpan(120_000, 180_000)).toBe('0.120–0.180 s')
})
