/** Formatting shared by the CLI and the renderer, so both say the same thing the same way. */

/** h:mm:ss.mmm (hours only when needed), as UX.md asks for durations. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–'
  const totalMs = Math.round(seconds * 1000)
  const ms = totalMs % 1000
  const s = Math.floor(totalMs / 1000) % 60
  const m = Math.floor(totalMs / 60_000) % 60
  const h = Math.floor(totalMs / 3_600_000)
  const mmss = `${String(m).padStart(h > 0 ? 2 : 1, '0')}:${String(s).padStart(2, '0')}.${String(ms).padStart(3, '0')}`
  return h > 0 ? `${h}:${mmss}` : mmss
}

export function formatRate(hz: number | null): string {
  if (hz === null || !Number.isFinite(hz)) return '–'
  if (hz >= 1000) return `${(hz / 1000).toFixed(hz % 1000 === 0 ? 0 : 2)} kHz`
  return `${Number.isInteger(hz) ? hz : hz.toFixed(1)} Hz`
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`
}
