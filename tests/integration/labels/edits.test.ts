import Database from 'better-sqlite3'
import { describe, expect, test } from 'vitest'
import type { LabelList } from '../../../src-preload/contract/index.js'
import { classId, spans, timestampedRecording, uniformRecording, useLabelWorld } from './helpers.js'

const world = useLabelWorld()
const S = 1_000_000 // µs per second

/** The error a call fails with (the test fails if it succeeds). */
async function failure(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call
  } catch (error) {
    return error as { code: string; message: string }
  }
  throw new Error('The call succeeded')
}

async function create(recordingId: number, cls: string, startUs: number, endUs: number) {
  const classId_ = await classId(world, cls)
  return world.client().call('labels.create', { recordingId, classId: classId_, startUs, endUs })
}

describe('classes', () => {
  test('a project starts with normal (its default, grey, no key) and anomaly (key 1), once', async () => {
    const classes = await world.client().call('classes.list', {})
    expect(classes).toEqual([
      expect.objectContaining({ name: 'normal', color: '#999999', hotkey: null, isDefault: true }),
      expect.objectContaining({ name: 'anomaly', color: '#D55E00', hotkey: '1', isDefault: false }),
    ])
    const anomaly = await classId(world, 'anomaly')
    await world.client().call('classes.delete', { id: anomaly })
    await world.reopen()
    expect((await world.client().call('classes.list', {})).map((c) => c.name)).toEqual(['normal'])
  })

  test('new classes take the next Okabe-Ito colour and go last; names and keys are unique', async () => {
    const client = world.client()
    const bearing = await client.call('classes.upsert', { name: 'bearing' })
    const imbalance = await client.call('classes.upsert', { name: 'imbalance', hotkey: '3' })
    expect(bearing).toMatchObject({ color: '#E69F00', hotkey: null, sortOrder: 2 })
    expect(imbalance).toMatchObject({ color: '#56B4E9', hotkey: '3', sortOrder: 3 })

    const taken = await failure(client.call('classes.upsert', { id: bearing.id, hotkey: '1' }))
    expect(taken).toMatchObject({ code: 'ALREADY_EXISTS' })
    expect(taken.message).toContain('Key 1 already picks "anomaly"')
    const named = await failure(client.call('classes.upsert', { id: bearing.id, name: 'Anomaly' }))
    expect(named).toMatchObject({ code: 'ALREADY_EXISTS' })

    // By name whatever its case: the same class, renamed to that case, with its new key.
    const again = await client.call('classes.upsert', { name: 'BEARING', hotkey: '2' })
    expect(again).toMatchObject({ id: bearing.id, name: 'BEARING', hotkey: '2', color: '#E69F00' })
    const recolored = await client.call('classes.upsert', { id: bearing.id, color: '#0072B2' })
    expect(recolored).toMatchObject({ name: 'BEARING', hotkey: '2', color: '#0072B2' })
    expect(world.events().filter((e) => e.event === 'classes.onChanged')).toHaveLength(4)
  })

  test('a class cannot be deleted while labels have it or it is a default class', async () => {
    const recordingId = uniformRecording(world.project())
    await create(recordingId, 'anomaly', 1 * S, 2 * S)
    const client = world.client()
    const used = await failure(
      client.call('classes.delete', { id: await classId(world, 'anomaly') }),
    )
    expect(used.message).toBe(
      '"anomaly" is used by 1 label in 1 recording. Relabel or delete them first.',
    )
    const normal = await classId(world, 'normal')
    expect((await failure(client.call('classes.delete', { id: normal }))).message).toContain(
      "the project's default class",
    )
    const bearing = await client.call('classes.upsert', { name: 'bearing' })
    await client.call('labels.setDefaultClass', { recordingId, classId: bearing.id })
    expect((await failure(client.call('classes.delete', { id: bearing.id }))).message).toContain(
      'is the default class of 1 recording',
    )
    await client.call('labels.setDefaultClass', { recordingId, classId: null })
    expect((await client.call('classes.delete', { id: bearing.id })).map((c) => c.name)).toEqual([
      'normal',
      'anomaly',
    ])
  })

  test("the project's settings: locked classes, and a default class no label has", async () => {
    const recordingId = uniformRecording(world.project())
    const client = world.client()
    const normal = await classId(world, 'normal')
    expect(await client.call('classes.settings', {})).toEqual({
      locked: false,
      defaultClassId: normal,
    })
    await create(recordingId, 'anomaly', 1 * S, 2 * S)
    const anomaly = await classId(world, 'anomaly')
    const refused = await failure(client.call('classes.setSettings', { defaultClassId: anomaly }))
    expect(refused.message).toContain('have 1 label of "anomaly"')
    const idle = (await client.call('classes.upsert', { name: 'idle' })).id
    expect(
      await client.call('classes.setSettings', { locked: true, defaultClassId: idle }),
    ).toEqual({ locked: true, defaultClassId: idle })
    await world.reopen()
    const list = await world.client().call('labels.list', { recordingId })
    expect(list.defaultClassId).toBe(idle)
    expect((await world.client().call('classes.list', {})).find((c) => c.isDefault)?.name).toBe(
      'idle',
    )
    expect((await world.client().call('classes.settings', {})).locked).toBe(true)
  })
})

