import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { seriesColor } from './palette'

export interface LiveChartInput {
  channels: string[]
  /** `[x, max1, min1, max2, min2, ...]` */
  columns: number[][]
  /** Seconds of signal shown. */
  windowS: number
}

function cssVar(node: HTMLElement, name: string): string {
  return getComputedStyle(node).getPropertyValue(name).trim()
}

/**
 * A Svelte attachment drawing the live min/max envelope of every channel with uPlot: one colour
 * per channel, the band between min and max filled. The plot is rebuilt only when the channels
 * change; new data is a setData call.
 */
export function liveChart(getInput: () => LiveChartInput) {
  return (node: HTMLElement) => {
    let plot: uPlot | null = null
    let channelsKey = ''

    const build = (input: LiveChartInput) => {
      plot?.destroy()
      const axis = {
        stroke: cssVar(node, '--text-muted'),
        grid: { stroke: cssVar(node, '--border'), width: 1 },
        ticks: { stroke: cssVar(node, '--border'), width: 1 },
      }
      const series: uPlot.Series[] = [{ label: 't (s)' }]
      const bands: uPlot.Band[] = []
      input.channels.forEach((name, c) => {
        const color = seriesColor(c)
        series.push({ label: name, stroke: color, width: 1 })
        series.push({ label: `${name} min`, stroke: color, width: 1 })
        bands.push({ series: [1 + 2 * c, 2 + 2 * c], fill: `${color}55` })
      })
      plot = new uPlot(
        {
          width: node.clientWidth,
          height: node.clientHeight,
          series,
          bands,
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: false } },
          axes: [
            { ...axis, values: (_u, splits) => splits.map((s) => `${s.toFixed(1)} s`) },
            { ...axis, size: 56 },
          ],
        },
        input.columns as uPlot.AlignedData,
        node,
      )
    }

    const observer = new ResizeObserver(() => {
      plot?.setSize({ width: node.clientWidth, height: node.clientHeight })
    })
    observer.observe(node)

    $effect(() => {
      const input = getInput()
      const key = input.channels.join('\u0000')
      if (!plot || key !== channelsKey) {
        channelsKey = key
        build(input)
        return
      }
      const x = input.columns[0] ?? []
      const last = x[x.length - 1] ?? 0
      plot.batch(() => {
        plot!.setData(input.columns as uPlot.AlignedData, false)
        plot!.setScale('x', {
          min: Math.max(0, last - input.windowS),
          max: Math.max(input.windowS, last),
        })
      })
    })

    return () => {
      observer.disconnect()
      plot?.destroy()
    }
  }
}
