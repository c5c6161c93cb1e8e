import { untrack } from 'svelte'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { Columns } from '../state/timeline.svelte'
import type { Viewport } from '../timeline/viewport'
import {
  LANE_SHARE,
  drawPredictionLane,
  reserveLane,
  type DrawnPrediction,
} from './prediction-lane'
import { drawSuggestions, type DrawnSuggestion } from './suggestion-layer'
import { axisStyle, bandSeries, cssVar } from './theme'
import {
  IDLE,
  draftOf,
  editedRegion,
  reduceGesture,
  type Axis,
  type Drag,
  type GestureEffect,
  type GestureEvent,
  type GestureState,
} from './timeline-gestures'

/** A labeled region as the chart draws it. */
export interface DrawnRegion {
  id: number
  startUs: number
  endUs: number
  color: string
  selected: boolean
}

export interface TimelineChartInput {
  columns: Columns
  channels: string[]
  hidden: ReadonlySet<number>
  stacked: boolean
  viewport: Viewport
  regions: DrawnRegion[]
  /** Colour of the active class, for the region being drawn. */
  activeColor: string
  /** In and out points set from the keyboard ([ and ]), µs. */
  marks: { inUs: number | null; outUs: number | null }
  /** A span outlined with dashes: a window opened from elsewhere (a model's mistake). */
  focus: { startUs: number; endUs: number } | null
  /** A model's suggested regions, drawn hatched over the labels. */
  suggestions?: readonly DrawnSuggestion[]
  /** A device's stored predictions, in a lane under the signal; none: no lane. */
  predictions?: readonly DrawnPrediction[] | null
}

export interface TimelineChartHandlers {
  width(px: number): void
  cursor(us: number | null): void
  zoom(factor: number, anchorUs: number): void
  pan(fraction: number): void
  create(startUs: number, endUs: number): void
  select(id: number | null): void
  change(id: number, startUs: number, endUs: number): void
  /** Show exactly this span (Alt+drag: zoom to the selection). */
  zoomTo(startUs: number, endUs: number): void
}

/**
 * The labeling timeline: uPlot draws each channel's min-max band from the envelope data; label
 * regions, the region being drawn and the in/out marks are painted in a draw hook, and so is the
 * Predictions lane, in a strip at the bottom that the y scales leave free. Pointer and wheel
 * events go to the gesture reducer (timeline-gestures.ts), whose effects this applies. The node's
 * `data-predictions` says how many predictions the lane last drew in view.
 */
export function timelineChart(getInput: () => TimelineChartInput, on: TimelineChartHandlers) {
  return (node: HTMLElement) => {
    let plot: uPlot | null = null
    // Read without tracking: the attachment must not re-run (and rebuild the chart) on new data;
    // the effect below applies changes.
    let input: TimelineChartInput = untrack(getInput)
    let shapeKey = ''
    let lastColumns: Columns | null = null
    let gesture: GestureState = IDLE

    const dispatch = (u: uPlot, event: GestureEvent, pointerId: number | null) => {
      const step = reduceGesture(gesture, event, { axis: axisOf(u), regions: input.regions })
      gesture = step.state
      for (const effect of step.effects) applyEffect(u, effect, on, pointerId)
    }

    const build = () => {
      plot?.destroy()
      const hooks = {
        draw: (u: uPlot) => drawRegions(u, node, input, gesture.drag),
        cursor: on.cursor,
      }
      const u = new uPlot(plotOptions(node, input, hooks), input.columns as uPlot.AlignedData, node)
      plot = u
      u.setScale('x', { min: input.viewport.fromUs / 1e6, max: input.viewport.toUs / 1e6 })
      listen(u.over, (event, pointerId) => dispatch(u, event, pointerId))
      on.width(u.bbox.width / uPlot.pxRatio)
    }

    const observer = new ResizeObserver(() => {
      if (!plot) return
      plot.setSize({ width: node.clientWidth, height: node.clientHeight })
      on.width(plot.bbox.width / uPlot.pxRatio)
    })
    observer.observe(node)

    $effect(() => {
      input = getInput()
      const key = [
        input.channels.join('\u0000'),
        [...input.hidden].join(','),
        input.stacked,
        Boolean(input.predictions),
      ].join('|')
      if (!plot || key !== shapeKey) {
        shapeKey = key
        lastColumns = input.columns
        build()
        return
      }
      const p = plot
      p.batch(() => {
        if (input.columns !== lastColumns) {
          lastColumns = input.columns
          p.setData(input.columns as uPlot.AlignedData, false)
        }
        // Also redraws, which repaints the regions and marks.
        p.setScale('x', { min: input.viewport.fromUs / 1e6, max: input.viewport.toUs / 1e6 })
      })
    })

    return () => {
      observer.disconnect()
      plot?.destroy()
    }
  }
}