describe('snapping', () => {
  test('edges go to the nearest sample time of a uniform stream', async () => {
    const recordingId = uniformRecording(world.project()) // 100 Hz, 10 s
    const list = await create(recordingId, 'anomaly', 12_345, 55_551)
    expect(list.labels).toMatchObject([{ startUs: 10_000, endUs: 60_000 }])
    expect(list.labelId).toBe(list.labels[0]?.id)
    expect(list.extent).toEqual({ startUs: 0, endUs: 10 * S })
    expect(list.snapRateHz).toBe(100)
    // Half way between two samples: the earlier one.
    const tie = await create(recordingId, 'anomaly', 2_025_000, 2_055_000)
    expect(tie.labels[1]).toMatchObject({ startUs: 2_020_000, endUs: 2_050_000 })

    // Fractional periods: exactly the times the store computes (t0 + k·dt).
    const third = uniformRecording(world.project(), { n: 30, dtUs: S / 3, name: '3 Hz' })
    const snapped = await create(third, 'anomaly', 1_100_000, 2_400_000)
    expect(snapped.labels).toMatchObject([{ startUs: 3 * (S / 3), endUs: 7 * (S / 3) }])
  })

  test('edges go to the nearest stored time of a device-timestamped stream', async () => {
    const recordingId = timestampedRecording(
      world.project(),
      [0, 9_000, 21_000, 30_500, 39_000, 52_000],
    )
    const first = await create(recordingId, 'anomaly', 4_000, 25_000)
    expect(first.labels).toMatchObject([{ startUs: 0, endUs: 21_000 }])
    // Past the last sample, the end of the recording: one nominal period (10 ms) after it.
    const bearing = (await world.client().call('classes.upsert', { name: 'bearing' })).id
    const second = await world
      .client()
      .call('labels.create', { recordingId, classId: bearing, startUs: 35_000, endUs: 90_000 })
    expect(spans(second.labels)).toContainEqual({
      classId: bearing,
      startUs: 39_000,
      endUs: 62_000,
    })
  })

  test("edges follow the recording's fastest stream", async () => {
    const project = world.project()
    const recordingId = uniformRecording(project)
    const slow = project.streams.create(recordingId, {
      name: 'temperature',
      rateHz: 1,
      channels: [{ name: 't' }],
    })
    project.samples.appendChunks(slow, [{ t0Us: 0, dtUs: S, data: new Float32Array(10) }])
    const list = await create(recordingId, 'anomaly', 12_345, 55_551)
    expect(list.labels).toMatchObject([{ startUs: 10_000, endUs: 60_000 }])
  })

  test('regions are clamped to the recording; empty, outside and default-class ones are refused', async () => {
    const recordingId = uniformRecording(world.project())
    const client = world.client()
    const clamped = await create(recordingId, 'anomaly', -5 * S, 24_000)
    expect(clamped.labels).toMatchObject([{ startUs: 0, endUs: 20_000 }])
    const end = await create(recordingId, 'anomaly', 9_990_000 - 1, 20 * S)
    expect(end.labels.at(-1)).toMatchObject({ startUs: 9_990_000, endUs: 10 * S })

    const outside = await failure(create(recordingId, 'anomaly', 20 * S, 30 * S))
    expect(outside).toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(outside.message).toContain('outside the recording (0.0–10.0 s)')
    const thin = await failure(create(recordingId, 'anomaly', 1_012_000, 1_013_000))
    expect(thin.message).toContain('shorter than one sample (10.0 ms at 100 Hz)')
    const normal = await failure(create(recordingId, 'normal', S, 2 * S))
    expect(normal.message).toContain('"normal" is the default class of this recording')
    const noClass = client.call('labels.create', {
      recordingId,
      classId: 999,
      startUs: 0,
      endUs: S,
    })
    expect(await failure(noClass)).toMatchObject({ code: 'NOT_FOUND' })
    const noRecording = create(12345, 'anomaly', 0, S)
    expect(await failure(noRecording)).toMatchObject({ code: 'NOT_FOUND' })
    expect(world.project().labels.journal(recordingId)).toHaveLength(2)
  })
})

