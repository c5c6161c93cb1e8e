/**
 * The labeling timeline's pointer and wheel gestures as a pure reducer: (state, event) -> (state,
 * effects). A drag on empty signal creates a region, inside a region moves it, on an edge resizes
 * it; a click selects; Alt+drag zooms to the span, Shift+drag pans; the wheel zooms around the
 * pointer, Shift+wheel (or a horizontal scroll) pans. The chart only translates DOM events into
 * these and applies the effects; its keys are the keymap's (keymap.ts).
 */

/** The plot's time axis: `widthPx` CSS pixels showing `fromUs` to `toUs`. */
export interface Axis {
  fromUs: number
  toUs: number
  widthPx: number
}

/** A region as the gestures see it. */
export interface Region {
  id: number
  startUs: number
  endUs: number
  selected: boolean
}

/** What the gestures act on: the axis as drawn, and the regions on it. */
export interface GestureScene {
  axis: Axis
  regions: readonly Region[]
}

export type Drag =
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

export interface GestureState {
  drag: Drag | null
  /** Where the button went down, px: a release this close is a click. */
  downX: number
}

export const IDLE: GestureState = { drag: null, downX: 0 }

/** `x` is in CSS pixels from the plot's left edge. */
export type GestureEvent =
  | { type: 'down'; x: number; button: number; altKey: boolean; shiftKey: boolean }
  | { type: 'move'; x: number }
  | { type: 'up'; x: number }
  | { type: 'cancel' }
  | { type: 'wheel'; x: number; deltaX: number; deltaY: number; shiftKey: boolean }

export type GestureEffect =
  | { type: 'createLabel'; startUs: number; endUs: number }
  | { type: 'changeLabel'; id: number; startUs: number; endUs: number }
  | { type: 'select'; id: number | null }
  | { type: 'zoomToSpan'; fromUs: number; toUs: number }
  /** By this fraction of the window (positive = later). */
  | { type: 'pan'; fraction: number }
  /** By `factor` (< 1 zooms in) keeping `anchorUs` in place. */
  | { type: 'zoom'; factor: number; anchorUs: number }
  /** The pointer shows what a press here would do. */
  | { type: 'pointer'; cursor: 'crosshair' | 'grab' | 'ew-resize' }
  /** Keep the pointer's events while the button is down, even off the plot. */
  | { type: 'capturePointer' }
  /** The regions or the draft changed: paint again. */
  | { type: 'redraw' }

export interface GestureStep {
  state: GestureState
  effects: GestureEffect[]
}

/** How near an edge, px, a press grabs the edge rather than the region. */
const EDGE_PX = 6
/** Moves shorter than this, px, are clicks, not drags. */
const DRAG_PX = 3
/** Wheel zoom: a notch (deltaY 100) zooms out by e^0.2. */
const WHEEL_ZOOM_PER_DELTA = 0.002

export function reduceGesture(
  state: GestureState,
  event: GestureEvent,
  scene: GestureScene,
): GestureStep {
  const usAt = (x: number) =>
    scene.axis.fromUs + (x / scene.axis.widthPx) * (scene.axis.toUs - scene.axis.fromUs)
  switch (event.type) {
    case 'down': {
      if (event.button !== 0) return { state, effects: [] }
      const drag = dragFrom(event, usAt(event.x), scene)
      return { state: { drag, downX: event.x }, effects: [{ type: 'capturePointer' }] }
    }
    case 'move': {
      const { drag } = state
      if (!drag) {
        const hit = regionAt(event.x, scene)
        const cursor = hit?.edge ? 'ew-resize' : hit ? 'grab' : 'crosshair'
        return { state, effects: [{ type: 'pointer', cursor }] }
      }
      if (drag.kind === 'pan') {
        const fraction = -(event.x - drag.lastX) / scene.axis.widthPx
        return {
          state: { ...state, drag: { ...drag, lastX: event.x } },
          effects: [{ type: 'pan', fraction }],
        }
      }
      return {
        state: { ...state, drag: { ...drag, currentUs: usAt(event.x) } },
        effects: [{ type: 'redraw' }],
      }
    }
    case 'up':
      if (!state.drag) return { state, effects: [] }
      return {
        state: IDLE,
        effects: [...finish(state.drag, Math.abs(event.x - state.downX)), { type: 'redraw' }],
      }
    case 'cancel':
      return { state: IDLE, effects: state.drag ? [{ type: 'redraw' }] : [] }
    case 'wheel': {
      const horizontal = event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)
      const effect: GestureEffect = horizontal
        ? {
            type: 'pan',
            fraction: (event.shiftKey ? event.deltaY : event.deltaX) / scene.axis.widthPx,
          }
        : {
            type: 'zoom',
            factor: Math.exp(event.deltaY * WHEEL_ZOOM_PER_DELTA),
            anchorUs: usAt(event.x),
          }
      return { state, effects: [effect] }
    }
  }
}

