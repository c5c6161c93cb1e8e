import { BUCKETS_PER_PARENT, combineBuckets } from './envelope-math.js'
import type { Bucket } from './envelope-math.js'

export interface LeveledBucket {
  level: number
  bucket: Bucket
}

/**
 * Builds the coarser envelope levels of one stream as its level-0 buckets arrive: a bucket of
 * level L + 1 is emitted as soon as 8 buckets of level L are complete, so memory stays at fewer
 * than 8 buckets per level. `finish()` closes the trailing partial groups so that the top level
 * is a single bucket covering every sample.
 */
export class EnvelopeBuilder {
  /** pending[L]: buckets of level L not yet covered by a bucket of level L + 1. */
  readonly #pending: Bucket[][] = []
  /** counts[L]: buckets of level L seen so far, emitted or pending. */
  readonly #counts: number[] = []
  readonly #channelCount: number

  constructor(channelCount: number) {
    this.#channelCount = channelCount
  }

  /** Takes the next level-0 bucket and returns the buckets of levels >= 1 it completes. */
  add(bucket: Bucket): LeveledBucket[] {
    const completed: LeveledBucket[] = []
    let level = 0
    let next = bucket
    for (;;) {
      const pending = this.#keep(level, next)
      if (pending.length < BUCKETS_PER_PARENT) return completed
      next = this.#close(level, completed)
      level++
    }
  }

  /** Returns the partial buckets that complete the pyramid; the builder is spent afterwards. */
  finish(): LeveledBucket[] {
    const completed: LeveledBucket[] = []
    for (let level = 0; ; level++) {
      const isTop = level >= this.#counts.length - 1 && (this.#counts[level] ?? 0) <= 1
      if (isTop) return completed
      if ((this.#pending[level]?.length ?? 0) > 0) {
        this.#keep(level + 1, this.#close(level, completed))
      }
    }
  }

  #keep(level: number, bucket: Bucket): Bucket[] {
    const pending = (this.#pending[level] ??= [])
    pending.push(bucket)
    this.#counts[level] = (this.#counts[level] ?? 0) + 1
    return pending
  }

  /** Combines the pending buckets of `level` into one bucket of level + 1 and reports it. */
  #close(level: number, completed: LeveledBucket[]): Bucket {
    const parent = combineBuckets(this.#pending[level] ?? [], this.#channelCount)
    this.#pending[level] = []
    completed.push({ level: level + 1, bucket: parent })
    return parent
  }
}
