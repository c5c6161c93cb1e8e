import type { WindowBounds } from './settings.js'

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

const DEFAULT_SIZE = { width: 1440, height: 900 }

/**
 * Where to put the main window: the remembered bounds if most of the window is still on a
 * display (monitors get unplugged), otherwise a default size centred on the first display.
 */
export function fitBounds(saved: WindowBounds | null, displays: Rect[]): Rect {
  const primary = displays[0] ?? { x: 0, y: 0, ...DEFAULT_SIZE }
  if (saved) {
    const visible = displays.some((d) => overlapArea(saved, d) >= 0.5 * saved.width * saved.height)
    if (visible) return { x: saved.x, y: saved.y, width: saved.width, height: saved.height }
  }
  const width = Math.min(DEFAULT_SIZE.width, primary.width)
  const height = Math.min(DEFAULT_SIZE.height, primary.height)
  return {
    x: Math.round(primary.x + (primary.width - width) / 2),
    y: Math.round(primary.y + (primary.height - height) / 2),
    width,
    height,
  }
}

function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  return w > 0 && h > 0 ? w * h : 0
}