describe('merging', () => {
  test('a label joins labels of its class it overlaps or touches; other classes overlap freely', async () => {
    const recordingId = uniformRecording(world.project())
    const a = await create(recordingId, 'anomaly', 1 * S, 2 * S)
    const id = a.labelId as number
    const anomaly = await classId(world, 'anomaly')

    const overlap = await create(recordingId, 'anomaly', 1.5 * S, 3 * S)
    expect(overlap.labels).toEqual([
      { id, recordingId, classId: anomaly, startUs: S, endUs: 3 * S },
    ])
    expect(overlap.labelId).toBe(id)
    expect(overlap.undoLabel).toBe('Undo: create anomaly 1.5–3.0 s, merged with a label')

    const touching = await create(recordingId, 'anomaly', 3 * S, 4 * S)
    expect(touching.labels).toEqual([
      { id, recordingId, classId: anomaly, startUs: S, endUs: 4 * S },
    ])

    const bearing = (await world.client().call('classes.upsert', { name: 'bearing' })).id
    const other = await world
      .client()
      .call('labels.create', { recordingId, classId: bearing, startUs: 3.5 * S, endUs: 5 * S })
    expect(spans(other.labels)).toEqual([
      { classId: anomaly, startUs: S, endUs: 4 * S },
      { classId: bearing, startUs: 3.5 * S, endUs: 5 * S },
    ])
  })

  test('a gap of one sample keeps two labels apart; a region inside one changes nothing', async () => {
    const recordingId = uniformRecording(world.project())
    await create(recordingId, 'anomaly', 1 * S, 2 * S)
    const apart = await create(recordingId, 'anomaly', 2 * S + 10_000, 3 * S)
    expect(apart.labels).toHaveLength(2)
    const inside = await create(recordingId, 'anomaly', 1.2 * S, 1.4 * S)
    expect(inside.labels).toEqual(apart.labels)
    expect(inside.labelId).toBe(apart.labels[0]?.id)
    expect(world.project().labels.actions(recordingId)).toHaveLength(2)
  })

  test('relabelling into a class merges with its labels and keeps the relabelled id', async () => {
    const recordingId = uniformRecording(world.project())
    const client = world.client()
    const anomaly = await classId(world, 'anomaly')
    const bearing = (await client.call('classes.upsert', { name: 'bearing' })).id
    await create(recordingId, 'anomaly', 1 * S, 2 * S)
    const b = await client.call('labels.create', {
      recordingId,
      classId: bearing,
      startUs: 2 * S,
      endUs: 3 * S,
    })
    const relabelled = await client.call('labels.update', {
      id: b.labelId as number,
      classId: anomaly,
    })
    expect(relabelled.labels).toEqual([
      { id: b.labelId, recordingId, classId: anomaly, startUs: S, endUs: 3 * S },
    ])
    expect(relabelled.undoLabel).toBe(
      'Undo: relabel bearing → anomaly 2.0–3.0 s, merged with a label',
    )
  })

  test('moving and resizing snap, clamp and merge like creating', async () => {
    const recordingId = uniformRecording(world.project())
    const client = world.client()
    const a = await create(recordingId, 'anomaly', 1 * S, 2 * S)
    const b = await create(recordingId, 'anomaly', 5 * S, 6 * S)
    const id = b.labelId as number
    const moved = await client.call('labels.update', { id, startUs: 7_004_000, endUs: 8_004_000 })
    expect(moved.labels[1]).toMatchObject({ id, startUs: 7 * S, endUs: 8 * S })
    expect(moved.undoLabel).toBe('Undo: move anomaly to 7.0–8.0 s')
    const resized = await client.call('labels.update', { id, endUs: 99 * S })
    expect(resized.labels[1]).toMatchObject({ id, startUs: 7 * S, endUs: 10 * S })
    expect(resized.undoLabel).toBe('Undo: resize anomaly to 7.0–10.0 s')
    const joined = await client.call('labels.update', { id, startUs: 2 * S })
    expect(joined.labels).toEqual([
      { id, recordingId, classId: a.labels[0]?.classId, startUs: S, endUs: 10 * S },
    ])
    const backwards = await failure(client.call('labels.update', { id, startUs: 11 * S }))
    expect(backwards.message).toContain('outside the recording')
  })
})

