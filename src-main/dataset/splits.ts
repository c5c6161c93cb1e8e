import type { DatasetConfig, DatasetSplitName } from '../../src-preload/contract/index.js'
import { seededRandom } from '../seeded-random.js'

export const SPLITS: readonly DatasetSplitName[] = ['train', 'val', 'test']
/** Marks a window dropped by the purge between splits. */
export const PURGED = -1

export interface SplitWindow {
  recordingId: number
  startUs: number
  classId: number
  /** Its recording is tagged `testing` (for the 'tag' method). */
  testing?: boolean
}

/** The tag of recordings kept for testing by the 'tag' method (Edge Impulse's category). */
export const TESTING_TAG = 'testing'

export interface SplitOutcome {
  /** Per window: 0 train, 1 val, 2 test, or PURGED. */
  splits: Int8Array
  method: 'recordings' | 'blocks' | 'random' | 'tag'
  warnings: string[]
}

/** A group gives a split its class when it has this many windows of it (a purge takes a few). */
const MIN_COVERING_WINDOWS = 4
/** Blocks per recording the block method aims at: enough for 60/20/20 to land near its ratios. */
const BLOCKS_PER_RECORDING = 10

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j] as T, copy[i] as T]
  }
  return copy
}

/**
 * Assigns windows (sorted by recording, then start) to train, val and test (docs/dataset.md,
 * "Splits"). Leakage-free methods keep whole recordings, or contiguous blocks of a recording with
 * a purge: a window closer than one window length to a kept window of another split is dropped.
 */
export function assignSplits(
  windows: readonly SplitWindow[],
  config: DatasetConfig['split'],
  windowUs: number,
): SplitOutcome {
  const total = config.ratios.reduce((a, b) => a + b, 0)
  const ratios = config.ratios.map((r) => r / total)
  const activeSplits = ratios.filter((r) => r > 0).length
  const random = seededRandom(config.seed)
  const warnings: string[] = []
  let method = config.method
  if (method === 'auto') {
    const recordingsOfClass = new Map<number, Set<number>>()
    for (const w of windows) {
      const set = recordingsOfClass.get(w.classId) ?? new Set<number>()
      set.add(w.recordingId)
      recordingsOfClass.set(w.classId, set)
    }
    const enough = [...recordingsOfClass.values()].every((set) => set.size >= activeSplits)
    method = enough && recordingsOfClass.size > 0 ? 'recordings' : 'blocks'
  }
  if (method === 'tag') return tagSplit(windows, config, windowUs)
  const splits = new Int8Array(windows.length)
  if (method === 'random') {
    warnings.push(
      'Random per-window splitting leaks: overlapping and neighbouring windows of the same ' +
        'recording land in different splits, so validation and test scores will be too optimistic.',
    )
    const byClass = new Map<number, number[]>()
    windows.forEach((w, i) => {
      const indices = byClass.get(w.classId)
      if (indices) indices.push(i)
      else byClass.set(w.classId, [i])
    })
    for (const indices of byClass.values()) {
      const order = shuffled(indices, random)
      const trainEnd = Math.round(ratios[0]! * order.length)
      const valEnd = trainEnd + Math.round(ratios[1]! * order.length)
      order.forEach((index, k) => (splits[index] = k < trainEnd ? 0 : k < valEnd ? 1 : 2))
    }
    return { splits, method, warnings }
  }
  if (method === 'recordings') {
    const covered = assignGroups(windows, recordingGroups(windows), ratios, random, splits)
    // Whole recordings could not give every split every class: time blocks can.
    if (!covered && config.method === 'auto') method = 'blocks'
    else if (!covered) {
      warnings.push(
        'Some split has no recording of some class: there are too few recordings of it to go ' +
          'round. Record more sessions of it, or split by blocks.',
      )
    }
  }
  if (method === 'blocks') {
    assignGroups(windows, blockGroups(windows), ratios, seededRandom(config.seed), splits)
    purge(windows, windowUs, splits)
  }
  return { splits, method, warnings }
}

/**
 * Recordings tagged `testing` are the test split; the others are split into training and
 * validation at their ratio, by whole recordings where every class has two, else by blocks.
 */
function tagSplit(
  windows: readonly SplitWindow[],
  config: DatasetConfig['split'],
  windowUs: number,
): SplitOutcome {
  const splits = new Int8Array(windows.length).fill(2)
  const rest = windows.flatMap((w, i) => (w.testing ? [] : [i]))
  const warnings: string[] = []
  if (rest.length === windows.length && windows.length > 0) {
    warnings.push(
      `No recording is tagged "${TESTING_TAG}", so the test split is empty. Tag the recordings ` +
        'to test with, or choose another split method.',
    )
  }
  const [train = 0, val = 0] = config.ratios
  const inner = assignSplits(
    rest.map((i) => windows[i] as SplitWindow),
    { ...config, method: 'auto', ratios: [train, val, 0] },
    windowUs,
  )
  rest.forEach((index, k) => (splits[index] = inner.splits[k] as number))
  return { splits, method: 'tag', warnings: [...warnings, ...inner.warnings] }
}

