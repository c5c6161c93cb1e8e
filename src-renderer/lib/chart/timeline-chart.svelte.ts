import { untrack } from 'svelte'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { Columns } from '../state/timeline.svelte'
import type { Viewport } from '../timeline/viewport'
import { axisStyle, bandSeries, cssVar } from './theme'

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

type Drag =
  | { kind: 'create'; anchorUs: number; currentUs: number }
  | { kind: 'zoom'; anchorUs: number; currentUs: number }
  | { kind: 'pan'; lastX: number; currentUs: number }
  | { kind: 'move'; id: number; grabUs: number; startUs: number; endUs: number; currentUs: number }
  | {
      kind: 'resize'
      id: number
      edge: 'start' | 'end'
      startUs: number
      endUs: number
      currentUs: number
    }

const EDGE_PX = 6
/** Moves shorter than this are clicks, not drags. */
const DRAG_PX = 3

/**
 * The labeling timeline: uPlot draws each channel's min-max band from the envelope data; label
 * regions, the region being drawn and the in/out marks are painted in a draw hook; pointer
 * gestures on the plot create (drag on empty signal), select (click), move (drag inside) and
 * resize (drag an edge) regions; Alt+drag zooms to the span, Shift+drag pans; the wheel zooms
 * around the pointer, shift+wheel pans.
 */
