import {
  DRIFT_THRESHOLDS,
  type ClassShare,
  type DriftReport,
  type FeatureDrift,
  type FeatureState,
} from '../../src-preload/contract/index.js'
import type { DatasetService } from '../dataset/dataset-service.js'
import { selectRecordings } from '../dataset/source.js'
import type { DeployService } from '../deploy/deploy-service.js'
import { heldOutWindows, runRecordings } from '../deploy/held-out.js'
import { modelOverRecording } from '../deploy/model-over-recording.js'
import type { ClassService } from '../labels/class-service.js'
import {
  binShares,
  chiSquareTwoSample,
  decileEdges,
  histogram,
  ksTwoSample,
  meanOf,
  psi,
  quantileOfSorted,
  stdOf,
} from './statistics.js'

export interface DriftServiceOptions {
  classes: ClassService
  deploy: DeployService
  datasets: DatasetService
}

/**
 * The drift check (docs/drift.md): a recording's windows, cut and featurized as the run's
 * dataset, against the windows of the run's training split, feature by feature (PSI over the
 * training deciles, two-sample KS), and the run's int8 predictions of the recording against the
 * training split's labels. The verdict and the next step follow from which features moved.
 */
export class DriftService {
  readonly #opts: DriftServiceOptions

  constructor(opts: DriftServiceOptions) {
    this.#opts = opts
  }