/** Window index ranges [from, to) that must stay in one split. */
type Group = [number, number]

function recordingGroups(windows: readonly SplitWindow[]): Group[] {
  const groups: Group[] = []
  let from = 0
  for (let i = 1; i <= windows.length; i++) {
    if (i === windows.length || windows[i]!.recordingId !== windows[from]!.recordingId) {
      groups.push([from, i])
      from = i
    }
  }
  return groups
}

function blockGroups(windows: readonly SplitWindow[]): Group[] {
  return recordingGroups(windows).flatMap(([from, to]) => {
    const size = Math.max(1, Math.ceil((to - from) / BLOCKS_PER_RECORDING))
    const blocks: Group[] = []
    for (let start = from; start < to; start += size)
      blocks.push([start, Math.min(to, start + size)])
    return blocks
  })
}

/**
 * Stratification in two passes. First every split (with a ratio above 0) gets one group of each
 * class, where there are groups enough: the smallest splits first, each taking the group whose
 * windows of that class come nearest the split's share of them. Then the other groups, those holding the rarest classes first
 * (in seeded random order otherwise), each go to the split whose per-class shortfall, weighted by
 * the group's share of each class, is largest. Returns whether every split got every class.
 */
function assignGroups(
  windows: readonly SplitWindow[],
  groups: Group[],
  ratios: number[],
  random: () => number,
  splits: Int8Array,
): boolean {
  const classTotals = new Map<number, number>()
  for (const w of windows) classTotals.set(w.classId, (classTotals.get(w.classId) ?? 0) + 1)
  const countsOf = ([from, to]: Group) => {
    const counts = new Map<number, number>()
    for (let i = from; i < to; i++) {
      const id = windows[i]!.classId
      counts.set(id, (counts.get(id) ?? 0) + 1)
    }
    return counts
  }
  const entries = shuffled(groups, random).map((group) => {
    const counts = countsOf(group)
    const rarest = Math.min(...[...counts.keys()].map((id) => classTotals.get(id) as number))
    return { group, counts, rarest, split: -1 }
  })
  entries.sort((a, b) => a.rarest - b.rarest)
  const assigned = SPLITS.map(() => new Map<number, number>())
  const place = (entry: (typeof entries)[number], split: number) => {
    entry.split = split
    for (const [id, n] of entry.counts) {
      assigned[split]!.set(id, (assigned[split]!.get(id) ?? 0) + n)
    }
    splits.fill(split, entry.group[0], entry.group[1])
  }

  const active = ratios.map((r, i) => [r, i] as const).filter(([r]) => r > 0)
  const smallestFirst = [...active].sort((a, b) => a[0] - b[0]).map(([, i]) => i)
  const classesRarestFirst = [...classTotals.keys()].sort(
    (a, b) => (classTotals.get(a) as number) - (classTotals.get(b) as number),
  )
  let covered = true
  for (const id of classesRarestFirst) {
    for (const split of smallestFirst) {
      if (assigned[split]!.has(id)) continue
      // The group whose windows of the class come nearest the split's share of them, among those
      // with enough of them to survive the purge at a block's edges where there are such.
      const target = (ratios[split] as number) * (classTotals.get(id) as number)
      const miss = (e: (typeof entries)[number]) => Math.abs((e.counts.get(id) ?? 0) - target)
      const free = entries.filter((e) => e.split < 0 && e.counts.has(id))
      const solid = free.filter((e) => (e.counts.get(id) as number) >= MIN_COVERING_WINDOWS)
      const candidate = (solid.length ? solid : free).reduce<(typeof entries)[number] | null>(
        (b, e) => (b && miss(b) <= miss(e) ? b : e),
        null,
      )
      if (candidate) place(candidate, split)
      else covered = false
    }
  }

  for (const entry of entries) {
    if (entry.split >= 0) continue
    let best = 0
    let bestScore = -Infinity
    ratios.forEach((ratio, split) => {
      if (ratio <= 0) return
      let score = 0
      for (const [id, n] of entry.counts) {
        const total = classTotals.get(id) as number
        score += (n / total) * ((ratio * total - (assigned[split]!.get(id) ?? 0)) / total)
      }
      if (score > bestScore) {
        bestScore = score
        best = split
      }
    })
    place(entry, best)
  }
  return covered
}

/**
 * Drops (PURGED) each window starting less than one window length after the end of a kept window
 * of another split of the same recording, so kept windows of different splits are at least a
 * window apart: none overlaps another, and none is its immediate neighbour.
 */
function purge(windows: readonly SplitWindow[], windowUs: number, splits: Int8Array): void {
  const lastEnd = [-Infinity, -Infinity, -Infinity]
  let recordingId: number | null = null
  windows.forEach((w, i) => {
    if (w.recordingId !== recordingId) {
      recordingId = w.recordingId
      lastEnd.fill(-Infinity)
    }
    const split = splits[i] as number
    const tooClose = lastEnd.some((end, other) => other !== split && end + windowUs > w.startUs)
    if (tooClose) splits[i] = PURGED
    else lastEnd[split] = w.startUs + windowUs
  })
}