describe('undo and redo', () => {
  test('undo reverts each kind of edit exactly, merges included, and redo makes them again', async () => {
    const recordingId = uniformRecording(world.project())
    const client = world.client()
    const bearing = (await client.call('classes.upsert', { name: 'bearing' })).id
    const snapshots: LabelList['labels'][] = [[]]
    const step = async (edit: Promise<LabelList>) => snapshots.push((await edit).labels)

    await step(create(recordingId, 'anomaly', 1 * S, 2 * S))
    const first = snapshots[1]?.[0]?.id as number
    await step(create(recordingId, 'anomaly', 3 * S, 4 * S))
    await step(client.call('labels.update', { id: first, startUs: 1.5 * S, endUs: 2.5 * S }))
    await step(client.call('labels.update', { id: first, endUs: 3 * S })) // merge
    await step(
      client.call('labels.create', { recordingId, classId: bearing, startUs: 0, endUs: 6 * S }),
    )
    await step(client.call('labels.update', { id: first, classId: bearing })) // relabel + merge
    await step(client.call('labels.delete', { id: first }))
    expect(snapshots.at(-1)).toEqual([])

    for (let i = snapshots.length - 2; i >= 0; i--) {
      const undone = await client.call('labels.undo', { recordingId })
      expect(undone.labels, `undo to step ${i}`).toEqual(snapshots[i])
      expect(undone.canRedo).toBe(true)
    }
    const bottom = await client.call('labels.undo', { recordingId })
    expect(bottom).toMatchObject({ canUndo: false, undoLabel: null, labels: [] })

    for (let i = 1; i < snapshots.length; i++) {
      const redone = await client.call('labels.redo', { recordingId })
      expect(redone.labels, `redo to step ${i}`).toEqual(snapshots[i])
    }
    const top = await client.call('labels.redo', { recordingId })
    expect(top).toMatchObject({ canRedo: false, redoLabel: null, canUndo: true })
    expect(top.undoLabel).toMatch(/^Undo: delete bearing 0\.0–6\.0 s$/)
  })

  test('a new edit clears the redo stack', async () => {
    const recordingId = uniformRecording(world.project())
    const client = world.client()
    await create(recordingId, 'anomaly', 1 * S, 2 * S)
    await create(recordingId, 'anomaly', 3 * S, 4 * S)
    const undone = await client.call('labels.undo', { recordingId })
    expect(undone).toMatchObject({ canRedo: true, redoLabel: 'Redo: create anomaly 3.0–4.0 s' })
    const fresh = await create(recordingId, 'anomaly', 6 * S, 7 * S)
    expect(fresh.canRedo).toBe(false)
    const redo = await client.call('labels.redo', { recordingId })
    expect(spans(redo.labels).map((l) => l.startUs)).toEqual([1 * S, 6 * S])
    const history = await client.call('labels.history', { recordingId })
    expect(history.map((h) => [h.kind, h.state, h.description])).toEqual([
      ['edit', 'done', 'create anomaly 6.0–7.0 s'],
      ['undo', null, 'create anomaly 3.0–4.0 s'],
      ['edit', 'dropped', 'create anomaly 3.0–4.0 s'],
      ['edit', 'done', 'create anomaly 1.0–2.0 s'],
    ])
  })

  test('undo and redo survive closing and reopening the project', async () => {
    const recordingId = uniformRecording(world.project())
    await create(recordingId, 'anomaly', 1 * S, 2 * S)
    const second = await create(recordingId, 'anomaly', 1.5 * S, 3 * S) // merge
    await create(recordingId, 'anomaly', 5 * S, 6 * S)
    await world.client().call('labels.undo', { recordingId })

    await world.reopen()
    const client = world.client()
    const reopened = await client.call('labels.list', { recordingId })
    expect(reopened).toMatchObject({
      labels: second.labels,
      canUndo: true,
      canRedo: true,
      redoLabel: 'Redo: create anomaly 5.0–6.0 s',
    })
    expect((await client.call('labels.undo', { recordingId })).labels).toMatchObject([
      { startUs: S, endUs: 2 * S },
    ])
    await world.reopen()
    const redone = await world.client().call('labels.redo', { recordingId })
    expect(redone.labels).toEqual(second.labels)
  })

  test('every change is journaled with its actor, undo and redo included', async () => {
    const recordingId = uniformRecording(world.project())
    const client = world.client()
    await create(recordingId, 'anomaly', 1 * S, 2 * S)
    await create(recordingId, 'anomaly', 1.5 * S, 3 * S)
    await client.call('labels.undo', { recordingId })
    await client.call('labels.redo', { recordingId })

    const journal = world.project().labels.journal(recordingId)
    expect(journal.map((j) => j.op)).toEqual(['insert', 'update', 'update', 'update'])
    expect(journal.every((j) => /\(web\)$/.test(j.actor))).toBe(true)
    const [, merge, undo, redo] = journal
    expect(undo?.before).toEqual(merge?.after)
    expect(undo?.after).toEqual(merge?.before)
    expect(redo?.after).toEqual(merge?.after)
    const history = await client.call('labels.history', { recordingId })
    expect(history.map((h) => [h.kind, h.changes])).toEqual([
      ['redo', 1],
      ['undo', 1],
      ['edit', 1],
      ['edit', 1],
    ])
    expect(history[0]?.actor).toMatch(/\(web\)$/)
    expect(history.every((h) => h.at > Date.now() - 60_000)).toBe(true)
  })

  test('undo with nothing to undo changes nothing; a history the labels no longer match is cleared', async () => {
    const recordingId = uniformRecording(world.project())
    const client = world.client()
    const empty = await client.call('labels.undo', { recordingId })
    expect(empty).toMatchObject({ labels: [], canUndo: false })
    const created = await create(recordingId, 'anomaly', 1 * S, 2 * S)

    const db = new Database(world.projectPath())
    db.prepare('UPDATE labels SET end_us = ? WHERE id = ?').run(3 * S, created.labelId)
    db.close()
    const conflict = await failure(client.call('labels.undo', { recordingId }))
    expect(conflict.message).toContain('cannot be undone')
    const after = await client.call('labels.list', { recordingId })
    expect(after).toMatchObject({ canUndo: false, labels: [{ endUs: 3 * S }] })
  })

  test('deleting a class forgets the undo steps that would bring its labels back', async () => {
    const recordingId = uniformRecording(world.project())
    const client = world.client()
    const bearing = (await client.call('classes.upsert', { name: 'bearing' })).id
    await create(recordingId, 'anomaly', 1 * S, 2 * S)
    const b = await client.call('labels.create', {
      recordingId,
      classId: bearing,
      startUs: 3 * S,
      endUs: 4 * S,
    })
    await client.call('labels.delete', { id: b.labelId as number })
    await client.call('classes.delete', { id: bearing })
    const list = await client.call('labels.list', { recordingId })
    expect(list).toMatchObject({ canUndo: false, canRedo: false })
    expect(list.labels).toHaveLength(1)
  })
})

