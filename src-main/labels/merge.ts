import type { Label, LabelEdit } from '../store/labels.js'

/** A region of one class, µs since the recording started. */
export interface Span {
  classId: number
  startUs: number
  endUs: number
}

/** A region as it should be: an existing label (with its id, maybe changed) or a new one. */
export interface Wanted extends Span {
  id?: number
}

/** Where the region the user acted on ended up after merging. */
export type PlanResult = { id: number } | { insert: number } | null

export interface Plan {
  /** Deletes, then updates, then inserts; empty when nothing changes. */
  edits: LabelEdit[]
  /** The label `focus` became: an existing id, or the index in `edits` of its insert. */
  result: PlanResult
}

/**
 * The changes that turn the labels `current` of a recording into `wanted`, with the rule that
 * labels of the same class never overlap or touch: such labels merge into one, which keeps the
 * id of `prefer` when it is among them, else of the earliest existing label among them. Labels
 * of different classes may overlap. Labels of `current` missing from `wanted` are deleted.
 */
export function planLabels(
  recordingId: number,
  current: readonly Label[],
  wanted: readonly Wanted[],
  options: { focus?: Wanted; prefer?: number } = {},
): Plan {
  const byClass = new Map<number, Wanted[]>()
  for (const item of wanted) {
    const list = byClass.get(item.classId) ?? []
    list.push(item)
    byClass.set(item.classId, list)
  }
  const groups: { members: Wanted[]; span: Span }[] = []
  for (const [classId, items] of byClass) {
    items.sort((a, b) => a.startUs - b.startUs || a.endUs - b.endUs || (a.id ?? 0) - (b.id ?? 0))
    let group: { members: Wanted[]; span: Span } | null = null
    for (const item of items) {
      if (group && item.startUs <= group.span.endUs) {
        group.members.push(item)
        group.span.endUs = Math.max(group.span.endUs, item.endUs)
      } else {
        group = { members: [item], span: { classId, startUs: item.startUs, endUs: item.endUs } }
        groups.push(group)
      }
    }
  }

  const currentById = new Map(current.map((label) => [label.id, label]))
  const kept = new Set<number>()
  const updates: LabelEdit[] = []
  const inserts: { span: Span; group: Wanted[] }[] = []
  const survivorOf = new Map<Wanted[], number>()
  for (const { members, span } of groups) {
    const ids = members.flatMap((m) => (m.id !== undefined && currentById.has(m.id) ? [m.id] : []))
    const survivor =
      options.prefer !== undefined && ids.includes(options.prefer) ? options.prefer : ids[0]
    if (survivor === undefined) {
      inserts.push({ span, group: members })
      continue
    }
    kept.add(survivor)
    survivorOf.set(members, survivor)
    const label = currentById.get(survivor) as Label
    if (
      label.classId !== span.classId ||
      label.startUs !== span.startUs ||
      label.endUs !== span.endUs
    ) {
      updates.push({ op: 'update', id: survivor, change: { ...span } })
    }
  }
  const deletes: LabelEdit[] = current
    .filter((label) => !kept.has(label.id))
    .map((label) => ({ op: 'delete', id: label.id }))
  const edits: LabelEdit[] = [
    ...deletes,
    ...updates,
    ...inserts.map(({ span }) => ({ op: 'insert' as const, label: { recordingId, ...span } })),
  ]

  let result: PlanResult = null
  if (options.focus) {
    const focus = options.focus
    const group = groups.find((g) => g.members.includes(focus))
    const survivor = group && survivorOf.get(group.members)
    if (survivor !== undefined) result = { id: survivor }
    else if (group) {
      const at = inserts.findIndex((insert) => insert.group === group.members)
      result = { insert: deletes.length + updates.length + at }
    }
  }
  return { edits, result }
}

export interface ClassTotal {
  classId: number
  count: number
  durationUs: number
}

/** Count and duration of the labels of each class, in the order of `classOrder`. */
export function totalsOf(labels: readonly Label[], classOrder: readonly number[]): ClassTotal[] {
  const totals = new Map<number, ClassTotal>()
  for (const label of labels) {
    const total = totals.get(label.classId) ?? { classId: label.classId, count: 0, durationUs: 0 }
    total.count++
    total.durationUs += label.endUs - label.startUs
    totals.set(label.classId, total)
  }
  const rank = new Map(classOrder.map((id, i) => [id, i]))
  return [...totals.values()].sort(
    (a, b) =>
      (rank.get(a.classId) ?? Infinity) - (rank.get(b.classId) ?? Infinity) ||
      a.classId - b.classId,
  )
}

/** How much of [startUs, endUs) the labels cover together, whatever their classes. */
export function coveredUs(labels: readonly Span[], startUs: number, endUs: number): number {
  const spans = labels
    .map((l) => [Math.max(startUs, l.startUs), Math.min(endUs, l.endUs)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0])
  let covered = 0
  let reach = -Infinity
  for (const [a, b] of spans) {
    if (b <= reach) continue
    covered += b - Math.max(a, reach)
    reach = b
  }
  return covered
}
