import type { DatasetPreview, DatasetSplitName } from '../../src-preload/contract/index.js'
import { ServiceError } from '../rpc/errors.js'
import type { BuiltDataset } from './build.js'

export type FeatureView = { histogram: string; bins?: number } | { x: string; y: string }

/** Below this many windows of a class in a split, its scores there mean little. */
export const FEW_WINDOWS = 10
/** Above this ratio between the largest and the smallest class, the model needs class weights. */
export const IMBALANCE_RATIO = 10
/** Points a scatter shows at most. */
export const SCATTER_POINTS = 2000

type Counts = Record<string, number>

/** Windows per class name, overall and per split. */
export function countsOf(built: BuiltDataset, names: ReadonlyMap<number, string>) {
  const byClass: Counts = {}
  const bySplit: Record<DatasetSplitName, Counts> = { train: {}, val: {}, test: {} }
  for (const w of built.windows) {
    const name = names.get(w.classId) ?? String(w.classId)
    byClass[name] = (byClass[name] ?? 0) + 1
    bySplit[w.split][name] = (bySplit[w.split][name] ?? 0) + 1
  }
  return { byClass, bySplit }
}

/** What the dataset view shows: windows, counts, drops, warnings, and one feature's spread. */
export function previewOf(
  built: BuiltDataset,
  names: ReadonlyMap<number, string>,
  ratios: readonly number[],
  view?: FeatureView,
): DatasetPreview {
  const { byClass, bySplit } = countsOf(built, names)
  const classIds = [...new Set(built.windows.map((w) => w.classId))]
  const preview: DatasetPreview = {
    windows: built.windows,
    classes: classIds.map((id) => ({ id, name: names.get(id) ?? String(id) })),
    byClass,
    bySplit,
    dropped: { ...built.dropped },
    splitMethod: built.splitMethod,
    featureNames: built.featureNames,
    warnings: [...built.warnings, ...warningsOf(built, byClass, bySplit, ratios)],
  }
  if (view && 'histogram' in view)
    preview.histogram = histogramOf(built, names, view.histogram, view.bins ?? 20)
  if (view && 'x' in view) preview.scatter = scatterOf(built, view.x, view.y)
  return preview
}

function warningsOf(
  built: BuiltDataset,
  byClass: Counts,
  bySplit: Record<DatasetSplitName, Counts>,
  ratios: readonly number[],
): string[] {
  const warnings: string[] = []
  if (built.windows.length === 0) {
    warnings.push('No windows: select recordings at least one window long, without gaps.')
    return warnings
  }
  const counts = Object.values(byClass)
  if (counts.length === 1) {
    warnings.push(`Every window is ${Object.keys(byClass)[0]}: label other classes to train on.`)
  }
  const largest = Math.max(...counts)
  const smallest = Math.min(...counts)
  if (counts.length > 1 && largest > IMBALANCE_RATIO * smallest) {
    warnings.push(
      `Classes are imbalanced: ${largest} windows of the largest class, ${smallest} of the ` +
        'smallest; weight the classes or label more of the rare ones.',
    )
  }
  const splitNames = { train: 'training', val: 'validation', test: 'test' }
  ;(['train', 'val', 'test'] as const).forEach((split, i) => {
    if ((ratios[i] ?? 0) <= 0) return
    for (const name of Object.keys(byClass)) {
      const n = bySplit[split][name] ?? 0
      if (n < FEW_WINDOWS) {
        warnings.push(
          `Only ${n} ${splitNames[split]} windows of ${name} (fewer than ${FEW_WINDOWS}).`,
        )
      }
    }
  })
  if (built.dropped.gap > 0) {
    warnings.push(`${built.dropped.gap} windows straddle gaps in the data and were left out.`)
  }
  if (built.dropped.purge > 0) {
    warnings.push(
      `${built.dropped.purge} windows were left out between time blocks of different splits, ` +
        'so that no validation or test window overlaps a training window.',
    )
  }
  if (built.dropped.unlabeled > 0) {
    warnings.push(
      `${built.dropped.unlabeled} windows have no class (no label and no default class) and ` +
        'were left out.',
    )
  }
  if (built.splitMethod === 'blocks') {
    warnings.push(
      'Too few recordings per class for whole-recording splits: splits are time blocks of the ' +
        'same recordings, which share conditions (record more sessions for a fairer test).',
    )
  }
  return warnings
}

function columnOf(built: BuiltDataset, feature: string): number {
  const index = built.featureNames.indexOf(feature)
  if (index < 0) {
    throw new ServiceError(
      'INVALID_ARGUMENT',
      `This dataset has no feature "${feature}"; its features are ${built.featureNames.slice(0, 8).join(', ')}` +
        (built.featureNames.length > 8 ? ', ...' : '.'),
    )
  }
  return index
}

function histogramOf(
  built: BuiltDataset,
  names: ReadonlyMap<number, string>,
  feature: string,
  bins: number,
) {
  const column = columnOf(built, feature)
  const width = built.featureNames.length
  const values = built.windows.map((_, row) => built.features[row * width + column] as number)
  const min = Math.min(...values)
  const max = Math.max(...values)
  const span = max - min || 1
  const edges = Array.from({ length: bins + 1 }, (_, i) => min + (i * span) / bins)
  const counts: Record<string, number[]> = {}
  built.windows.forEach((w, row) => {
    const name = names.get(w.classId) ?? String(w.classId)
    const bin = Math.min(bins - 1, Math.floor((((values[row] as number) - min) / span) * bins))
    ;(counts[name] ??= new Array<number>(bins).fill(0))[bin]!++
  })
  return { feature, edges, counts }
}

/** Every k-th window (k chosen for at most SCATTER_POINTS): deterministic, spread over time. */
function scatterOf(built: BuiltDataset, x: string, y: string) {
  const xColumn = columnOf(built, x)
  const yColumn = columnOf(built, y)
  const width = built.featureNames.length
  const step = Math.max(1, Math.ceil(built.windows.length / SCATTER_POINTS))
  const points: [number, number, number][] = []
  for (let row = 0; row < built.windows.length; row += step) {
    points.push([
      built.features[row * width + xColumn] as number,
      built.features[row * width + yColumn] as number,
      built.windows[row]!.classId,
    ])
  }
  return { x, y, points }
}
