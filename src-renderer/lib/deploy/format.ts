import type { Verification } from '../../../src-preload/contract/index'
import { formatCount, plural } from '../../../src-preload/format'

/** The runtimes that gave exactly TinyLoop's int8 output bytes, in the check's order. */
export function identicalIn(verification: Verification | null): string[] {
  return (verification?.runtimes ?? [])
    .filter((r) => r.status === 'identical')
    .map((r) => r.runtime)
}

/** The file may be called verified: some runtime agreed on every byte and none disagreed. */
export function isVerified(verification: Verification | null): boolean {
  return (
    identicalIn(verification).length > 0 &&
    !verification?.runtimes.some((r) => r.status === 'different')
  )
}

/** Names joined as a sentence says them: `A`, `A and B`, `A, B and C`. */
export function andList(names: readonly string[]): string {
  return names.length < 2
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} and ${names.at(-1) as string}`
}

/** An estimated latency, to the precision an estimate has: `0.26 ms`, `4.1 ms`, `38 ms`. */
export function formatLatency(ms: number): string {
  const digits = ms < 1 ? 2 : ms < 10 ? 1 : 0
  return `${ms.toFixed(digits)} ms`
}

/** A quantization scale: a power of two as the fraction it is (`1/256`), else 4 significant digits. */
export function formatScale(scale: number): string {
  const inverse = 1 / scale
  if (Number.isInteger(inverse) && Number.isInteger(Math.log2(inverse))) return `1/${inverse}`
  return scale.toPrecision(4)
}

/** A board's name and, apart, what its parentheses say (`SAMD21`, `Cortex-M0+, 32 KB RAM`). */
export function boardName(name: string): { name: string; detail: string | null } {
  const match = /^(.*?) \((.*)\)$/.exec(name)
  return match ? { name: match[1] as string, detail: match[2] as string } : { name, detail: null }
}

/**
 * Bytes in whole KB of 1,024, as boards' datasheets count them: what a model needs rounded up,
 * what a board has rounded down (as `tinyloop card` prints them).
 */
export function formatKB(bytes: number, round: 'up' | 'down'): string {
  return `${formatCount((round === 'up' ? Math.ceil : Math.floor)(bytes / 1024))} KB`
}

/** A model's size in the same KB, to a tenth: `3.9 KB`; under 1 KB in bytes. */
export function formatSize(bytes: number): string {
  return bytes < 1024 ? plural(bytes, 'byte') : `${(bytes / 1024).toFixed(1)} KB`
}