function dragFrom(
  event: { x: number; altKey: boolean; shiftKey: boolean },
  us: number,
  scene: GestureScene,
): Drag {
  if (event.altKey) return { kind: 'zoom', anchorUs: us, currentUs: us }
  if (event.shiftKey) return { kind: 'pan', lastX: event.x, currentUs: us }
  const hit = regionAt(event.x, scene)
  const region = hit && scene.regions.find((r) => r.id === hit.id)
  if (!hit || !region) return { kind: 'create', anchorUs: us, currentUs: us }
  const { startUs, endUs } = region
  return hit.edge
    ? { kind: 'resize', id: hit.id, edge: hit.edge, startUs, endUs, currentUs: us }
    : { kind: 'move', id: hit.id, grabUs: us, startUs, endUs, currentUs: us }
}

/** What releasing the button after a drag does, `movedPx` from where it went down. */
function finish(drag: Drag, movedPx: number): GestureEffect[] {
  if (drag.kind === 'pan') return [] // it panned while moving
  if (movedPx < DRAG_PX) {
    return [{ type: 'select', id: drag.kind === 'move' || drag.kind === 'resize' ? drag.id : null }]
  }
  const { startUs, endUs } = draftOf(drag)
  if (drag.kind === 'create') return [{ type: 'createLabel', startUs, endUs }]
  if (drag.kind === 'zoom') return [{ type: 'zoomToSpan', fromUs: startUs, toUs: endUs }]
  return [{ type: 'changeLabel', id: drag.id, startUs, endUs }]
}

/** The region under `x`, and which edge if the press is on one. */
function regionAt(
  x: number,
  { axis, regions }: GestureScene,
): { id: number; edge: 'start' | 'end' | null } | null {
  const xOf = (us: number) => ((us - axis.fromUs) / (axis.toUs - axis.fromUs)) * axis.widthPx
  // Selected first, so its edges win over a neighbour's.
  const ordered = [...regions].sort((a, b) => Number(b.selected) - Number(a.selected))
  for (const r of ordered) {
    const x0 = xOf(r.startUs)
    const x1 = xOf(r.endUs)
    if (Math.abs(x - x0) <= EDGE_PX) return { id: r.id, edge: 'start' }
    if (Math.abs(x - x1) <= EDGE_PX) return { id: r.id, edge: 'end' }
    if (x > x0 && x < x1) return { id: r.id, edge: null }
  }
  return null
}

/** The span a drag shows while it goes on, and gives when it ends. */
export function draftOf(drag: Drag): { startUs: number; endUs: number } {
  switch (drag.kind) {
    case 'pan':
      return { startUs: drag.currentUs, endUs: drag.currentUs }
    case 'create':
    case 'zoom':
      return {
        startUs: Math.min(drag.anchorUs, drag.currentUs),
        endUs: Math.max(drag.anchorUs, drag.currentUs),
      }
    case 'move': {
      const shift = drag.currentUs - drag.grabUs
      return { startUs: drag.startUs + shift, endUs: drag.endUs + shift }
    }
    case 'resize': {
      const startUs = drag.edge === 'start' ? drag.currentUs : drag.startUs
      const endUs = drag.edge === 'end' ? drag.currentUs : drag.endUs
      return { startUs: Math.min(startUs, endUs), endUs: Math.max(startUs, endUs) }
    }
  }
}

/** The region a drag is moving or resizing (drawn as the draft instead), if any. */
export function editedRegion(drag: Drag | null): number | null {
  return drag && (drag.kind === 'move' || drag.kind === 'resize') ? drag.id : null
}