test('totals: count and duration per class, and the time left to the default class', async () => {
  const recordingId = uniformRecording(world.project())
  const bearing = (await world.client().call('classes.upsert', { name: 'bearing' })).id
  await create(recordingId, 'anomaly', 1 * S, 2 * S)
  await create(recordingId, 'anomaly', 3 * S, 4 * S)
  const list = await world
    .client()
    .call('labels.create', { recordingId, classId: bearing, startUs: 1.5 * S, endUs: 2.5 * S })
  expect(list.totals).toEqual([
    { classId: await classId(world, 'anomaly'), count: 2, durationUs: 2 * S },
    { classId: bearing, count: 1, durationUs: 1 * S },
  ])
  expect(list.defaultDurationUs).toBe(10 * S - 2.5 * S)
  expect(list.defaultClassId).toBe(await classId(world, 'normal'))
})

test('every change tells the UIs; a change of the label count tells the recordings list', async () => {
  const recordingId = uniformRecording(world.project())
  const created = await create(recordingId, 'anomaly', 1 * S, 2 * S)
  await world
    .client()
    .call('labels.update', { id: created.labelId as number, startUs: 3 * S, endUs: 4 * S })
  await world.client().call('labels.undo', { recordingId })
  expect(world.events().filter((e) => e.event !== 'classes.onChanged')).toEqual([
    { event: 'labels.onChanged', payload: { recordingId } },
    { event: 'recordings.onChanged', payload: { reason: 'labels' } },
    { event: 'labels.onChanged', payload: { recordingId } },
    { event: 'labels.onChanged', payload: { recordingId } },
  ])
})

