import type { Diagnosis, EpochPoint } from '../../src-preload/contract/index.js'

/** Epochs the validation loss must rise (while the training loss falls) to call it overfitting. */
const RISING_EPOCHS = 4
/** Below this accuracy on both splits after a while, the model has not learned enough. */
const LOW_ACCURACY = 0.7
const EPOCHS_BEFORE_JUDGING = 8

/**
 * How a run's curves look, in plain words with what to try: overfitting when the validation loss
 * rose for several epochs while the training loss fell; underfitting when both stay poor.
 */
export function diagnose(curves: readonly EpochPoint[]): Diagnosis | null {
  const last = curves.at(-1)
  if (!last) return null
  const withVal = curves.filter((p) => p.valLoss !== null)
  const recent = withVal.slice(-(RISING_EPOCHS + 1))
  if (recent.length === RISING_EPOCHS + 1) {
    const valRising = recent.every(
      (p, i) => i === 0 || (p.valLoss as number) > (recent[i - 1]?.valLoss as number),
    )
    const trainFalling = (recent.at(-1) as EpochPoint).loss < (recent[0] as EpochPoint).loss
    if (valRising && trainFalling) {
      return {
        kind: 'overfitting',
        message:
          `Overfitting: the validation loss rose for ${RISING_EPOCHS} epochs while the training ` +
          'loss kept falling, so the model is learning the training windows rather than the ' +
          'machine. Try more data (record and label more), augmentation, dropout or L2, or a ' +
          'smaller model. Early stopping keeps the best epoch.',
      }
    }
  }
  if (curves.length >= EPOCHS_BEFORE_JUDGING) {
    const valAccuracy = last.valAccuracy ?? last.accuracy
    if (last.accuracy < LOW_ACCURACY && valAccuracy < LOW_ACCURACY) {
      return {
        kind: 'underfitting',
        message:
          `Underfitting: after ${curves.length} epochs the model is right on only ` +
          `${Math.round(last.accuracy * 100)}% of the training windows. Try a larger model ` +
          '(more units or filters), more epochs, a higher learning rate, or features that ' +
          'show the difference between the classes (spectral bands for vibration).',
      }
    }
  }
  const best = withVal.reduce<EpochPoint | null>(
    (b, p) => (b === null || (p.valLoss as number) < (b.valLoss as number) ? p : b),
    null,
  )
  if (best && last.epoch - best.epoch >= 2) {
    return {
      kind: 'converged',
      message:
        `Converged: the validation loss was lowest at epoch ${best.epoch} and has not improved ` +
        'since. More epochs will not help; more or better data will.',
    }
  }
  return {
    kind: 'learning',
    message: 'Learning: the validation loss is still falling.',
  }
}
