/**
 * The two-sample statistics of the drift check (docs/drift.md): the population stability index
 * over bins at the reference's deciles, and the Kolmogorov-Smirnov statistic with its asymptotic
 * p-value. Pure functions of two samples; the reference is the training split.
 */

/** Shares below this count as this in the PSI (an empty bin would make it infinite). */
export const PSI_FLOOR = 1e-4

/**
 * Inner bin edges at the reference's deciles (9 at most; fewer where values repeat, none for a
 * constant feature: one bin then, so a constant that stays gives 0 and one that moves is caught
 * by its bin of equal values).
 */
export function decileEdges(reference: Float64Array, bins = 10): number[] {
  const sorted = Float64Array.from(reference).sort()
  const edges: number[] = []
  for (let q = 1; q < bins; q++) {
    const value = quantileOfSorted(sorted, q / bins)
    if (edges.length === 0 || value > (edges.at(-1) as number)) edges.push(value)
  }
  return edges
}

/** The shares of `values` in the bins (-∞, e0], (e0, e1], …, (e_last, ∞). */
export function binShares(values: Float64Array, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0)
  for (const v of values) {
    // Binary search for the first edge ≥ v.
    let lo = 0
    let hi = edges.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((edges[mid] as number) < v) lo = mid + 1
      else hi = mid
    }
    counts[lo] = (counts[lo] as number) + 1
  }
  return counts.map((c) => (values.length === 0 ? 0 : c / values.length))
}

/**
 * PSI = Σ (live − reference) · ln(live / reference) over the bins, each share floored at
 * PSI_FLOOR. 0 for equal distributions; by the usual reading, under 0.1 stable, 0.1 to 0.25 a
 * moderate shift, over 0.25 a significant one.
 */
export function psi(referenceShares: readonly number[], liveShares: readonly number[]): number {
  let sum = 0
  for (let b = 0; b < referenceShares.length; b++) {
    const r = Math.max(PSI_FLOOR, referenceShares[b] as number)
    const l = Math.max(PSI_FLOOR, liveShares[b] as number)
    sum += (l - r) * Math.log(l / r)
  }
  return sum
}

/**
 * The two-sample Kolmogorov-Smirnov statistic D (the largest gap between the two empirical CDFs)
 * and its asymptotic p-value (Kolmogorov's distribution at √(nm/(n+m)) · D, with Stephens'
 * small-sample correction). Overlapping windows are not independent: `independence` (stride over
 * window, at most 1) scales both sizes to the windows that share no sample. Windows further apart
 * still correlate (a fault episode lasts seconds), so the p-value stays optimistic: the check
 * reads it only beside the PSI, never alone.
 */
export function ksTwoSample(
  a: Float64Array,
  b: Float64Array,
  independence = 1,
): { d: number; p: number } {
  const n = a.length
  const m = b.length
  if (n === 0 || m === 0) return { d: 0, p: 1 }
  const x = Float64Array.from(a).sort()
  const y = Float64Array.from(b).sort()
  let i = 0
  let j = 0
  let d = 0
  while (i < n && j < m) {
    const v = Math.min(x[i] as number, y[j] as number)
    while (i < n && (x[i] as number) <= v) i++
    while (j < m && (y[j] as number) <= v) j++
    d = Math.max(d, Math.abs(i / n - j / m))
  }
  // The samples' effective sizes: overlapping windows count as the share of them that do not.
  const ne = Math.max(1, n * independence)
  const me = Math.max(1, m * independence)
  const en = Math.sqrt((ne * me) / (ne + me))
  return { d, p: kolmogorovQ((en + 0.12 + 0.11 / en) * d) }
}

/** P(K > λ) for Kolmogorov's distribution: 2 Σ (−1)^(k−1) e^(−2k²λ²). */
export function kolmogorovQ(lambda: number): number {
  if (lambda < 0.2) return 1
  let sum = 0
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda)
    sum += term
    if (Math.abs(term) < 1e-12) break
  }
  return Math.min(1, Math.max(0, sum))
}

/** The q-quantile of sorted values, linearly interpolated (q in [0, 1]). */
export function quantileOfSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN
  const at = q * (sorted.length - 1)
  const lo = Math.floor(at)
  const hi = Math.min(sorted.length - 1, lo + 1)
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo)
}

/** A histogram of positive values spanning more than this ratio is drawn on a log scale. */
export const LOG_SPAN = 100

export interface Histogram {
  /** bins + 1 edges, of equal width (or equal ratio, on a log scale). */
  edges: number[]
  scale: 'linear' | 'log'
  reference: number[]
  live: number[]
}