/** Carries out what a gesture asks for. */
function applyEffect(
  u: uPlot,
  effect: GestureEffect,
  on: TimelineChartHandlers,
  pointerId: number | null,
): void {
  switch (effect.type) {
    case 'createLabel':
      return on.create(effect.startUs, effect.endUs)
    case 'changeLabel':
      return on.change(effect.id, effect.startUs, effect.endUs)
    case 'select':
      return on.select(effect.id)
    case 'zoomToSpan':
      return on.zoomTo(effect.fromUs, effect.toUs)
    case 'pan':
      return on.pan(effect.fraction)
    case 'zoom':
      return on.zoom(effect.factor, effect.anchorUs)
    case 'pointer':
      u.over.style.cursor = effect.cursor
      return
    case 'capturePointer':
      if (pointerId !== null) u.over.setPointerCapture(pointerId)
      return
    case 'redraw':
      return u.redraw(false)
  }
}

/** Translates the plot's pointer and wheel events into gesture events, x from its left edge. */
function listen(
  over: HTMLElement,
  send: (event: GestureEvent, pointerId: number | null) => void,
): void {
  const xOf = (e: MouseEvent) => e.clientX - over.getBoundingClientRect().left
  over.style.cursor = 'crosshair'
  over.addEventListener('pointerdown', (e) => {
    const { button, altKey, shiftKey } = e
    send({ type: 'down', x: xOf(e), button, altKey, shiftKey }, e.pointerId)
  })
  over.addEventListener('pointermove', (e) => send({ type: 'move', x: xOf(e) }, null))
  over.addEventListener('pointerup', (e) => send({ type: 'up', x: xOf(e) }, null))
  over.addEventListener('pointercancel', () => send({ type: 'cancel' }, null))
  over.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault()
      const { deltaX, deltaY, shiftKey } = e
      send({ type: 'wheel', x: xOf(e), deltaX, deltaY, shiftKey }, null)
    },
    { passive: false },
  )
}

/** The time axis as drawn: uPlot's x scale is in seconds over the plot's CSS width. */
function axisOf(u: uPlot): Axis {
  const { min, max } = u.scales.x as { min: number; max: number }
  return { fromUs: min * 1e6, toUs: max * 1e6, widthPx: u.bbox.width / uPlot.pxRatio }
}

/** One strip per visible channel when stacked, else one shared y scale; axes; the hooks. */
function plotOptions(
  node: HTMLElement,
  input: TimelineChartInput,
  hooks: { draw: (u: uPlot) => void; cursor: (us: number | null) => void },
): uPlot.Options {
  const axis = axisStyle(node)
  const scales: uPlot.Scales = { x: { time: false } }
  const visible = input.channels.map((_, c) => !input.hidden.has(c))
  const slots = visible.filter(Boolean).length
  const lane = Boolean(input.predictions)
  const padded = (min: number, max: number): [number, number] => {
    const pad = (max - min) * 0.1 || 1
    return [min - pad, max + pad]
  }
  let slot = 0
  input.channels.forEach((_, c) => {
    if (!input.stacked || !visible[c]) return
    const mySlot = slot++
    // Each channel gets its own horizontal strip: widen its range so its data lands there.
    scales[`y${c}`] = {
      range: (_u, min, max) => {
        const [lo, hi] = padded(min, max)
        const h = hi - lo
        const range: [number, number] = [lo - (slots - 1 - mySlot) * h, hi + mySlot * h]
        return lane ? reserveLane(...range) : range
      },
    }
  })
  // The lowest value the overlaid signal shows: below it is the lane, where no tick belongs.
  let signalLow = -Infinity
  const aboveLane = (_u: uPlot, splits: number[]) => splits.map((v) => (v >= signalLow ? v : null))
  if (!input.stacked && lane) {
    scales.y = {
      range: (_u, min, max) => {
        const [lo, hi] = padded(min, max)
        signalLow = lo
        return reserveLane(lo, hi)
      },
    }
  }
  const channels = bandSeries(input.channels, '4d', (_name, c) => ({
    show: visible[c],
    scale: input.stacked ? `y${c}` : 'y',
  }))
  const yAxis = input.stacked
    ? { ...axis, scale: `y${visible.indexOf(true)}`, show: false }
    : {
        ...axis,
        scale: 'y',
        size: 56,
        filter: aboveLane,
        ticks: { ...axis.ticks, filter: aboveLane },
        grid: { ...axis.grid, filter: aboveLane },
      }
  return {
    width: node.clientWidth,
    height: node.clientHeight,
    series: [{ label: 't' }, ...channels.series],
    bands: channels.bands,
    scales,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { show: false }, y: false },
    axes: [{ ...axis, values: (_u, splits) => splits.map((s) => formatAxisSeconds(s)) }, yAxis],
    hooks: {
      draw: [hooks.draw],
      setCursor: [
        (u) => {
          const left = u.cursor.left
          hooks.cursor(left === undefined || left < 0 ? null : u.posToVal(left, 'x') * 1e6)
        },
      ],
    },
  }
}