test("the recording's default class can be changed, but not to a class it has labels of", async () => {
  const recordingId = uniformRecording(world.project())
  const client = world.client()
  const anomaly = await classId(world, 'anomaly')
  await create(recordingId, 'anomaly', 1 * S, 2 * S)
  const refused = await failure(
    client.call('labels.setDefaultClass', { recordingId, classId: anomaly }),
  )
  expect(refused.message).toContain('has a label of "anomaly"')
  const bearing = (await client.call('classes.upsert', { name: 'bearing' })).id
  const list = await client.call('labels.setDefaultClass', { recordingId, classId: bearing })
  expect(list.defaultClassId).toBe(bearing)
  // "normal" is an ordinary class in this recording now.
  expect((await create(recordingId, 'normal', 5 * S, 6 * S)).labels).toHaveLength(2)
  expect(world.project().recordings.get(recordingId)?.defaultClassId).toBe(bearing)
})

test('the dispatcher refuses malformed arguments before any handler runs', async () => {
  const recordingId = uniformRecording(world.project())
  const { dispatch } = world.services()
  const cases: [string, unknown, string][] = [
    ['labels.create', { recordingId, classId: 2, startUs: 5, endUs: 4 }, 'endUs'],
    ['labels.create', { recordingId, classId: 2, startUs: 5, endUs: 5 }, 'endUs'],
    ['labels.create', { recordingId, classId: 2, startUs: 'a', endUs: 5 }, 'startUs'],
    ['labels.create', { recordingId, classId: 2, startUs: 0, endUs: Infinity }, 'endUs'],
    ['labels.update', { id: 1 }, ''],
    ['labels.update', { id: 1, startUs: 9, endUs: 3 }, 'endUs'],
    ['labels.delete', { id: 1, extra: true }, ''],
    ['labels.undo', {}, 'recordingId'],
    ['classes.upsert', { name: 'x', hotkey: '0' }, 'hotkey'],
    ['classes.upsert', { name: 'x', color: 'red' }, 'color'],
    ['classes.upsert', { color: '#000000' }, 'name'],
    ['labels.import', { recordingId, path: '/x', format: 'xml' }, 'format'],
    ['labels.export', { recordingId, path: '/x', format: 'auto' }, 'format'],
  ]
  for (const [method, args, path] of cases) {
    const response = await dispatch(method, args)
    expect(response.ok, `${method} ${JSON.stringify(args)}`).toBe(false)
    if (!response.ok) {
      expect(response.error.code).toBe('INVALID_ARGUMENT')
      expect(response.error.issues?.[0]?.path).toBe(path)
    }
  }
  expect(world.project().labels.journal()).toEqual([])
})
