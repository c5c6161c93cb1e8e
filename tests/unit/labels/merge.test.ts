import { describe, expect, test } from 'vitest'
import { coveredUs, planLabels, totalsOf } from '../../../src-main/labels/merge.js'
import type { Label } from '../../../src-main/store/labels.js'

const R = 7
const A = 1 // classes
const B = 2

function label(id: number, classId: number, startUs: number, endUs: number): Label {
  return { id, recordingId: R, classId, startUs, endUs }
}

describe('planLabels', () => {
  test('a new label that overlaps one of its class merges into it, which keeps its id', () => {
    const current = [label(1, A, 100, 200)]
    const focus = { classId: A, startUs: 150, endUs: 300 }
    const plan = planLabels(R, current, [...current, focus], { focus })
    expect(plan.edits).toEqual([
      { op: 'update', id: 1, change: { classId: A, startUs: 100, endUs: 300 } },
    ])
    expect(plan.result).toEqual({ id: 1 })
  })

  test('touching labels of the same class merge too; one spanning several absorbs them', () => {
    const current = [label(1, A, 100, 200), label(2, A, 300, 400), label(3, A, 500, 600)]
    const focus = { classId: A, startUs: 200, endUs: 300 }
    const plan = planLabels(R, current, [...current, focus], { focus })
    expect(plan.edits).toEqual([
      { op: 'delete', id: 2 },
      { op: 'update', id: 1, change: { classId: A, startUs: 100, endUs: 400 } },
    ])
    expect(plan.result).toEqual({ id: 1 })
  })

  test('labels of different classes may overlap: a new one is inserted as it is', () => {
    const current = [label(1, A, 100, 200)]
    const focus = { classId: B, startUs: 150, endUs: 250 }
    const plan = planLabels(R, current, [...current, focus], { focus })
    expect(plan.edits).toEqual([
      { op: 'insert', label: { recordingId: R, classId: B, startUs: 150, endUs: 250 } },
    ])
    expect(plan.result).toEqual({ insert: 0 })
  })

  test('a region inside a label of its class changes nothing', () => {
    const current = [label(1, A, 100, 400)]
    const focus = { classId: A, startUs: 150, endUs: 250 }
    const plan = planLabels(R, current, [...current, focus], { focus })
    expect(plan).toEqual({ edits: [], result: { id: 1 } })
  })

  test('a relabelled label merges with its new class and keeps its own id (prefer)', () => {
    const current = [label(1, A, 100, 200), label(2, B, 200, 300)]
    const focus = { id: 2, classId: A, startUs: 200, endUs: 300 }
    const plan = planLabels(R, current, [current[0] as Label, focus], { focus, prefer: 2 })
    expect(plan.edits).toEqual([
      { op: 'delete', id: 1 },
      { op: 'update', id: 2, change: { classId: A, startUs: 100, endUs: 300 } },
    ])
    expect(plan.result).toEqual({ id: 2 })
  })

  test('labels left out of the wanted set are deleted; gaps between same-class labels stay', () => {
    const current = [label(1, A, 100, 200), label(2, A, 201, 300)]
    const plan = planLabels(R, current, [current[1] as Label])
    expect(plan.edits).toEqual([{ op: 'delete', id: 1 }])
    expect(planLabels(R, current, current).edits).toEqual([])
  })
})

test('totals count and sum per class in class order; coverage joins overlaps', () => {
  const labels = [label(1, B, 0, 10), label(2, A, 5, 20), label(3, B, 30, 35)]
  expect(totalsOf(labels, [A, B])).toEqual([
    { classId: A, count: 1, durationUs: 15 },
    { classId: B, count: 2, durationUs: 15 },
  ])
  expect(coveredUs(labels, 0, 100)).toBe(25)
  expect(coveredUs(labels, 8, 32)).toBe(14)
})
