import type uPlot from 'uplot'
import { seriesColor } from './palette'

/** A CSS custom property of the theme as the chart's node sees it (light or dark). */
export function cssVar(node: HTMLElement, name: string): string {
  return getComputedStyle(node).getPropertyValue(name).trim()
}

/** Axis colours from the theme, shared by every chart. */
export function axisStyle(node: HTMLElement): uPlot.Axis {
  return {
    stroke: cssVar(node, '--text-muted'),
    grid: { stroke: cssVar(node, '--border'), width: 1 },
    ticks: { stroke: cssVar(node, '--border'), width: 1 },
  }
}

/**
 * Each channel as a min-max band: series `max`, `min` (same colour), and the band between them,
 * in channel order after the x series.
 */
export function bandSeries(
  channels: string[],
  fillAlpha: string,
  series: (name: string, c: number) => Partial<uPlot.Series> = () => ({}),
): { series: uPlot.Series[]; bands: uPlot.Band[] } {
  const out: uPlot.Series[] = []
  const bands: uPlot.Band[] = []
  channels.forEach((name, c) => {
    const color = seriesColor(c)
    out.push({ label: name, stroke: color, width: 1, ...series(name, c) })
    out.push({ label: `${name} min`, stroke: color, width: 1, ...series(name, c) })
    bands.push({ series: [1 + 2 * c, 2 + 2 * c], fill: `${color}${fillAlpha}` })
  })
  return { series: out, bands }
}
