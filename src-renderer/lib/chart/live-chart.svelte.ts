import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { axisStyle, bandSeries } from './theme'

export interface LiveChartInput {
  channels: string[]
  /** `[x, max1, min1, max2, min2, ...]` */
  columns: number[][]
  /** Seconds of signal shown. */
  windowS: number
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
      const axis = axisStyle(node)
      const channels = bandSeries(input.channels, '55')
      const series: uPlot.Series[] = [{ label: 't (s)' }, ...channels.series]
      const bands = channels.bands
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