/**
 * Both samples' shares in equal-width bins over the span of the two together, trimmed to their
 * 0.5th to 99.5th percentiles so one outlier does not squash the chart (values outside count in
 * the end bins). Positive values spanning more than LOG_SPAN (band energies) get bins of equal
 * ratio instead, so a tenfold change is as wide at any level.
 */
export function histogram(reference: Float64Array, live: Float64Array, bins = 24): Histogram {
  const all = new Float64Array(reference.length + live.length)
  all.set(reference)
  all.set(live, reference.length)
  all.sort()
  let lo = quantileOfSorted(all, 0.005)
  let hi = quantileOfSorted(all, 0.995)
  if (!(hi > lo)) {
    const pad = Math.abs(lo) * 0.05 || 0.5
    lo -= pad
    hi += pad
  }
  const log = lo > 0 && hi / lo > LOG_SPAN
  const at = log ? Math.log : (v: number) => v
  const from = at(lo)
  const width = (at(hi) - from) / bins
  const edges = Array.from({ length: bins + 1 }, (_, k) =>
    log ? Math.exp(from + k * width) : from + k * width,
  )
  const shares = (values: Float64Array) => {
    const counts = new Array<number>(bins).fill(0)
    for (const v of values) {
      const x = log ? Math.log(Math.max(v, lo)) : v
      const k = Math.min(bins - 1, Math.max(0, Math.floor((x - from) / width)))
      counts[k] = (counts[k] as number) + 1
    }
    return counts.map((c) => (values.length === 0 ? 0 : c / values.length))
  }
  return { edges, scale: log ? 'log' : 'linear', reference: shares(reference), live: shares(live) }
}

export function meanOf(values: Float64Array): number {
  let sum = 0
  for (const v of values) sum += v
  return values.length === 0 ? NaN : sum / values.length
}

export function stdOf(values: Float64Array): number {
  const mean = meanOf(values)
  let sum = 0
  for (const v of values) sum += (v - mean) * (v - mean)
  return values.length === 0 ? NaN : Math.sqrt(sum / values.length)
}

/**
 * Pearson's chi-square test that two samples' class shares come from one mix (a 2 × k table of
 * counts), with both sizes scaled by `independence` as in ksTwoSample; classes that neither
 * sample has are left out. Windows of one fault episode agree with each other, so the p-value is
 * as optimistic as KS's: it keeps a handful of windows from deciding the class mix, no more.
 */
export function chiSquareTwoSample(
  aShares: readonly number[],
  aCount: number,
  bShares: readonly number[],
  bCount: number,
  independence = 1,
): { chi2: number; p: number } {
  if (aCount === 0 || bCount === 0) return { chi2: 0, p: 1 }
  const na = Math.max(1, aCount * independence)
  const nb = Math.max(1, bCount * independence)
  let chi2 = 0
  let classes = 0
  for (let k = 0; k < aShares.length; k++) {
    const oa = (aShares[k] ?? 0) * na
    const ob = (bShares[k] ?? 0) * nb
    if (oa + ob <= 0) continue
    classes++
    const ea = ((oa + ob) * na) / (na + nb)
    const eb = ((oa + ob) * nb) / (na + nb)
    chi2 += (oa - ea) ** 2 / ea + (ob - eb) ** 2 / eb
  }
  return { chi2, p: classes < 2 ? 1 : chiSquareQ(chi2, classes - 1) }
}

/** P(X > x) for the chi-square distribution with `df` degrees of freedom. */
export function chiSquareQ(x: number, df: number): number {
  if (!(x > 0)) return 1
  return Math.min(1, Math.max(0, upperGammaQ(df / 2, x / 2)))
}

/**
 * The regularized upper incomplete gamma function Q(s, x): a series below s + 1, else Lentz's
 * continued fraction.
 */
function upperGammaQ(s: number, x: number): number {
  const front = Math.exp(-x + s * Math.log(x) - logGamma(s))
  if (x < s + 1) {
    let term = 1 / s
    let sum = term
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-15; n++) {
      term *= x / (s + n)
      sum += term
    }
    return 1 - sum * front
  }
  const tiny = 1e-300
  let b = x + 1 - s
  let c = 1 / tiny
  let d = 1 / b
  let h = d
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - s)
    b += 2
    d = an * d + b
    if (Math.abs(d) < tiny) d = tiny
    c = b + an / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const step = d * c
    h *= step
    if (Math.abs(step - 1) < 1e-15) break
  }
  return front * h
}

/** ln Γ(s) for s > 0 (Lanczos, g = 7). */
function logGamma(s: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ]
  if (s < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * s))) - logGamma(1 - s)
  const z = s - 1
  let a = g[0] as number
  for (let k = 1; k < 9; k++) a += (g[k] as number) / (z + k)
  const t = z + 7.5
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a)
}
