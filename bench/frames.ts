/** Frame intervals of a page in Chromium (requestAnimationFrame), for the UI benchmarks. */
import type { Page } from '@playwright/test'

const MEASURE_MS = 5000

/** Collects requestAnimationFrame intervals in the page (plain source: no bundler helpers). */
const FRAME_INTERVALS = `(ms) => new Promise((resolve) => {
  const intervals = []
  let last = performance.now()
  const end = last + ms
  const frame = (now) => {
    intervals.push(now - last)
    last = now
    if (now < end) requestAnimationFrame(frame)
    else resolve(intervals)
  }
  requestAnimationFrame(frame)
})`

export async function frameIntervals(page: Page): Promise<number[]> {
  return page.evaluate(`(${FRAME_INTERVALS})(${MEASURE_MS})`) as Promise<number[]>
}

export function frameStats(intervals: number[]) {
  const sorted = [...intervals].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  return {
    frames: intervals.length,
    fps: Number((intervals.length / (MEASURE_MS / 1000)).toFixed(1)),
    medianMs: Number(at(0.5).toFixed(2)),
    p95Ms: Number(at(0.95).toFixed(2)),
    maxMs: Number(at(1).toFixed(2)),
    over50Ms: intervals.filter((i) => i > 50).length,
  }
}
