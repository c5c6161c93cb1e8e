import uPlot from 'uplot'

/** The share of the plot's height the Predictions lane takes, at its bottom. */
export const LANE_SHARE = 0.06

/** A device's prediction as the lane draws it: its span, its class's colour, its probability. */
export interface DrawnPrediction {
  startUs: number
  endUs: number
  color: string
  /** Opacity: the probability the device gave its class (faint when unsure). */
  alpha: number
}

/**
 * The y range `[lo, hi]` widened downwards so the signal leaves the lane's share of the plot
 * free at its bottom.
 */
export function reserveLane(lo: number, hi: number): [number, number] {
  return [lo - ((hi - lo) * LANE_SHARE) / (1 - LANE_SHARE), hi]
}

/**
 * Paints the lane (a strip `top`..`top + height` across the plot): the plot's background, then
 * each prediction in its class's colour, snapped to device pixels so neighbours neither overlap
 * nor leave seams. Windows narrower than a pixel share it: the first in a pixel column is drawn
 * (the rest are refused, as uPlot thins its points). Returns how many predictions are in view.
 */
export function drawPredictionLane(
  ctx: CanvasRenderingContext2D,
  lane: { left: number; top: number; width: number; height: number },
  xOf: (us: number) => number,
  predictions: readonly DrawnPrediction[],
  colors: { background: string; edge: string },
): number {
  const { left, top, width, height } = lane
  const right = left + width
  ctx.save()
  ctx.fillStyle = colors.background
  ctx.fillRect(left, top, width, height)
  let shown = 0
  let lastColumn = -Infinity
  for (const p of predictions) {
    const x0 = Math.round(xOf(p.startUs))
    const x1 = Math.round(xOf(p.endUs))
    if (x1 < left || x0 > right) continue
    shown++
    if (x1 - x0 < 1 && x0 === lastColumn) continue
    lastColumn = x0
    ctx.globalAlpha = p.alpha
    ctx.fillStyle = p.color
    ctx.fillRect(x0, top, Math.max(1, x1 - x0), height)
  }
  ctx.globalAlpha = 1
  ctx.strokeStyle = colors.edge
  ctx.lineWidth = uPlot.pxRatio
  ctx.beginPath()
  ctx.moveTo(left, top + ctx.lineWidth / 2)
  ctx.lineTo(right, top + ctx.lineWidth / 2)
  ctx.stroke()
  ctx.restore()
  return shown
}
