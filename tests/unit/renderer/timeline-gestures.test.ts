import { describe, expect, it } from 'vitest'
import {
  IDLE,
  draftOf,
  reduceGesture,
  type GestureEffect,
  type GestureEvent,
  type GestureScene,
  type GestureState,
  type Region,
} from '../../../src-renderer/lib/chart/timeline-gestures'

// 1000 px showing 0-10 s: one pixel is 10 ms. The region spans 2-4 s, pixels 200-400.
const region: Region = { id: 1, startUs: 2e6, endUs: 4e6, selected: false }
const scene: GestureScene = { axis: { fromUs: 0, toUs: 10e6, widthPx: 1000 }, regions: [region] }

const down = (x: number, keys: { altKey?: boolean; shiftKey?: boolean } = {}): GestureEvent => ({
  type: 'down',
  x,
  button: 0,
  altKey: keys.altKey ?? false,
  shiftKey: keys.shiftKey ?? false,
})
const move = (x: number): GestureEvent => ({ type: 'move', x })
const up = (x: number): GestureEvent => ({ type: 'up', x })
const wheel = (x: number, deltaY: number, deltaX = 0, shiftKey = false): GestureEvent => ({
  type: 'wheel',
  x,
  deltaX,
  deltaY,
  shiftKey,
})

/** Runs events through the reducer: the state after them, and every effect but redraws. */
function gesture(events: GestureEvent[], on: GestureScene = scene) {
  let state: GestureState = IDLE
  const effects: GestureEffect[] = []
  for (const event of events) {
    const step = reduceGesture(state, event, on)
    state = step.state
    effects.push(...step.effects.filter((e) => e.type !== 'redraw' && e.type !== 'capturePointer'))
  }
  return { state, effects }
}

describe('timeline gestures', () => {
  it('creates a label across a drag on empty signal, whichever way it goes', () => {
    const during = gesture([down(500), move(600)])
    expect(draftOf(during.state.drag!)).toEqual({ startUs: 5e6, endUs: 6e6 })
    expect(during.effects).toEqual([])
    expect(gesture([down(500), move(600), move(700), up(700)]).effects).toEqual([
      { type: 'createLabel', startUs: 5e6, endUs: 7e6 },
    ])
    expect(gesture([down(700), move(500), up(500)]).effects).toEqual([
      { type: 'createLabel', startUs: 5e6, endUs: 7e6 },
    ])
  })

  it('treats a press that barely moves as a click that selects', () => {
    expect(gesture([down(300), up(302)]).effects).toEqual([{ type: 'select', id: 1 }])
    expect(gesture([down(600), up(601)]).effects).toEqual([{ type: 'select', id: null }])
  })

  it('moves a label dragged from inside', () => {
    expect(gesture([down(300), move(320), move(350), up(350)]).effects).toEqual([
      { type: 'changeLabel', id: 1, startUs: 2.5e6, endUs: 4.5e6 },
    ])
  })

  it('resizes a label dragged by an edge, and keeps start before end past the other edge', () => {
    expect(gesture([down(396), move(500), up(500)]).effects).toEqual([
      { type: 'changeLabel', id: 1, startUs: 2e6, endUs: 5e6 },
    ])
    expect(gesture([down(205), move(450), up(450)]).effects).toEqual([
      { type: 'changeLabel', id: 1, startUs: 4e6, endUs: 4.5e6 },
    ])
  })

  it('gives a shared edge to the selected label', () => {
    const next: Region = { id: 2, startUs: 4e6, endUs: 6e6, selected: true }
    const both = { ...scene, regions: [region, next] }
    expect(gesture([down(400), move(450), up(450)], both).effects).toEqual([
      { type: 'changeLabel', id: 2, startUs: 4.5e6, endUs: 6e6 },
    ])
  })

  it('zooms to the span of an Alt+drag, even over a label, and labels nothing', () => {
    expect(gesture([down(300, { altKey: true }), move(800), up(800)]).effects).toEqual([
      { type: 'zoomToSpan', fromUs: 3e6, toUs: 8e6 },
    ])
  })

  it('pans with a Shift+drag as the pointer moves, and labels nothing on release', () => {
    expect(gesture([down(500, { shiftKey: true }), move(600), move(550), up(550)]).effects).toEqual(
      [
        { type: 'pan', fraction: -0.1 },
        { type: 'pan', fraction: 0.05 },
      ],
    )
  })

  it('zooms with the wheel around the pointer, and pans with Shift or a sideways scroll', () => {
    expect(gesture([wheel(250, 100)]).effects).toEqual([
      { type: 'zoom', factor: Math.exp(0.2), anchorUs: 2.5e6 },
    ])
    expect(gesture([wheel(250, -100)]).effects).toEqual([
      { type: 'zoom', factor: Math.exp(-0.2), anchorUs: 2.5e6 },
    ])
    expect(gesture([wheel(250, 100, 0, true)]).effects).toEqual([{ type: 'pan', fraction: 0.1 }])
    expect(gesture([wheel(250, 10, -50)]).effects).toEqual([{ type: 'pan', fraction: -0.05 }])
  })

  it('shows what a press would do under the pointer', () => {
    expect(gesture([move(203), move(300), move(700)]).effects).toEqual([
      { type: 'pointer', cursor: 'ew-resize' },
      { type: 'pointer', cursor: 'grab' },
      { type: 'pointer', cursor: 'crosshair' },
    ])
  })

  it('ignores other buttons, and a cancelled drag changes nothing', () => {
    const right = reduceGesture(IDLE, { ...down(500), button: 2 } as GestureEvent, scene)
    expect(right).toEqual({ state: IDLE, effects: [] })
    const cancelled = gesture([down(500), move(700), { type: 'cancel' }, up(700)])
    expect(cancelled).toEqual({ state: IDLE, effects: [] })
  })

  it('keeps the pointer while the button is down, so a drag may leave the plot', () => {
    expect(reduceGesture(IDLE, down(500), scene).effects).toEqual([{ type: 'capturePointer' }])
  })
})
