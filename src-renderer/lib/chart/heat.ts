import { OKABE_ITO } from './palette'

const RIGHT = OKABE_ITO[0] // blue
const WRONG = OKABE_ITO[5] // vermillion

/**
 * A heatmap cell's colour for a share in [0, 1]: a tint of blue for what the model got right,
 * of vermillion for what it got wrong (both Okabe-Ito, apart for every kind of colour blindness),
 * from pale to full; and the text colour (black or white) with the higher contrast on it. The
 * colours are opaque and the same in both themes, so the text contrast holds in either.
 */
export function heatColor(share: number, right: boolean): { fill: string; text: string } {
  const hue = rgb(right ? RIGHT : WRONG)
  const t = 0.12 + 0.88 * Math.min(1, Math.max(0, share))
  const mixed = hue.map((c) => Math.round(255 + (c - 255) * t)) as [number, number, number]
  const l = luminance(mixed)
  // Contrast with white is 1.05 / (l + 0.05), with black (l + 0.05) / 0.05.
  const text = 1.05 / (l + 0.05) > (l + 0.05) / 0.05 ? '#ffffff' : '#000000'
  return { fill: `rgb(${mixed.join(' ')})`, text }
}

function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

/** WCAG relative luminance. */
function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => {
    const s = c / 255
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}