  check(recordingId: number, runId: number): DriftReport {
    const started = performance.now()
    const { classes, datasets } = this.#opts
    const project = classes.project()
    const over = modelOverRecording(this.#opts, recordingId, runId)
    const { model } = over
    // The training split of the recordings the run trained on (not of those added since).
    const trainedOn = runRecordings(project, runId)
    const held = heldOutWindows(project, datasets, runId, model, { recordings: trainedOn })
    const width = model.featureNames.length
    const mean = model.normalization?.mean
    const std = model.normalization?.std

    // Each feature's values in its own units: the training split's (normalized with the run's
    // statistics, undone here) and the recording's.
    const trainCount = held.train.windows.length
    const liveCount = over.windows.length
    const columns = model.featureNames.map((_, f) => {
      const training = new Float64Array(trainCount)
      for (let w = 0; w < trainCount; w++) {
        training[w] =
          ((held.train.windows[w] as Float32Array)[f] as number) * (std?.[f] ?? 1) +
          (mean?.[f] ?? 0)
      }
      const live = new Float64Array(liveCount)
      for (let w = 0; w < liveCount; w++) live[w] = over.features[w * width + f] as number
      return { training, live }
    })
    // Overlapping windows share samples: the tests count the windows that do not overlap.
    const { windowMs, strideMs } = over.config
    const independence = Math.min(1, strideMs / windowMs)
    const alpha = DRIFT_THRESHOLDS.ksAlpha / Math.max(1, width)
    const featureDrift = model.featureNames.map((name, f) =>
      compareFeature(name, columns[f]!.training, columns[f]!.live, { independence, alpha }),
    )
    const axes = axisTotals(model.featureNames, columns, featureDrift)
    // PSI saturates (every window in other bins gives about 8.3): KS D orders those.
    featureDrift.sort((a, b) => (Math.abs(b.psi - a.psi) > 1e-9 ? b.psi - a.psi : b.ks - a.ks))

    const recordingRow = project.recordings.get(recordingId)
    let normalId = recordingRow ? classes.defaultOf(project, recordingRow) : null
    let classMix: ClassShare[] = model.classIds.map((classId, k) => ({
      classId,
      name: project.classes.get(classId)?.name ?? `class ${classId}`,
      training: shareOf(held.train.labels, k),
      live: shareOf(over.classIndex, k),
    }))
    if (over.anomaly) {
      // An anomaly model's mix: the training split's labeled faults against the windows it flags.
      const normal = model.classNames.flatMap((name, k) =>
        over.anomaly!.normalClasses.includes(name) ? [k] : [],
      )
      const trainingNormal = normal.reduce((sum, k) => sum + shareOf(held.train.labels, k), 0)
      normalId = model.classIds[normal[0] ?? -1] ?? null
      classMix = [
        {
          classId: normalId ?? -1,
          name: 'normal',
          training: trainingNormal,
          live: shareOf(over.classIndex, 0),
        },
        {
          classId: -1,
          name: 'anomaly',
          training: 1 - trainingNormal,
          live: shareOf(over.classIndex, 1),
        },
      ]
    }
    const classMixPsi =
      liveCount === 0
        ? 0
        : psi(
            classMix.map((c) => c.training),
            classMix.map((c) => c.live),
          )
    // Whether so many windows can tell the mixes apart at all (counted as KS counts them): a
    // short recording of normal running has none of the training's fault classes by chance.
    const classMixP = chiSquareTwoSample(
      classMix.map((c) => c.training),
      trainCount,
      classMix.map((c) => c.live),
      liveCount,
      independence,
    ).p

    const inTraining = (
      trainedOn.length > 0 ? trainedOn : selectRecordings(project, held.datasetConfig.recordings)
    ).includes(recordingId)
    const judged = judge({
      features: featureDrift,
      axes,
      classMix,
      classMixPsi,
      classMixP,
      normalClassId: normalId,
      liveWindows: liveCount,
      strideMs,
    })
    return {
      recordingId,
      recordingName: recordingRow?.name ?? `recording ${recordingId}`,
      runId,
      windows: { live: liveCount, training: trainCount },
      inTraining,
      datasetChanged: held.datasetChanged,
      thresholds: { ...DRIFT_THRESHOLDS },
      features: featureDrift,
      axisTotals: axes.map((a) => ({
        stat: a.stat,
        feature: a.top.name,
        psi: a.top.psi,
        axisRatio: a.axisRatio,
        totalRatio: a.totalRatio,
        swap: isSwap(a),
      })),
      classMix,
      classMixPsi,
      classMixP,
      ...judged,
      seconds: (performance.now() - started) / 1000,
    }
  }
}

/** One feature's PSI, KS, moments, standardized shift and histogram, and its state. */
export function compareFeature(
  name: string,
  training: Float64Array,
  live: Float64Array,
  opts: { independence?: number; alpha?: number } = {},
): FeatureDrift {
  const { independence = 1, alpha = DRIFT_THRESHOLDS.ksAlpha } = opts
  const edges = decileEdges(training)
  const value = psi(binShares(training, edges), binShares(live, edges))
  const { d, p } = ksTwoSample(training, live, independence)
  const trainingMoments = { mean: meanOf(training), std: stdOf(training) }
  const liveMoments = { mean: meanOf(live), std: stdOf(live) }
  const spread = Math.max(trainingMoments.std, 1e-9 * Math.max(1, Math.abs(trainingMoments.mean)))
  const shown = histogram(training, live)
  return {
    name,
    psi: value,
    ks: d,
    ksP: p,
    state: stateOf(value, p, alpha),
    training: finite(trainingMoments),
    live: finite(liveMoments),
    shiftSigmas: Number.isFinite(liveMoments.mean)
      ? (liveMoments.mean - trainingMoments.mean) / spread
      : 0,
    histogram: {
      edges: shown.edges,
      scale: shown.scale,
      training: shown.reference,
      live: shown.live,
    },
  }
}

export function stateOf(
  psiValue: number,
  ksP: number,
  alpha: number = DRIFT_THRESHOLDS.ksAlpha,
): FeatureState {
  const { psiMoved, psiShift } = DRIFT_THRESHOLDS
  if (ksP >= alpha) return 'stable'
  if (psiValue >= psiMoved) return 'moved'
  if (psiValue >= psiShift) return 'shifting'
  return 'stable'
}

/**
 * `ax_band3` → ['ax', 'band3'], `acc_x_mean` → ['acc_x', 'mean'] (the statistic is the known
 * suffix, so channel names may hold underscores); a snapshot's name is its channel (statistic '').
 */
function partsOf(name: string): [string, string] {
  const match = /^(.+)_(band\d+|mean|std|min|max|rms|t\d+)$/.exec(name)
  return match ? [match[1]!, match[2]!] : [name, '']
}

/** How a statistic adds up over axes as energy: band energies as they are, levels squared. */
const ENERGY: Record<string, (v: number) => number> = {
  '': (v) => v * v,
  mean: (v) => v * v,
  std: (v) => v * v,
  rms: (v) => v * v,
}
const energyOf = (stat: string) => (/^band\d+$/.test(stat) ? (v: number) => v : ENERGY[stat])

/** One statistic over all axes: its most moved axis, and how much the total over axes moved. */
export interface AxisTotal {
  stat: string
  /** The most moved feature of the statistic. */
  top: FeatureDrift
  /** Median energy of that axis in the recording over the training split's (energy: see below). */
  axisRatio: number
  /** The same of the per-window total over all axes. */
  totalRatio: number
}

/**
 * For each statistic with two axes or more whose energy adds up over axes (band energies, the
 * squares of means, deviations and RMS), how its median energy changed on its most moved axis
 * and in total over the axes. A turned sensor moves gravity and vibration from one axis to
 * another but keeps the total (a rotation keeps lengths), so an axis changes while the total
 * stays; a changed machine changes both. Medians, so that fault episodes (the upper tail) do not
 * decide it.
 */
export function axisTotals(
  names: readonly string[],
  columns: readonly { training: Float64Array; live: Float64Array }[],
  drifts: readonly FeatureDrift[],
): AxisTotal[] {
  const groups = new Map<string, number[]>()
  names.forEach((name, f) => {
    const [, stat] = partsOf(name)
    if (!energyOf(stat)) return
    groups.set(stat, [...(groups.get(stat) ?? []), f])
  })
  const totals: AxisTotal[] = []
  for (const [stat, members] of groups) {
    if (members.length < 2) continue
    const energy = energyOf(stat)!
    const energies = (f: number, which: 'training' | 'live') =>
      Float64Array.from(columns[f]![which], (v) => energy(v))
    const sum = (which: 'training' | 'live') => {
      const out = new Float64Array(columns[members[0]!]![which].length)
      for (const f of members) {
        const column = energies(f, which)
        for (let w = 0; w < out.length; w++) out[w] = (out[w] as number) + (column[w] as number)
      }
      return out
    }
    const topIndex = members.reduce((best, f) => (drifts[f]!.psi > drifts[best]!.psi ? f : best))
    totals.push({
      stat,
      top: drifts[topIndex]!,
      axisRatio: medianRatio(energies(topIndex, 'training'), energies(topIndex, 'live')),
      totalRatio: medianRatio(sum('training'), sum('live')),
    })
  }
  return totals.sort((a, b) => b.top.psi - a.top.psi)
}

/** median(live) / median(training), both floored a hair above 0 (a level of 0 has energy 0). */
function medianRatio(training: Float64Array, live: Float64Array): number {
  const median = (v: Float64Array) => quantileOfSorted(Float64Array.from(v).sort(), 0.5)
  const floor = 1e-12
  return (Math.max(floor, median(live)) || floor) / (Math.max(floor, median(training)) || floor)
}

/**
 * An axis swap: the total over axes changed (as a log ratio of medians) less than this share of
 * the most moved axis, which changed by AXIS_MIN_RATIO or more.
 */
export const AXIS_SWAP_SHARE = 0.2
export const AXIS_MIN_RATIO = 1.5

/** Whether a statistic's axes swapped while its total stayed. */
export function isSwap(axis: AxisTotal): boolean {
  const axisChange = Math.abs(Math.log(axis.axisRatio))
  return (
    axisChange >= Math.log(AXIS_MIN_RATIO) &&
    Math.abs(Math.log(axis.totalRatio)) < AXIS_SWAP_SHARE * axisChange
  )
}

const times = (ratio: number) =>
  ratio >= 10
    ? Math.round(ratio).toLocaleString('en-US')
    : ratio < 0.1
      ? ratio.toPrecision(2)
      : ratio.toFixed(2)
const percent = (share: number) => `${Math.round(share * 100)}%`

export interface JudgeInput {
  /** Most moved first. */
  features: readonly FeatureDrift[]
  axes: readonly AxisTotal[]
  classMix: readonly ClassShare[]
  classMixPsi: number
  /** The chi-square p-value of the two mixes; the mix moved only under ksAlpha (absent: 0). */
  classMixP?: number
  /** The class of normal running (the recording's default class), if known. */
  normalClassId: number | null
  liveWindows: number
  strideMs: number
}

/** The verdict, what it points to, and the words for both. */
export function judge(
  input: JudgeInput,
): Pick<DriftReport, 'verdict' | 'cause' | 'summary' | 'nextStep'> {
  const { features, axes, classMix, classMixPsi, normalClassId, liveWindows, strideMs } = input
  const { ksAlpha, minWindows, psiMoved } = DRIFT_THRESHOLDS
  if (liveWindows < minWindows) {
    const moreS = Math.ceil(((minWindows - liveWindows) * strideMs) / 1000)
    return {
      verdict: 'too little data',
      cause: null,
      summary: `${liveWindows} windows are too few to compare with the training data (the check needs ${minWindows}).`,
      nextStep: `Record at least ${moreS} s more of the machine running, then check again.`,
    }
  }
  const moved = features.filter((f) => f.state === 'moved')
  // The fault class the model sees more of than training had, most grown first.
  const grown = classMix
    .filter((c) => c.classId !== normalClassId && c.live > c.training)
    .sort((a, b) => b.live - b.training - (a.live - a.training))[0]
  const mixMoved = classMixPsi >= psiMoved && (input.classMixP ?? 0) < ksAlpha
  const mixWords = mixMoved
    ? ` The model's calls differ from the training mix (${classMix
        .map((c) => `${c.name} ${percent(c.live)} against ${percent(c.training)}`)
        .join(', ')}).`
    : ''
  const names = (list: readonly FeatureDrift[]) =>
    list
      .slice(0, 3)
      .map((f) => f.name)
      .join(', ') + (list.length > 3 ? ` and ${list.length - 3} more` : '')
  // The statistic of the most moved feature that adds up over axes: if its total stayed (moved
  // a small share as much, or no more than a shift), the axes swapped.
  const lead = moved
    .map((f) => axes.find((a) => a.top.name === f.name))
    .find((a) => a !== undefined)
  if (lead && isSwap(lead)) {
    return {
      verdict: 'drift',
      cause: 'mounting',
      summary: `${moved.length} of ${features.length} features moved, led by ${lead.top.name} (PSI ${lead.top.psi.toFixed(2)}, energy ×${times(lead.axisRatio)}), but the total of ${lead.stat || 'the level'} over all axes stayed (×${times(lead.totalRatio)}): the vibration and gravity moved from one axis to another, as when the sensor is turned.${mixWords}`,
      nextStep:
        'The sensor may have moved: check its mounting and orientation, then record again. If it is meant to stay mounted this way, record and label data like this and retrain.',
    }
  }
  if (moved.length > 0) {
    return {
      verdict: 'drift',
      cause: 'condition',
      summary: `The vibration changed: ${moved.length} of ${features.length} features moved (${names(moved)}).${mixWords}`,
      nextStep:
        mixMoved && grown
          ? `Inspect the machine: the model calls ${percent(grown.live)} of the windows “${grown.name}” (${percent(grown.training)} in training). Then label this recording and retrain, so the model knows the condition.`
          : 'Record and label more of this condition, then retrain: the model has not seen data like it.',
    }
  }
  if (mixMoved) {
    return {
      verdict: 'drift',
      cause: 'class mix',
      summary: `The features look like the training data, but the class mix does not.${mixWords}`,
      nextStep:
        'Check the model’s calls on this recording in Label (suggest labels from this run): if they are right, the machine runs differently now; if not, label this recording and retrain.',
    }
  }
  const top = features[0]
  return {
    verdict: 'no drift',
    cause: null,
    summary: `This recording looks like the training data: no feature moved${
      top ? ` (the largest PSI is ${top.psi.toFixed(3)}, on ${top.name})` : ''
    }, and the class mix ${classMixPsi >= psiMoved ? 'differs no more than chance allows in so few windows' : 'matches'}.`,
    nextStep: 'Nothing to do: the model sees data like it trained on.',
  }
}

function shareOf(indices: Int32Array, k: number): number {
  if (indices.length === 0) return 0
  let count = 0
  for (const i of indices) if (i === k) count++
  return count / indices.length
}

function finite(m: { mean: number; std: number }): { mean: number; std: number } {
  return { mean: Number.isFinite(m.mean) ? m.mean : 0, std: Number.isFinite(m.std) ? m.std : 0 }
}
