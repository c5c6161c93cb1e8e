/**
 * An anomaly model's evaluation (docs/anomaly.md): its scores of every window, the split each
 * window is judged in, a threshold calibrated on validation, and the measures on validation and
 * test: AUC, precision, recall and F1 at the threshold, false alarms per hour of normal running,
 * the ROC curve and the score histograms of normal and anomalous windows.
 */
import {
  confusionAt,
  f1Threshold,
  falseAlarmsPerHour,
  percentileThreshold,
  roc,
} from './calibration.js'

/** How the threshold is chosen: a percentile of the normal validation scores, or the best F1. */
export type ThresholdChoice = { kind: 'percentile'; percentile: number } | { kind: 'f1' }

export interface AnomalySplitMetrics {
  normalWindows: number
  anomalousWindows: number
  /** Null without both kinds of window. */
  auc: number | null
  precision: number
  recall: number
  f1: number
  falseAlarmsPerHour: number
  /** Normal windows flagged, of all normal windows. */
  falseAlarmRate: number
}

export interface ScoreHistogram {
  /** bins + 1 edges over both kinds: of equal width, or of equal ratio (`log`). */
  edges: number[]
  scale: 'linear' | 'log'
  normal: number[]
  anomalous: number[]
}

export interface AnomalyEvaluation {
  threshold: number
  /** What chose it, and why another was used where the asked one could not be. */
  thresholdKind: 'percentile' | 'f1'
  thresholdNote: string | null
  val: AnomalySplitMetrics
  test: AnomalySplitMetrics
  /** Test ROC, thinned to at most 200 points; null without anomalies in test. */
  roc: { fpr: number[]; tpr: number[] } | null
  /** Validation and test scores together, normal against anomalous. */
  histogram: ScoreHistogram
}

/**
 * Moves the training split's anomalous windows to validation and test, episode by episode (a run
 * of consecutive anomalous windows goes whole to one of them, alternately), so the model trains
 * on normal windows only and every labeled anomaly is evaluated. Returns the new splits.
 */
export function anomalySplits(split: Uint8Array, anomalous: ArrayLike<boolean>): Uint8Array {
  const out = Uint8Array.from(split)
  let episode = 0
  let inEpisode = false
  for (let i = 0; i < split.length; i++) {
    const moved = split[i] === 0 && anomalous[i] === true
    if (moved) {
      if (!inEpisode) episode++
      out[i] = episode % 2 === 1 ? 1 : 2
    }
    inEpisode = moved
  }
  return out
}

export function evaluateAnomaly(opts: {
  scores: ArrayLike<number>
  anomalous: ArrayLike<boolean>
  /** After anomalySplits: 0 training (normal only), 1 validation, 2 test. */
  split: ArrayLike<number>
  choice: ThresholdChoice
  /** Seconds between window starts: n normal windows cover n · strideS. */
  strideS: number
}): AnomalyEvaluation {
  const { scores, anomalous, split, choice, strideS } = opts
  const of = (s: number) => {
    const idx: number[] = []
    for (let i = 0; i < split.length; i++) if (split[i] === s) idx.push(i)
    return {
      scores: idx.map((i) => scores[i] as number),
      anomalous: idx.map((i) => anomalous[i] === true),
    }
  }
  const val = of(1)
  const test = of(2)
  const valNormal = val.scores.filter((_, i) => !val.anomalous[i])
  const fallback = of(0).scores
  let threshold: number
  let thresholdKind: 'percentile' | 'f1' = choice.kind
  let thresholdNote: string | null = null
  const percentile = choice.kind === 'percentile' ? choice.percentile : 99
  const byPercentile = () =>
    percentileThreshold(valNormal.length > 0 ? valNormal : fallback, percentile / 100)
  if (choice.kind === 'f1') {
    const best = f1Threshold(val.scores, val.anomalous)
    if (best) threshold = best.threshold
    else {
      threshold = byPercentile()
      thresholdKind = 'percentile'
      thresholdNote = `No labeled anomalies in validation to tune F1 on: the ${percentile}th percentile of the normal validation scores instead.`
    }
  } else threshold = byPercentile()
  if (valNormal.length === 0) {
    thresholdNote = `No normal validation windows: the ${percentile}th percentile of the training scores.`
  }
  return {
    threshold,
    thresholdKind,
    thresholdNote,
    val: splitMetrics(val, threshold, strideS),
    test: splitMetrics(test, threshold, strideS),
    roc: thin(roc(test.scores, test.anomalous)),
    histogram: scoreHistogram(
      [...val.scores, ...test.scores],
      [...val.anomalous, ...test.anomalous],
    ),
  }
}

function splitMetrics(
  set: { scores: number[]; anomalous: boolean[] },
  threshold: number,
  strideS: number,
): AnomalySplitMetrics {
  const normal = set.scores.filter((_, i) => !set.anomalous[i])
  const confusion = confusionAt(set.scores, set.anomalous, threshold)
  return {
    normalWindows: normal.length,
    anomalousWindows: set.scores.length - normal.length,
    auc: roc(set.scores, set.anomalous)?.auc ?? null,
    precision: confusion.precision,
    recall: confusion.recall,
    f1: confusion.f1,
    falseAlarmsPerHour: falseAlarmsPerHour(normal, threshold, strideS),
    falseAlarmRate: normal.length === 0 ? 0 : confusion.falsePositives / normal.length,
  }
}

const MAX_ROC_POINTS = 200

function thin(curve: ReturnType<typeof roc>): AnomalyEvaluation['roc'] {
  if (!curve) return null
  const n = curve.fpr.length
  if (n <= MAX_ROC_POINTS) return { fpr: curve.fpr, tpr: curve.tpr }
  const keep = Array.from({ length: MAX_ROC_POINTS }, (_, k) =>
    Math.round((k * (n - 1)) / (MAX_ROC_POINTS - 1)),
  )
  return {
    fpr: keep.map((i) => curve.fpr[i] as number),
    tpr: keep.map((i) => curve.tpr[i] as number),
  }
}

/**
 * The scores in bins from the lowest to the highest: of equal ratio where all are positive and
 * span a hundredfold or more (distances and errors: faults score orders of magnitude above normal
 * running), else of equal width.
 */
export function scoreHistogram(scores: number[], anomalous: boolean[], bins = 40): ScoreHistogram {
  let lo = Infinity
  let hi = -Infinity
  for (const s of scores) {
    if (s < lo) lo = s
    if (s > hi) hi = s
  }
  if (!Number.isFinite(lo)) {
    lo = 0
    hi = 1
  }
  const log = lo > 0 && hi / lo >= 100
  const at = log ? Math.log : (v: number) => v
  const from = at(lo)
  const span = at(hi) - from || 1
  const width = span / bins
  const edges = Array.from({ length: bins + 1 }, (_, k) =>
    log ? Math.exp(from + k * width) : from + k * width,
  )
  const normal = new Array<number>(bins).fill(0)
  const flagged = new Array<number>(bins).fill(0)
  scores.forEach((s, i) => {
    const k = Math.min(bins - 1, Math.max(0, Math.floor((at(Math.max(s, lo)) - from) / width)))
    if (anomalous[i]) flagged[k] = (flagged[k] as number) + 1
    else normal[k] = (normal[k] as number) + 1
  })
  return { edges, scale: log ? 'log' : 'linear', normal, anomalous: flagged }
}
