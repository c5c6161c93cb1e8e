import type { LoopScore } from '../../../src-preload/contract/index'

/** A test score as the Deploy view words it: "90.2% of 82 windows". */
export function scoreText(score: LoopScore): string {
  return score.testAccuracy === null
    ? 'no test windows'
    : `${(score.testAccuracy * 100).toFixed(1)}% of ${score.testWindows} windows`
}

/** Seconds as "0.4 s" or "12 s". */
export const secondsText = (s: number) => (s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`)
