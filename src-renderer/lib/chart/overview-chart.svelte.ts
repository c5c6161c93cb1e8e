import { untrack } from 'svelte'
import uPlot from 'uplot'
import type { Columns } from '../state/timeline.svelte'
import type { Viewport } from '../timeline/viewport'
import type { DrawnRegion } from './timeline-chart.svelte'
import { bandSeries, cssVar } from './theme'

export interface OverviewInput {
  columns: Columns
  channels: string[]
  /** The whole recording, µs. */
  startUs: number
  endUs: number
  viewport: Viewport
  regions: DrawnRegion[]
}

/**
 * The whole recording in a thin strip, with its labels and the main timeline's window drawn on
 * it; pressing or dragging on the strip moves the window there.
 */
export function overviewChart(getInput: () => OverviewInput, centreOn: (us: number) => void) {
  return (node: HTMLElement) => {
    let plot: uPlot | null = null
    // Read without tracking: the attachment must not re-run (and rebuild the chart) on new data;
    // the effect below applies changes.
    let input = untrack(getInput)
    let channelsKey = ''
    let lastColumns: Columns | null = null

    const draw = (u: uPlot) => {
      const ctx = u.ctx
      const { top, height } = u.bbox
      const x = (us: number) => u.valToPos(us / 1e6, 'x', true)
      for (const r of input.regions) {
        ctx.save()
        ctx.globalAlpha = 0.35
        ctx.fillStyle = r.color
        ctx.fillRect(x(r.startUs), top, Math.max(1, x(r.endUs) - x(r.startUs)), height)
        ctx.restore()
      }
      const x0 = x(input.viewport.fromUs)
      const x1 = x(input.viewport.toUs)
      ctx.save()
      ctx.fillStyle = cssVar(node, '--accent')
      ctx.globalAlpha = 0.15
      ctx.fillRect(x0, top, Math.max(2, x1 - x0), height)
      ctx.globalAlpha = 1
      ctx.strokeStyle = cssVar(node, '--accent')
      ctx.lineWidth = 1.5 * uPlot.pxRatio
      ctx.strokeRect(x0, top + 1, Math.max(2, x1 - x0), height - 2)
      ctx.restore()
    }

    const build = () => {
      plot?.destroy()
      const channels = bandSeries(input.channels, '40')
      const series: uPlot.Series[] = [{}, ...channels.series]
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
          axes: [{ show: false }, { show: false }],
          padding: [2, 0, 2, 0],
          hooks: { draw: [draw] },
        },
        input.columns as uPlot.AlignedData,
        node,
      )
      plot.setScale('x', { min: input.startUs / 1e6, max: input.endUs / 1e6 })
      const over = plot.over
      over.style.cursor = 'pointer'
      const jump = (e: PointerEvent) => {
        const rect = over.getBoundingClientRect()
        centreOn((plot as uPlot).posToVal(e.clientX - rect.left, 'x') * 1e6)
      }
      over.addEventListener('pointerdown', (e) => {
        over.setPointerCapture(e.pointerId)
        jump(e)
      })
      over.addEventListener('pointermove', (e) => {
        if (e.buttons & 1) jump(e)
      })
    }

    const observer = new ResizeObserver(() =>
      plot?.setSize({ width: node.clientWidth, height: node.clientHeight }),
    )
    observer.observe(node)

    $effect(() => {
      input = getInput()
      const key = input.channels.join('\u0000')
      if (!plot || key !== channelsKey) {
        channelsKey = key
        lastColumns = input.columns
        build()
        return
      }
      if (input.columns !== lastColumns) {
        lastColumns = input.columns
        plot.setData(input.columns as uPlot.AlignedData, false)
      }
      plot.setScale('x', { min: input.startUs / 1e6, max: input.endUs / 1e6 })
    })

    return () => {
      observer.disconnect()
      plot?.destroy()
    }
  }
}
