import { formatDuration } from '../../src-preload/format.js'

/**
 * A region for people: "12.3–14.0 s" (more decimals for regions shorter than a second, "0.120–
 * 0.180 s"), or "1:02.300–1:04.000" past the first minute.
 */
export function formatSpan(startUs: number, endUs: number): string {
  const start = startUs / 1e6
  const end = endUs / 1e6
  if (end >= 60) return `${formatDuration(start)}–${formatDuration(end)}`
  const decimals = end - start >= 1 ? 1 : end - start >= 0.1 ? 2 : 3
  return `${start.toFixed(decimals)}–${end.toFixed(decimals)} s`
}

/** A time in ms as text that reads back as the same number (no exponent, no rounding). */
export function formatMs(us: number): string {
  const ms = us / 1000
  const text = String(ms)
  return /e/i.test(text) ? ms.toFixed(6).replace(/\.?0+$/, '') : text
}
