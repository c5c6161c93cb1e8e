export type TimeUnit = 's' | 'ms' | 'us'

export const MICROSECONDS_PER: Record<TimeUnit, number> = { s: 1e6, ms: 1e3, us: 1 }

/** `timestamp`, `time`, `t` or `ts`, with an optional unit: `_ms`, ` (ms)`, `[s]`, ... */
const TIME_HEADER = /^(?:timestamp|time|t|ts)(?:_(ms|us|s)|\s*[([](ms|us|µs|s)[)\]])?$/i

export interface TimeColumn {
  index: number
  /** From the header; null when the header gives none and it must be inferred. */
  unit: TimeUnit | null
}

/** The first column whose header names a time, if any. */
export function findTimeColumn(names: readonly string[]): TimeColumn | null {
  for (const [index, name] of names.entries()) {
    const match = TIME_HEADER.exec(name.trim())
    if (!match) continue
    const unit = (match[1] ?? match[2])?.toLowerCase().replace('µ', 'u')
    return { index, unit: (unit as TimeUnit | undefined) ?? null }
  }
  return null
}

/**
 * The unit of a time column without one in its header. Absolute Unix times tell by magnitude
 * (seconds since 1973 are above 1e8); relative times by their median step: below 1 is seconds,
 * up to 1000 milliseconds (1 Hz to 1 kHz and faster, the usual Edge Impulse CSV), above that
 * microseconds. A header suffix (`timestamp_ms`) removes the guess.
 */
export function inferTimeUnit(first: number, medianStep: number): TimeUnit {
  if (first >= 1e8) return first < 1e11 ? 's' : first < 1e14 ? 'ms' : 'us'
  if (medianStep < 1) return 's'
  return medianStep <= 1000 ? 'ms' : 'us'
}

const MEDIAN_STEPS = 10_001

/** The median step between consecutive times, from the first few thousand. */
export function medianStep(times: Iterable<Float64Array>): number {
  const sample: number[] = []
  let previous: number | undefined
  outer: for (const chunk of times) {
    for (const t of chunk) {
      if (previous !== undefined) sample.push(t - previous)
      previous = t
      if (sample.length === MEDIAN_STEPS) break outer
    }
  }
  sample.sort((a, b) => a - b)
  return sample[Math.floor(sample.length / 2)] ?? 0
}
