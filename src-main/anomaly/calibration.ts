/**
 * Anomaly scores to decisions (docs/anomaly.md): a threshold from the normal validation windows
 * (a percentile: the 99th gives about 1% false alarms) or, where anomalies are labeled, the one
 * that maximizes F1 on validation; and the measures of a threshold: ROC and its AUC, precision,
 * recall, F1, false alarms per hour of normal running. A score above the threshold is an anomaly.
 */

/** The q-quantile (0..1) of the scores, linearly interpolated between order statistics. */
export function percentileThreshold(normalScores: ArrayLike<number>, q = 0.99): number {
  if (normalScores.length === 0) throw new Error('No normal windows to calibrate on.')
  const sorted = Float64Array.from(normalScores).sort()
  const at = Math.min(1, Math.max(0, q)) * (sorted.length - 1)
  const lo = Math.floor(at)
  const hi = Math.min(sorted.length - 1, lo + 1)
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo)
}

export interface Confusion {
  truePositives: number
  falsePositives: number
  trueNegatives: number
  falseNegatives: number
  precision: number
  recall: number
  f1: number
}

/** The counts and measures at `threshold` (`anomalous[i]`: window i is a labeled anomaly). */
export function confusionAt(
  scores: ArrayLike<number>,
  anomalous: ArrayLike<boolean>,
  threshold: number,
): Confusion {
  let tp = 0
  let fp = 0
  let tn = 0
  let fn = 0
  for (let i = 0; i < scores.length; i++) {
    const flagged = (scores[i] as number) > threshold
    if (anomalous[i]) {
      if (flagged) tp++
      else fn++
    } else if (flagged) fp++
    else tn++
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp)
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn)
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
  return {
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
    precision,
    recall,
    f1,
  }
}

/**
 * The threshold with the best F1 on labeled windows: each distinct score is tried as the last
 * one still normal; among equal F1, the highest threshold (fewer false alarms). Null without
 * anomalies or without normal windows.
 */
export function f1Threshold(
  scores: ArrayLike<number>,
  anomalous: ArrayLike<boolean>,
): { threshold: number; f1: number } | null {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  )
  const positives = order.filter((i) => anomalous[i]).length
  if (positives === 0 || positives === order.length) return null
  let best: { threshold: number; f1: number } | null = null
  let tp = 0
  let fp = 0
  // Walking down from the highest score: everything above index k is flagged.
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number
    if (anomalous[i]) tp++
    else fp++
    const next = order[k + 1]
    const score = scores[i] as number
    // Cut only between distinct scores: the threshold sits on the next lower one.
    if (next !== undefined && (scores[next] as number) === score) continue
    const threshold =
      next === undefined ? score - Math.abs(score) * 1e-9 - 1e-12 : (scores[next] as number)
    const precision = tp / (tp + fp)
    const recall = tp / positives
    const f1 = (2 * precision * recall) / (precision + recall)
    if (!best || f1 > best.f1 + 1e-12) best = { threshold, f1 }
  }
  return best
}

export interface Roc {
  /** False and true positive rates, from (0, 0) to (1, 1), one point per distinct score. */
  fpr: number[]
  tpr: number[]
  /** The area under the curve: the chance that an anomaly scores above a normal window (ties half). */
  auc: number
}

/** The ROC curve of the scores against the labels; null without both kinds of window. */
export function roc(scores: ArrayLike<number>, anomalous: ArrayLike<boolean>): Roc | null {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  )
  const positives = order.filter((i) => anomalous[i]).length
  const negatives = order.length - positives
  if (positives === 0 || negatives === 0) return null
  const fpr = [0]
  const tpr = [0]
  let tp = 0
  let fp = 0
  let auc = 0
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number
    if (anomalous[i]) tp++
    else fp++
    const next = order[k + 1]
    if (next !== undefined && (scores[next] as number) === (scores[i] as number)) continue
    const x = fp / negatives
    const y = tp / positives
    // Trapezoids: a run of tied scores is a diagonal step, worth half.
    auc += ((x - (fpr.at(-1) as number)) * (y + (tpr.at(-1) as number))) / 2
    fpr.push(x)
    tpr.push(y)
  }
  return { fpr, tpr, auc }
}

/**
 * False alarms per hour of normal running: the normal windows flagged, over the hours they
 * cover (windows start `strideS` apart, so n windows cover n · strideS seconds).
 */
export function falseAlarmsPerHour(
  normalScores: ArrayLike<number>,
  threshold: number,
  strideS: number,
): number {
  if (normalScores.length === 0) return 0
  let flagged = 0
  for (let i = 0; i < normalScores.length; i++)
    if ((normalScores[i] as number) > threshold) flagged++
  return flagged / ((normalScores.length * strideS) / 3600)
}
