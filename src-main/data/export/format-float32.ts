/**
 * The shortest decimal that reads back as the same float32: stored samples are float32, and
 * printing their float64 value would turn 0.1 into 0.10000000149011612.
 */
export function formatFloat32(value: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const text = value.toPrecision(digits)
    if (Math.fround(Number(text)) === value) return String(Number(text))
  }
  return String(Number(value.toPrecision(9)))
}

/** A time in µs as milliseconds, to the nanosecond (the resolution imports keep). */
export function formatMilliseconds(us: number): string {
  return String(Number((us / 1000).toFixed(6)))
}
