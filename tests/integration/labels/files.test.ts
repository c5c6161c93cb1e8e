import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { LabelImportOutcome } from '../../../src-preload/contract/index.js'
import { classId, spans, timestampedRecording, uniformRecording, useLabelWorld } from './helpers.js'

const world = useLabelWorld()
const S = 1_000_000

/** Two recordings with the same samples (100 Hz, 10 s); the first labelled. */
async function labelled(): Promise<{ source: number; target: number }> {
  const project = world.project()
  const source = uniformRecording(project, { name: 'fan' })
  const target = uniformRecording(project, { name: 'fan copy' })
  const client = world.client()
  const anomaly = await classId(world, 'anomaly')
  const bearing = (await client.call('classes.upsert', { name: 'bearing, inner race' })).id
  for (const [classId_, startUs, endUs] of [
    [anomaly, 1 * S, 2 * S],
    [anomaly, 4 * S, 4.5 * S],
    [bearing, 6 * S, 9_990_000],
  ] as const) {
    await client.call('labels.create', { recordingId: source, classId: classId_, startUs, endUs })
  }
  return { source, target }
}

function ok(outcome: LabelImportOutcome): Extract<LabelImportOutcome, { ok: true }> {
  if (!outcome.ok) throw new Error(outcome.problems.map((p) => p.message).join('\n'))
  return outcome
}

describe('round trips', () => {
  for (const format of ['csv', 'json', 'ei'] as const) {
    test(`${format}: export then import gives the same labels, as one undoable action`, async () => {
      const { source, target } = await labelled()
      const client = world.client()
      const path = join(world.dir(), `labels.${format}`)
      const written = await client.call('labels.export', { recordingId: source, path, format })
      expect(written).toEqual({ path, format, labels: 3 })

      const outcome = ok(
        await client.call('labels.import', { recordingId: target, path, format: 'auto' }),
      )
      expect(outcome).toMatchObject({ format, imported: 3, createdClasses: [] })
      // Edge Impulse labels every sample: the gaps come back as the default class, skipped.
      expect(outcome.skipped).toBe(format === 'ei' ? 4 : 0)
      const original = await client.call('labels.list', { recordingId: source })
      expect(spans(outcome.list.labels)).toEqual(spans(original.labels))
      expect(outcome.list.undoLabel).toBe(`Undo: import 3 labels from labels.${format}`)

      const undone = await client.call('labels.undo', { recordingId: target })
      expect(undone.labels).toEqual([])
    })
  }

  test('CSV: a header and one row per label, in ms', async () => {
    const { source } = await labelled()
    const path = join(world.dir(), 'labels.csv')
    await world.client().call('labels.export', { recordingId: source, path, format: 'csv' })
    expect(readFileSync(path, 'utf8')).toBe(
      'start_ms,end_ms,label\n1000,2000,anomaly\n4000,4500,anomaly\n' +
        '6000,9990,"bearing, inner race"\n',
    )
    const again = await world
      .client()
      .call('labels.export', { recordingId: source, path, format: 'csv' })
      .catch((error: Error) => error)
    expect(again).toMatchObject({ code: 'ALREADY_EXISTS' })
  })

  test('JSON: recording, default class, class colours and labels', async () => {
    const { source } = await labelled()
    const path = join(world.dir(), 'labels.json')
    await world.client().call('labels.export', { recordingId: source, path, format: 'json' })
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      version: 1,
      recording: { id: source, name: 'fan', startedAt: null },
      defaultClass: 'normal',
      classes: [
        { name: 'normal', color: '#999999' },
        { name: 'anomaly', color: '#D55E00' },
        { name: 'bearing, inner race', color: '#E69F00' },
      ],
      labels: [
        { startMs: 1000, endMs: 2000, label: 'anomaly' },
        { startMs: 4000, endMs: 4500, label: 'anomaly' },
        { startMs: 6000, endMs: 9990, label: 'bearing, inner race' },
      ],
    })
  })

  test('Edge Impulse: multi-label sample numbers (end included), gaps as the default class', async () => {
    const { source } = await labelled()
    const path = join(world.dir(), 'info.labels')
    await world.client().call('labels.export', { recordingId: source, path, format: 'ei' })
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      version: 1,
      files: [
        {
          path: 'fan.json',
          name: 'fan',
          category: 'split',
          label: {
            type: 'multi-label',
            labels: [
              { label: 'normal', startIndex: 0, endIndex: 99 },
              { label: 'anomaly', startIndex: 100, endIndex: 199 },
              { label: 'normal', startIndex: 200, endIndex: 399 },
              { label: 'anomaly', startIndex: 400, endIndex: 449 },
              { label: 'normal', startIndex: 450, endIndex: 599 },
              { label: 'bearing, inner race', startIndex: 600, endIndex: 998 },
              { label: 'normal', startIndex: 999, endIndex: 999 },
            ],
          },
        },
      ],
    })
  })

  test('Edge Impulse: overlapping labels of different classes cannot be exported', async () => {
    const { source } = await labelled()
    await world.client().call('labels.create', {
      recordingId: source,
      classId: await classId(world, 'anomaly'),
      startUs: 8 * S,
      endUs: 10 * S,
    })
    const path = join(world.dir(), 'info.labels')
    const exporting = world
      .client()
      .call('labels.export', { recordingId: source, path, format: 'ei' })
    await expect(exporting).rejects.toThrow(
      '"bearing, inner race" 6.0–10.0 s and "anomaly" 8.0–10.0 s overlap',
    )
  })

  test('Edge Impulse sample numbers follow device timestamps', async () => {
    const times = [0, 9_000, 21_000, 30_500, 39_000, 52_000]
    const recordingId = timestampedRecording(world.project(), times)
    const path = join(world.dir(), 'pump.labels')
    writeFileSync(
      path,
      JSON.stringify({
        version: 1,
        files: [
          {
            path: 'pump.json',
            name: 'pump',
            label: {
              type: 'multi-label',
              labels: [
                { label: 'normal', startIndex: 0, endIndex: 1 },
                { label: 'anomaly', startIndex: 2, endIndex: 3 },
                { label: 'normal', startIndex: 4, endIndex: 5 },
              ],
            },
          },
        ],
      }),
    )
    const outcome = ok(await world.client().call('labels.import', { recordingId, path }))
    expect(outcome).toMatchObject({ format: 'ei', imported: 1, skipped: 2 })
    expect(outcome.list.labels).toMatchObject([{ startUs: 21_000, endUs: 39_000 }])
  })
})

