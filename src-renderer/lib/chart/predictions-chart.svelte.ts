import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { axisStyle, cssVar } from './theme'

export interface PredictionsChartInput {
  /** The model's classes in output order, each with its colour. */
  classes: { name: string; color: string }[]
  /** `[t, p(class 0), p(class 1), …]`, t in s on the live signal's axis. */
  columns: number[][]
  /** The class picked per prediction (-1: unknown), in the same order. */
  picked: number[]
  /** The right edge, s: the live signal's newest time, so both plots line up. */
  endS: number
  windowS: number
}

/** The class band sits below probability 0, in this part of the y range. */
const BAND = { top: -0.05, bottom: -0.2 }

/**
 * A Svelte attachment drawing a device's live predictions with uPlot: each class's probability
 * over time as a line in the class's colour, and under them a band of the class picked per
 * window. Its y axis is as wide as the live signal plot's, so the two share their x pixels.
 */
export function predictionsChart(getInput: () => PredictionsChartInput) {
  return (node: HTMLElement) => {
    let plot: uPlot | null = null
    let key = ''
    let current: PredictionsChartInput | null = null

    const drawBand = (u: uPlot) => {
      const input = current
      if (!input) return
      const t = input.columns[0] ?? []
      const ctx = u.ctx
      const y0 = u.valToPos(BAND.top, 'y', true)
      const y1 = u.valToPos(BAND.bottom, 'y', true)
      const { left, width } = u.bbox
      ctx.save()
      ctx.beginPath()
      ctx.rect(left, y0, width, y1 - y0)
      ctx.clip()
      ctx.fillStyle = cssVar(node, '--surface-2') || cssVar(node, '--border')
      ctx.fillRect(left, y0, width, y1 - y0)
      for (let i = 0; i < t.length; i++) {
        const k = input.picked[i] ?? -1
        const color = input.classes[k]?.color
        if (!color) continue
        // Each prediction colours the time since the one before it (its stride).
        const from = i > 0 ? (t[i - 1] as number) : (t[i] as number) - 0.5
        const x0 = u.valToPos(from, 'x', true)
        const x1 = u.valToPos(t[i] as number, 'x', true)
        ctx.fillStyle = color
        ctx.fillRect(x0, y0, Math.max(1, x1 - x0), y1 - y0)
      }
      ctx.restore()
    }

    const build = (input: PredictionsChartInput) => {
      plot?.destroy()
      const axis = axisStyle(node)
      plot = new uPlot(
        {
          width: node.clientWidth,
          height: node.clientHeight,
          series: [
            { label: 't (s)' },
            ...input.classes.map((c) => ({
              label: c.name,
              stroke: c.color,
              width: 1.5,
              points: { show: false },
            })),
          ],
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: false }, y: { range: [BAND.bottom, 1.04] } },
          axes: [
            { ...axis, values: (_u, splits) => splits.map((s) => `${s.toFixed(1)} s`) },
            {
              ...axis,
              size: 56,
              splits: () => [0, 0.5, 1],
              values: (_u, splits) => splits.map((s) => `${Math.round(s * 100)}%`),
            },
          ],
          hooks: { draw: [drawBand] },
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
      current = input
      const classesKey = input.classes.map((c) => `${c.name}:${c.color}`).join('\u0000')
      if (!plot || classesKey !== key) {
        key = classesKey
        build(input)
      }
      plot!.batch(() => {
        plot!.setData(input.columns as uPlot.AlignedData, false)
        plot!.setScale('x', {
          min: Math.max(0, input.endS - input.windowS),
          max: Math.max(input.windowS, input.endS),
        })
      })
    })

    return () => {
      observer.disconnect()
      plot?.destroy()
    }
  }
}
