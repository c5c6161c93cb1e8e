import type { DatasetConfig } from '../../src-preload/contract/index.js'

export type LabelPolicy = DatasetConfig['labelPolicy']

export interface LabelRegion {
  classId: number
  startUs: number
  endUs: number
}

/**
 * Labels windows of one recording by `policy` (docs/dataset.md, "Labels"). Labels are half-open
 * `[start, end)`; the time no label covers belongs to `defaultClassId`. When several classes
 * qualify, the one covering most of the window wins, ties going to the earlier class in
 * `classOrder` (the project's class order). Returns null for a window with no class (no label
 * and no default class).
 */
export class WindowLabeler {
  readonly #labels: LabelRegion[]
  readonly #maxEndUpTo: Float64Array
  readonly #rank: Map<number, number>
  readonly #overlap = new Map<number, number>()
  #first = 0

  constructor(
    labels: readonly LabelRegion[],
    readonly defaultClassId: number | null,
    readonly policy: LabelPolicy,
    classOrder: readonly number[],
  ) {
    this.#labels = labels
      .filter((label) => label.classId !== defaultClassId)
      .sort((a, b) => a.startUs - b.startUs)
    this.#maxEndUpTo = new Float64Array(this.#labels.length)
    let maxEnd = -Infinity
    this.#labels.forEach((label, i) => {
      maxEnd = Math.max(maxEnd, label.endUs)
      this.#maxEndUpTo[i] = maxEnd
    })
    this.#rank = new Map(classOrder.map((id, i) => [id, i]))
  }

  /** Windows must be asked for in order of start time. */
  label(startUs: number, endUs: number): number | null {
    const labels = this.#labels
    // Labels of different classes may overlap, so skip only while every label so far has ended.
    while (this.#first < labels.length && (this.#maxEndUpTo[this.#first] as number) <= startUs) {
      this.#first++
    }
    const overlap = this.#overlap
    overlap.clear()
    const centreClasses: number[] = []
    const centre = (startUs + endUs) / 2
    for (let i = this.#first; i < labels.length; i++) {
      const label = labels[i] as LabelRegion
      if (label.startUs >= endUs) break
      const covered = Math.min(endUs, label.endUs) - Math.max(startUs, label.startUs)
      if (covered <= 0) continue
      overlap.set(label.classId, (overlap.get(label.classId) ?? 0) + covered)
      if (label.startUs <= centre && centre < label.endUs) centreClasses.push(label.classId)
    }
    const length = endUs - startUs
    const policy = this.policy
    let candidates: number[]
    if (policy === 'any') candidates = [...overlap.keys()]
    else if (policy === 'center') candidates = centreClasses
    else if (policy === 'majority') {
      const labelled = this.#unionCovered(startUs, endUs)
      const best = this.#best([...overlap.keys()])
      const bestShare = best === null ? 0 : (overlap.get(best) as number)
      // The default class wins only with strictly more of the window than any labelled class.
      candidates = best !== null && bestShare >= length - labelled ? [best] : []
    } else
      candidates = [...overlap.keys()].filter(
        (id) => (overlap.get(id) as number) >= policy.minOverlap * length,
      )
    return this.#best(candidates) ?? this.defaultClassId
  }

  #best(classes: number[]): number | null {
    let best: number | null = null
    for (const id of classes) {
      if (best === null) {
        best = id
        continue
      }
      const a = this.#overlap.get(id) as number
      const b = this.#overlap.get(best) as number
      if (a > b || (a === b && this.#rankOf(id) < this.#rankOf(best))) best = id
    }
    return best
  }

  #rankOf(id: number): number {
    return this.#rank.get(id) ?? Number.MAX_SAFE_INTEGER
  }

  /** Time of [startUs, endUs) covered by any label (labels of different classes may overlap). */
  #unionCovered(startUs: number, endUs: number): number {
    let covered = 0
    let reach = startUs
    for (let i = this.#first; i < this.#labels.length; i++) {
      const label = this.#labels[i] as LabelRegion
      if (label.startUs >= endUs) break
      const from = Math.max(reach, label.startUs)
      const to = Math.min(endUs, label.endUs)
      if (to > from) {
        covered += to - from
        reach = to
      }
    }
    return covered
  }
}