export function timelineChart(getInput: () => TimelineChartInput, on: TimelineChartHandlers) {
  return (node: HTMLElement) => {
    let plot: uPlot | null = null
    // Read without tracking: the attachment must not re-run (and rebuild the chart) on new data;
    // the effect below applies changes.
    let input: TimelineChartInput = untrack(getInput)
    let shapeKey = ''
    let lastColumns: Columns | null = null
    let drag: Drag | null = null
    let downX = 0

    const usAt = (clientX: number): number => {
      const rect = (plot as uPlot).over.getBoundingClientRect()
      return (plot as uPlot).posToVal(clientX - rect.left, 'x') * 1e6
    }
    const xOf = (us: number, canvas = true): number =>
      (plot as uPlot).valToPos(us / 1e6, 'x', canvas)

    const regionAt = (clientX: number): { id: number; edge: 'start' | 'end' | null } | null => {
      const rect = (plot as uPlot).over.getBoundingClientRect()
      const x = clientX - rect.left
      // Selected first, so its edges win over a neighbour's.
      const ordered = [...input.regions].sort((a, b) => Number(b.selected) - Number(a.selected))
      for (const r of ordered) {
        const x0 = xOf(r.startUs, false)
        const x1 = xOf(r.endUs, false)
        if (Math.abs(x - x0) <= EDGE_PX) return { id: r.id, edge: 'start' }
        if (Math.abs(x - x1) <= EDGE_PX) return { id: r.id, edge: 'end' }
        if (x > x0 && x < x1) return { id: r.id, edge: null }
      }
      return null
    }

    const draftOf = (d: Drag): { startUs: number; endUs: number } => {
      if (d.kind === 'pan') return { startUs: d.currentUs, endUs: d.currentUs }
      if (d.kind === 'create' || d.kind === 'zoom') {
        return {
          startUs: Math.min(d.anchorUs, d.currentUs),
          endUs: Math.max(d.anchorUs, d.currentUs),
        }
      }
      if (d.kind === 'move') {
        const shift = d.currentUs - d.grabUs
        return { startUs: d.startUs + shift, endUs: d.endUs + shift }
      }
      const startUs = d.edge === 'start' ? d.currentUs : d.startUs
      const endUs = d.edge === 'end' ? d.currentUs : d.endUs
      return { startUs: Math.min(startUs, endUs), endUs: Math.max(startUs, endUs) }
    }

    const drawRegions = (u: uPlot) => {
      const ctx = u.ctx
      const { left, top, width, height } = u.bbox
      // Regions partly outside the window must not spill over the axes.
      ctx.save()
      ctx.beginPath()
      ctx.rect(left, top, width, height)
      ctx.clip()
      const band = (
        startUs: number,
        endUs: number,
        color: string,
        alpha: number,
        outline: boolean,
      ) => {
        const x0 = xOf(startUs)
        const x1 = xOf(endUs)
        ctx.save()
        ctx.globalAlpha = alpha
        ctx.fillStyle = color
        ctx.fillRect(x0, top, Math.max(1, x1 - x0), height)
        if (outline) {
          ctx.globalAlpha = 1
          ctx.strokeStyle = color
          ctx.lineWidth = 2 * uPlot.pxRatio
          ctx.strokeRect(x0, top + 1, Math.max(1, x1 - x0), height - 2)
        }
        ctx.restore()
      }
      const editing = drag && (drag.kind === 'move' || drag.kind === 'resize') ? drag.id : null
      for (const r of input.regions) {
        if (r.id !== editing) band(r.startUs, r.endUs, r.color, r.selected ? 0.32 : 0.2, r.selected)
      }
      if (drag && drag.kind !== 'pan') {
        const d = drag
        const { startUs, endUs } = draftOf(d)
        const color =
          d.kind === 'zoom'
            ? cssVar(node, '--text-muted')
            : d.kind === 'create'
              ? input.activeColor
              : (input.regions.find((r) => r.id === d.id)?.color ?? input.activeColor)
        band(startUs, endUs, color, d.kind === 'zoom' ? 0.15 : 0.35, true)
      }
      const { inUs, outUs } = input.marks
      ctx.save()
      ctx.strokeStyle = cssVar(node, '--text')
      ctx.setLineDash([4 * uPlot.pxRatio, 3 * uPlot.pxRatio])
      for (const us of [inUs, outUs]) {
        if (us === null) continue
        const x = xOf(us)
        ctx.beginPath()
        ctx.moveTo(x, top)
        ctx.lineTo(x, top + height)
        ctx.stroke()
      }
      ctx.restore()
      ctx.restore()
    }

    const build = () => {
      plot?.destroy()
      const axis = axisStyle(node)
      const scales: uPlot.Scales = { x: { time: false } }
      const visible = input.channels.map((_, c) => !input.hidden.has(c))
      const slots = visible.filter(Boolean).length
      let slot = 0
      input.channels.forEach((_, c) => {
        if (!input.stacked || !visible[c]) return
        const mySlot = slot++
        // Each channel gets its own horizontal strip: widen its range so its data lands there.
        scales[`y${c}`] = {
          range: (_u, min, max) => {
            const pad = (max - min) * 0.1 || 1
            const lo = min - pad
            const hi = max + pad
            const h = hi - lo
            return [lo - (slots - 1 - mySlot) * h, hi + mySlot * h]
          },
        }
      })
      const channels = bandSeries(input.channels, '4d', (_name, c) => ({
        show: visible[c],
        scale: input.stacked ? `y${c}` : 'y',
      }))
      const series: uPlot.Series[] = [{ label: 't' }, ...channels.series]
      const bands = channels.bands
      const yAxis = input.stacked
        ? { ...axis, scale: `y${visible.indexOf(true)}`, show: false }
        : { ...axis, scale: 'y', size: 56 }
      plot = new uPlot(
        {
          width: node.clientWidth,
          height: node.clientHeight,
          series,
          bands,
          scales,
          legend: { show: false },
          cursor: { drag: { x: false, y: false }, points: { show: false }, y: false },
          axes: [
            {
              ...axis,
              values: (_u, splits) => splits.map((s) => formatAxisSeconds(s)),
            },
            yAxis,
          ],
          hooks: {
            draw: [drawRegions],
            setCursor: [
              (u) => {
                const left = u.cursor.left
                on.cursor(left === undefined || left < 0 ? null : u.posToVal(left, 'x') * 1e6)
              },
            ],
          },
        },
        input.columns as uPlot.AlignedData,
        node,
      )
      plot.setScale('x', { min: input.viewport.fromUs / 1e6, max: input.viewport.toUs / 1e6 })
      attachPointer(plot)
      on.width(plot.bbox.width / uPlot.pxRatio)
    }

    const attachPointer = (u: uPlot) => {
      const over = u.over
      over.style.cursor = 'crosshair'
      over.addEventListener('pointerdown', (e) => {
        if (e.button !== 0) return
        over.setPointerCapture(e.pointerId)
        downX = e.clientX
        const us = usAt(e.clientX)
        const hit = regionAt(e.clientX)
        const region = hit && input.regions.find((r) => r.id === hit.id)
        if (e.altKey) {
          drag = { kind: 'zoom', anchorUs: us, currentUs: us }
        } else if (e.shiftKey) {
          drag = { kind: 'pan', lastX: e.clientX, currentUs: us }
        } else if (hit && region && hit.edge) {
          drag = {
            kind: 'resize',
            id: hit.id,
            edge: hit.edge,
            startUs: region.startUs,
            endUs: region.endUs,
            currentUs: us,
          }
        } else if (hit && region) {
          drag = {
            kind: 'move',
            id: hit.id,
            grabUs: us,
            startUs: region.startUs,
            endUs: region.endUs,
            currentUs: us,
          }
        } else {
          drag = { kind: 'create', anchorUs: us, currentUs: us }
        }
      })
      over.addEventListener('pointermove', (e) => {
        if (!drag) {
          const hit = regionAt(e.clientX)
          over.style.cursor = hit?.edge ? 'ew-resize' : hit ? 'grab' : 'crosshair'
          return
        }
        if (drag.kind === 'pan') {
          on.pan(-(e.clientX - drag.lastX) / u.over.clientWidth)
          drag.lastX = e.clientX
          return
        }
        drag.currentUs = usAt(e.clientX)
        u.redraw(false)
      })
      const finish = (e: PointerEvent) => {
        if (!drag) return
        const d = drag
        drag = null
        const moved = Math.abs(e.clientX - downX) >= DRAG_PX
        if (d.kind === 'pan') {
          // panned while moving
        } else if (!moved) {
          on.select(d.kind === 'move' || d.kind === 'resize' ? d.id : null)
        } else {
          const { startUs, endUs } = draftOf(d)
          if (d.kind === 'create') on.create(startUs, endUs)
          else if (d.kind === 'zoom') on.zoomTo(startUs, endUs)
          else on.change(d.id, startUs, endUs)
        }
        u.redraw(false)
      }
      over.addEventListener('pointerup', finish)
      over.addEventListener('pointercancel', () => {
        drag = null
        u.redraw(false)
      })
      over.addEventListener(
        'wheel',
        (e) => {
          e.preventDefault()
          const horizontal = e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)
          if (horizontal) {
            on.pan(((e.shiftKey ? e.deltaY : e.deltaX) / u.over.clientWidth) * 1)
          } else {
            on.zoom(Math.exp(e.deltaY * 0.002), usAt(e.clientX))
          }
        },
        { passive: false },
      )
    }

    const observer = new ResizeObserver(() => {
      if (!plot) return
      plot.setSize({ width: node.clientWidth, height: node.clientHeight })
      on.width(plot.bbox.width / uPlot.pxRatio)
    })
    observer.observe(node)

    $effect(() => {
      input = getInput()
      const key = [input.channels.join('\u0000'), [...input.hidden].join(','), input.stacked].join(
        '|',
      )
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
