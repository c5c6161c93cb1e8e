import type { SplitMetrics } from '../../src-preload/contract/index.js'

/**
 * Accuracy, loss, per-class precision, recall and F1, and the confusion matrix of predictions
 * (`probabilities`: windows × classes) against the true class indices. A class that is never
 * predicted has precision 0; one with no windows has recall 0 (and support 0).
 */
export function evaluate(
  probabilities: Float32Array,
  truth: ArrayLike<number>,
  classNames: readonly string[],
): SplitMetrics {
  const k = classNames.length
  const n = truth.length
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  let correct = 0
  let loss = 0
  for (let i = 0; i < n; i++) {
    const actual = truth[i] as number
    const predicted = argmax(probabilities, i * k, k)
    const row = matrix[actual] as number[]
    row[predicted] = (row[predicted] as number) + 1
    if (predicted === actual) correct++
    loss -= Math.log(Math.max(probabilities[i * k + actual] as number, 1e-7))
  }
  const perClass = classNames.map((className, c) => {
    const row = matrix[c] as number[]
    const support = row.reduce((a, b) => a + b, 0)
    const predictedAs = matrix.reduce((sum, r) => sum + (r[c] as number), 0)
    const hits = row[c] as number
    const precision = predictedAs === 0 ? 0 : hits / predictedAs
    const recall = support === 0 ? 0 : hits / support
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
    return { className, precision, recall, f1, support }
  })
  return {
    accuracy: n === 0 ? 0 : correct / n,
    loss: n === 0 ? 0 : loss / n,
    windows: n,
    perClass,
    confusion: { classes: [...classNames], matrix },
  }
}

/** The index of the largest of `count` values from `offset` (the first one on ties). */
export function argmax(values: ArrayLike<number>, offset: number, count: number): number {
  let best = 0
  for (let c = 1; c < count; c++) {
    if ((values[offset + c] as number) > (values[offset + best] as number)) best = c
  }
  return best
}
