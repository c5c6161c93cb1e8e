import { join } from 'node:path'
import { beforeEach, describe, expect, test } from 'vitest'
import { openProject } from '../../../src-main/store/open.js'
import type { Project } from '../../../src-main/store/project.js'
import { useTempDir } from './helpers.js'

const tempDir = useTempDir()
let project: Project
let recordingId: number

beforeEach(() => {
  project = openProject(join(tempDir(), 'labels.tinyloop'))
  // A new project comes with `normal` and `anomaly`; these tests start from no classes.
  for (const cls of project.classes.list()) project.classes.delete(cls.id)
  recordingId = project.recordings.create({ name: 'fan 1' })
  return () => project.close()
})

describe('classes', () => {
  test('are listed in display order and updated by id or by name', () => {
    const normal = project.classes.upsert({
      name: 'normal',
      color: '#22aa55',
      hotkey: 'n',
      sortOrder: 0,
    })
    const fault = project.classes.upsert({
      name: 'fault',
      color: '#cc0000',
      hotkey: 'f',
      sortOrder: 1,
    })
    expect(
      project.classes.upsert({ name: 'fault', color: '#ee1111', hotkey: 'f', sortOrder: 1 }),
    ).toBe(fault)
    project.classes.upsert({ id: normal, name: 'healthy', color: '#22aa55', sortOrder: 2 })

    expect(project.classes.list()).toEqual([
      { id: fault, name: 'fault', color: '#ee1111', hotkey: 'f', sortOrder: 1 },
      { id: normal, name: 'healthy', color: '#22aa55', hotkey: null, sortOrder: 2 },
    ])
  })

  test('refuse duplicate hotkeys, bad colours, and deletion while labels use them', () => {
    const fault = project.classes.upsert({ name: 'fault', color: '#cc0000', hotkey: 'f' })
    expect(() =>
      project.classes.upsert({ name: 'fan off', color: '#000000', hotkey: 'f' }),
    ).toThrow()
    expect(() => project.classes.upsert({ name: 'odd', color: 'red' })).toThrow()
    const label = project.labels.insert(
      { recordingId, classId: fault, startUs: 0, endUs: 10 },
      'ana',
    )
    expect(() => project.classes.delete(fault)).toThrow('used by 1 labels')
    project.labels.delete(label.id, 'ana')
    project.classes.delete(fault)
    expect(project.classes.list()).toEqual([])
  })
})

describe('labels', () => {
  test('every change is journaled with who made it and the label before and after', () => {
    const normal = project.classes.upsert({ name: 'normal', color: '#22aa55' })
    const fault = project.classes.upsert({ name: 'fault', color: '#cc0000' })
    const other = project.recordings.create({ name: 'fan 2' })

    const label = project.labels.insert(
      { recordingId, classId: normal, startUs: 1000, endUs: 5000 },
      'ana',
    )
    const moved = project.labels.update(label.id, { classId: fault, endUs: 8000 }, 'ben')
    project.labels.insert({ recordingId: other, classId: normal, startUs: 0, endUs: 1 }, 'ana')
    project.labels.delete(label.id, 'cli')

    expect(moved).toEqual({ ...label, classId: fault, endUs: 8000 })
    expect(project.labels.list(recordingId)).toEqual([])
    const journal = project.labels.journal(recordingId)
    expect(
      journal.map(({ op, actor, labelId, before, after }) => ({
        op,
        actor,
        labelId,
        before,
        after,
      })),
    ).toEqual([
      { op: 'insert', actor: 'ana', labelId: label.id, before: null, after: label },
      { op: 'update', actor: 'ben', labelId: label.id, before: label, after: moved },
      { op: 'delete', actor: 'cli', labelId: label.id, before: moved, after: null },
    ])
    expect(journal.every((entry) => entry.at > Date.now() - 60_000)).toBe(true)
    expect(project.labels.journal().map((entry) => entry.seq)).toEqual(
      [...project.labels.journal().map((entry) => entry.seq)].sort((a, b) => a - b),
    )
    expect(project.labels.journal()).toHaveLength(4)
    expect(project.labels.journal(other)).toHaveLength(1)
  })

  test('a change that cannot be journaled is not made, and a bad change is not journaled', () => {
    const classId = project.classes.upsert({ name: 'normal', color: '#22aa55' })
    expect(() =>
      project.labels.insert({ recordingId, classId, startUs: 0, endUs: 10 }, ''),
    ).toThrow('actor')
    expect(project.labels.list(recordingId)).toEqual([])

    const label = project.labels.insert({ recordingId, classId, startUs: 0, endUs: 10 }, 'ana')
    expect(() => project.labels.update(label.id, { endUs: 0 }, 'ana')).toThrow(RangeError)
    expect(() =>
      project.labels.insert({ recordingId, classId: 999, startUs: 0, endUs: 1 }, 'ana'),
    ).toThrow()
    expect(() => project.labels.delete(12345, 'ana')).toThrow('Label 12345 does not exist')
    expect(project.labels.list(recordingId)).toEqual([label])
    expect(project.labels.journal(recordingId).map((entry) => entry.op)).toEqual(['insert'])
  })

  test('are listed in time order', () => {
    const classId = project.classes.upsert({ name: 'normal', color: '#22aa55' })
    for (const startUs of [5000, 1000, 3000]) {
      project.labels.insert({ recordingId, classId, startUs, endUs: startUs + 500 }, 'ana')
    }
    expect(project.labels.list(recordingId).map((label) => label.startUs)).toEqual([
      1000, 3000, 5000,
    ])
  })
})
