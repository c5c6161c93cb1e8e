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
  /**
   * An anomaly model: `columns` is `[t, score]` and the threshold is drawn across; `classes` are
   * normal and anomaly (the band's colours). Absent for a classifier's probabilities.
   */
  threshold?: number
}

/** The class band sits below probability 0, in this part of the y range (of its top). */
const BAND = { top: -0.05, bottom: -0.2 }

/** The score plot's top: above the threshold and the largest score shown. */
function scoreTop(input: PredictionsChartInput): number {
  const scores = (input.columns[1] ?? []).filter(Number.isFinite)
  return Math.max(input.threshold ?? 0, ...scores) * 1.15 || 1
}

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
      const top = input.threshold === undefined ? 1 : scoreTop(input)
      const y0 = u.valToPos(BAND.top * top, 'y', true)
      const y1 = u.valToPos(BAND.bottom * top, 'y', true)
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
      if (input.threshold !== undefined) {
        const y = u.valToPos(input.threshold, 'y', true)
        ctx.save()
        ctx.strokeStyle = cssVar(node, '--text')
        ctx.setLineDash([5 * uPlot.pxRatio, 4 * uPlot.pxRatio])
        ctx.lineWidth = 1.5 * uPlot.pxRatio
        ctx.beginPath()
        ctx.moveTo(left, y)
        ctx.lineTo(left + width, y)
        ctx.stroke()
        ctx.restore()
      }
    }

    const build = (input: PredictionsChartInput) => {
      plot?.destroy()
      const axis = axisStyle(node)
      const scored = input.threshold !== undefined
      const fmt = (v: number) =>
        Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toPrecision(2)
      plot = new uPlot(
        {
          width: node.clientWidth,
          height: node.clientHeight,
          series: [
            { label: 't (s)' },
            ...(scored
              ? [
                  {
                    label: 'score',
                    stroke: cssVar(node, '--text'),
                    width: 1.5,
                    points: { show: false },
                  },
                ]
              : input.classes.map((c) => ({
                  label: c.name,
                  stroke: c.color,
                  width: 1.5,
                  points: { show: false },
                }))),
          ],
          legend: { show: false },
          cursor: { show: false },
          scales: {
            x: { time: false },
            y: {
              range: scored
                ? () => {
                    const top = scoreTop(current ?? input)
                    return [BAND.bottom * top, top]
                  }
                : [BAND.bottom, 1.04],
            },
          },
          axes: [
            { ...axis, values: (_u, splits) => splits.map((s) => `${s.toFixed(1)} s`) },
            scored
              ? {
                  ...axis,
                  size: 56,
                  splits: () => {
                    const top = scoreTop(current ?? input)
                    return [0, top / 2, top].map((v) => Number(v.toPrecision(2)))
                  },
                  values: (_u, splits) => splits.map(fmt),
                }
              : {
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
      const classesKey =
        input.classes.map((c) => `${c.name}:${c.color}`).join('\u0000') +
        (input.threshold === undefined ? '' : ':score')
      if (!plot || classesKey !== key) {
        key = classesKey
        build(input)
      }
      plot!.batch(() => {
        plot!.setData(input.columns as uPlot.AlignedData, input.threshold !== undefined)
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