describe('invalid files import nothing and say where', () => {
  async function importing(name: string, content: string, recordingId: number) {
    const path = join(world.dir(), name)
    writeFileSync(path, content)
    return world.client().call('labels.import', { recordingId, path })
  }

  test('CSV: each bad row with its line number', async () => {
    const { source } = await labelled()
    await world.client().call('classes.setSettings', { locked: true })
    const before = await world.client().call('labels.list', { recordingId: source })
    const outcome = await importing(
      'bad.csv',
      [
        'start_ms,end_ms,label',
        '100,200,anomaly',
        '500,400,anomaly',
        '9000,12000,anomaly',
        '100,300,cavitation',
        '700,700,anomaly',
        '1001,1002,anomaly',
        'x,1,anomaly',
        '300,400,normal',
      ].join('\n'),
      source,
    )
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect(outcome.problems).toEqual([
      { line: 3, index: null, message: 'line 3: it ends (400 ms) before it starts (500 ms).' },
      {
        line: 4,
        index: null,
        message: 'line 4: 9000–12000 ms is outside the recording, which runs from 0 to 10000 ms.',
      },
      {
        line: 5,
        index: null,
        message:
          'line 5: there is no class "cavitation", and the project\'s classes are locked. ' +
          'Add the class first, or unlock the classes.',
      },
      { line: 6, index: null, message: 'line 6: it is empty: it starts and ends at 700 ms.' },
      { line: 7, index: null, message: 'line 7: it is shorter than one sample (10 ms).' },
      { line: 8, index: null, message: 'line 8: start_ms "x" is not a number of ms.' },
    ])
    const after = await world.client().call('labels.list', { recordingId: source })
    expect(after).toEqual(before)
    expect(world.project().classes.byName('cavitation')).toBeUndefined()
  })

  test('JSON and Edge Impulse: each bad label with its index', async () => {
    const { target } = await labelled()
    const json = await importing(
      'bad.json',
      JSON.stringify({
        labels: [
          { startMs: 0, endMs: 100, label: 'anomaly' },
          { startMs: 300, endMs: 200, label: 'anomaly' },
          { startMs: 0, endMs: 100 },
        ],
      }),
      target,
    )
    expect(json.ok ? [] : json.problems).toEqual([
      { line: null, index: 1, message: 'labels[1]: it ends (200 ms) before it starts (300 ms).' },
      {
        line: null,
        index: 2,
        message: 'labels[2]: "label" must be a class name (1 to 64 characters).',
      },
    ])
    const ei = await importing(
      'bad.labels',
      JSON.stringify({
        version: 1,
        files: [
          {
            path: 'x.json',
            label: {
              type: 'multi-label',
              labels: [
                { label: 'anomaly', startIndex: 0, endIndex: 10 },
                { label: 'anomaly', startIndex: 20, endIndex: 1000 },
                { label: 'anomaly', startIndex: 30, endIndex: 25 },
              ],
            },
          },
        ],
      }),
      target,
    )
    expect(ei.ok ? [] : ei.problems.map((p) => p.message)).toEqual([
      'files[0].label.labels[1]: endIndex 1000 is outside the recording, which has 1000 samples (0 to 999).',
      'files[0].label.labels[2]: endIndex 25 is before startIndex 30.',
    ])
    expect((await world.client().call('labels.list', { recordingId: target })).labels).toEqual([])
    expect(world.project().labels.journal(target)).toEqual([])
  })

  test('a file that is not a label file', async () => {
    const { target } = await labelled()
    const noHeader = await importing('x.csv', '1,2,anomaly\n', target)
    expect(noHeader.ok ? [] : noHeader.problems[0]?.message).toBe(
      'line 1: the first line must be the header start_ms,end_ms,label (missing start_ms, end_ms, label).',
    )
    const missing = world
      .client()
      .call('labels.import', { recordingId: target, path: join(world.dir(), 'nope.csv') })
    await expect(missing).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})

describe('classes on import', () => {
  test('unknown classes are added (with the colours a JSON file gives) unless classes are locked', async () => {
    const recordingId = uniformRecording(world.project())
    const path = join(world.dir(), 'new.json')
    writeFileSync(
      path,
      JSON.stringify({
        classes: [{ name: 'cavitation', color: '#010203' }],
        labels: [
          { startMs: 0, endMs: 100, label: 'cavitation' },
          { startMs: 100, endMs: 200, label: 'Misalignment' },
          { startMs: 150, endMs: 300, label: 'misalignment' },
          { startMs: 300, endMs: 400, label: 'Normal' },
        ],
      }),
    )
    const outcome = ok(await world.client().call('labels.import', { recordingId, path }))
    expect(outcome).toMatchObject({
      imported: 3,
      skipped: 1,
      createdClasses: ['cavitation', 'Misalignment'],
    })
    const classes = await world.client().call('classes.list', {})
    expect(classes.slice(2).map((c) => [c.name, c.color])).toEqual([
      ['cavitation', '#010203'],
      ['Misalignment', '#E69F00'],
    ])
    // Labels of one class merged, as drawn on the timeline.
    expect(spans(outcome.list.labels).map((l) => [l.startUs, l.endUs])).toEqual([
      [0, 100_000],
      [100_000, 300_000],
    ])
    expect(world.events().some((e) => e.event === 'classes.onChanged')).toBe(true)
  })

  test('replace deletes the labels first, in the same undoable action', async () => {
    const { source } = await labelled()
    const path = join(world.dir(), 'one.csv')
    writeFileSync(path, 'start_ms,end_ms,label\n1000,2000,anomaly\n')
    const before = await world.client().call('labels.list', { recordingId: source })
    const outcome = ok(
      await world.client().call('labels.import', { recordingId: source, path, replace: true }),
    )
    // The label already there keeps its id.
    expect(outcome.list.labels).toEqual([before.labels[0]])
    expect(outcome.list.undoLabel).toBe('Undo: import 1 label from one.csv, replacing 3 labels')
    const undone = await world.client().call('labels.undo', { recordingId: source })
    expect(undone.labels).toEqual(before.labels)
  })
})

test('a browser can import a file it read and download the text of an export', async () => {
  const { source, target } = await labelled()
  const client = world.client()
  const exported = await client.call('labels.exportText', { recordingId: source, format: 'csv' })
  expect(exported).toMatchObject({ fileName: 'fan.labels.csv', format: 'csv', labels: 3 })
  expect(exported.text.split('\n')[1]).toBe('1000,2000,anomaly')
  const ei = await client.call('labels.exportText', { recordingId: source, format: 'ei' })
  expect(ei.fileName).toBe('info.labels')

  const outcome = ok(
    await client.call('labels.import', {
      recordingId: target,
      file: { name: 'fan.labels.csv', text: exported.text },
    }),
  )
  expect(outcome).toMatchObject({ path: 'fan.labels.csv', format: 'csv', imported: 3 })
  const both = await world.services().dispatch('labels.import', {
    recordingId: target,
    path: '/tmp/x.csv',
    file: { name: 'x.csv', text: '' },
  })
  expect(both).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
})
