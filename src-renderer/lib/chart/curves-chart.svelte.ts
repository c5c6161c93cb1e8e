import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { EpochPoint } from '../../../src-preload/contract/index'
import { seriesColor } from './palette'
import { axisStyle } from './theme'

/** Training solid in one colour, validation dashed in another: apart without colour too. */
export const CURVE_COLORS = { training: seriesColor(0), validation: seriesColor(1) } as const

export interface CurvesInput {
  points: readonly EpochPoint[]
  metric: 'loss' | 'accuracy'
  /** The epochs the run may take: the x axis spans them, so a run in progress grows into it. */
  epochs: number
}

/** `[epoch, training, validation]`, validation null where the run had no validation split. */
export function curveColumns(
  points: readonly EpochPoint[],
  metric: CurvesInput['metric'],
): [number[], number[], (number | null)[]] {
  const val = metric === 'loss' ? 'valLoss' : 'valAccuracy'
  return [points.map((p) => p.epoch), points.map((p) => p[metric]), points.map((p) => p[val])]
}

/**
 * A training curve with uPlot: the training split's value per epoch (solid) against the
 * validation split's (dashed, another colour), the x axis over the run's epochs. Built once;
 * each new epoch is a setData call.
 */
export function curvesChart(getInput: () => CurvesInput) {
  return (node: HTMLElement) => {
    let plot: uPlot | null = null
    /** The x axis's end: the epochs planned, or those run if more. */
    let lastEpoch = 2

    const build = (input: CurvesInput) => {
      const axis = axisStyle(node)
      const accuracy = input.metric === 'accuracy'
      plot = new uPlot(
        {
          width: node.clientWidth,
          height: node.clientHeight,
          series: [
            { label: 'epoch' },
            { label: 'training', stroke: CURVE_COLORS.training, width: 2 },
            { label: 'validation', stroke: CURVE_COLORS.validation, width: 2, dash: [6, 4] },
          ],
          legend: { show: false },
          cursor: { show: false },
          scales: {
            x: { time: false, range: () => [1, lastEpoch] },
            y: accuracy
              ? { range: [0, 1] }
              : { range: (_u, _min, max) => [0, Number.isFinite(max) && max > 0 ? max * 1.05 : 1] },
          },
          axes: [
            { ...axis, values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? s : '')) },
            {
              ...axis,
              size: 48,
              values: (_u, splits) =>
                splits.map((s) => (accuracy ? `${Math.round(s * 100)}%` : s.toFixed(2))),
            },
          ],
        },
        curveColumns(input.points, input.metric) as uPlot.AlignedData,
        node,
      )
    }

    const observer = new ResizeObserver(() =>
      plot?.setSize({ width: node.clientWidth, height: node.clientHeight }),
    )
    observer.observe(node)

    $effect(() => {
      const input = getInput()
      lastEpoch = Math.max(2, input.epochs, input.points.at(-1)?.epoch ?? 0)
      if (!plot) build(input)
      else plot.setData(curveColumns(input.points, input.metric) as uPlot.AlignedData)
    })

    return () => {
      observer.disconnect()
      plot?.destroy()
    }
  }
}
