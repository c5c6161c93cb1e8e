import uPlot from 'uplot'

/** A model's suggested region as the timeline draws it: hatched and dashed, apart from labels. */
export interface DrawnSuggestion {
  startUs: number
  endUs: number
  color: string
  selected: boolean
  /** "bearing 97%", written at its top left when it fits. */
  text: string
}

/**
 * Paints suggestions over the plot (clipped to it by the caller): diagonal hatching in the
 * class's colour, a dashed outline (solid and thicker when selected), and the class with the
 * model's confidence.
 */
export function drawSuggestions(
  ctx: CanvasRenderingContext2D,
  bbox: { top: number; height: number },
  xOf: (us: number) => number,
  suggestions: readonly DrawnSuggestion[],
): void {
  const px = uPlot.pxRatio
  const { top, height } = bbox
  for (const s of suggestions) {
    const x0 = xOf(s.startUs)
    const w = Math.max(1, xOf(s.endUs) - x0)
    ctx.save()
    ctx.beginPath()
    ctx.rect(x0, top, w, height)
    ctx.clip()
    ctx.globalAlpha = s.selected ? 0.14 : 0.07
    ctx.fillStyle = s.color
    ctx.fillRect(x0, top, w, height)
    ctx.globalAlpha = s.selected ? 0.55 : 0.35
    ctx.strokeStyle = s.color
    ctx.lineWidth = 1.5 * px
    const step = 9 * px
    ctx.beginPath()
    for (let x = x0 - height; x < x0 + w; x += step) {
      ctx.moveTo(x, top + height)
      ctx.lineTo(x + height, top)
    }
    ctx.stroke()
    ctx.globalAlpha = 1
    ctx.lineWidth = (s.selected ? 2.5 : 1.5) * px
    ctx.setLineDash(s.selected ? [] : [5 * px, 4 * px])
    ctx.strokeRect(
      x0 + ctx.lineWidth / 2,
      top + ctx.lineWidth / 2,
      w - ctx.lineWidth,
      height - ctx.lineWidth,
    )
    ctx.setLineDash([])
    ctx.font = `${s.selected ? 600 : 500} ${11 * px}px system-ui, sans-serif`
    // The class and confidence where they fit, else the confidence; the selected one always.
    const percent = s.text.split(' ').at(-1) ?? ''
    const pad = 8 * px
    const text = [s.text, percent].find((t) => ctx.measureText(t).width + pad <= w)
    const shown = text ?? (s.selected ? s.text : null)
    if (shown) {
      const tw = ctx.measureText(shown).width + pad
      ctx.restore()
      ctx.save()
      ctx.fillStyle = s.color
      ctx.fillRect(x0 + (text ? 3 * px : 0), top + 3 * px, tw, 16 * px)
      ctx.fillStyle = textOn(s.color)
      ctx.textBaseline = 'middle'
      ctx.textAlign = 'left'
      ctx.font = `${s.selected ? 600 : 500} ${11 * px}px system-ui, sans-serif`
      ctx.fillText(shown, x0 + (text ? 7 * px : 4 * px), top + 11 * px)
    }
    ctx.restore()
  }
}

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
export function textOn(hex: string): string {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }
  const l = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2)
  // Contrast with black (l + 0.05) / 0.05 against white 1.05 / (l + 0.05).
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000000' : '#ffffff'
}