/** Paints the regions, the draft of the drag in progress, and the in/out marks over the plot. */
function drawRegions(u: uPlot, node: HTMLElement, input: TimelineChartInput, drag: Drag | null) {
  const ctx = u.ctx
  const { left, top, width, height } = u.bbox
  // Labels, suggestions and drafts stay over the signal, above the lane.
  const laneHeight = input.predictions ? Math.round(height * LANE_SHARE) : 0
  const signalHeight = height - laneHeight
  const xOf = (us: number) => u.valToPos(us / 1e6, 'x', true)
  const band = (startUs: number, endUs: number, color: string, alpha: number, outline: boolean) => {
    const x0 = xOf(startUs)
    const x1 = xOf(endUs)
    ctx.save()
    ctx.globalAlpha = alpha
    ctx.fillStyle = color
    ctx.fillRect(x0, top, Math.max(1, x1 - x0), signalHeight)
    if (outline) {
      ctx.globalAlpha = 1
      ctx.strokeStyle = color
      ctx.lineWidth = 2 * uPlot.pxRatio
      ctx.strokeRect(x0, top + 1, Math.max(1, x1 - x0), signalHeight - 2)
    }
    ctx.restore()
  }
  // Regions partly outside the window must not spill over the axes.
  ctx.save()
  ctx.beginPath()
  ctx.rect(left, top, width, height)
  ctx.clip()
  const edited = editedRegion(drag)
  for (const r of input.regions) {
    if (r.id !== edited) band(r.startUs, r.endUs, r.color, r.selected ? 0.32 : 0.2, r.selected)
  }
  if (input.suggestions) drawSuggestions(ctx, { top, height: signalHeight }, xOf, input.suggestions)
  if (input.predictions) {
    const lane = { left, top: top + signalHeight, width, height: laneHeight }
    const colors = { background: cssVar(node, '--surface'), edge: cssVar(node, '--border-strong') }
    node.dataset.predictions = String(drawPredictionLane(ctx, lane, xOf, input.predictions, colors))
  } else delete node.dataset.predictions
  if (drag && drag.kind !== 'pan') {
    const { startUs, endUs } = draftOf(drag)
    const color =
      drag.kind === 'zoom'
        ? cssVar(node, '--text-muted')
        : drag.kind === 'create'
          ? input.activeColor
          : (input.regions.find((r) => r.id === drag.id)?.color ?? input.activeColor)
    band(startUs, endUs, color, drag.kind === 'zoom' ? 0.15 : 0.35, true)
  }
  ctx.strokeStyle = cssVar(node, '--text')
  ctx.setLineDash([4 * uPlot.pxRatio, 3 * uPlot.pxRatio])
  if (input.focus) {
    const x0 = xOf(input.focus.startUs)
    ctx.strokeRect(x0, top + 1, Math.max(1, xOf(input.focus.endUs) - x0), height - 2)
  }
  for (const us of [input.marks.inUs, input.marks.outUs]) {
    if (us === null) continue
    ctx.beginPath()
    ctx.moveTo(xOf(us), top)
    ctx.lineTo(xOf(us), top + height)
    ctx.stroke()
  }
  ctx.restore()
  // The lane's name in the y axis's margin, where the axis shows one (overlaid channels).
  const px = uPlot.pxRatio
  if (input.predictions && left >= 44 * px) {
    ctx.save()
    ctx.fillStyle = cssVar(node, '--text-muted')
    ctx.font = `500 ${10 * px}px system-ui, sans-serif`
    ctx.textAlign = 'right'
    ctx.textBaseline = 'middle'
    ctx.fillText('device', left - 6 * px, top + signalHeight + laneHeight / 2)
    ctx.restore()
  }
}

/** Axis ticks: m:ss, with decimals when zoomed in; hours when needed. */
function formatAxisSeconds(s: number): string {
  const sign = s < 0 ? '-' : ''
  const abs = Math.abs(s)
  const h = Math.floor(abs / 3600)
  const m = Math.floor(abs / 60) % 60
  const sec = abs % 60
  const decimals = abs < 10 && abs % 1 !== 0 ? 3 : abs % 1 !== 0 ? 2 : 0
  const secText = sec.toFixed(decimals).padStart(decimals ? 3 + decimals : 2, '0')
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, '0')}:${secText}` : `${sign}${m}:${secText}`
}
