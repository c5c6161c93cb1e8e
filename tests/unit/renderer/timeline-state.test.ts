import { describe, expect, it } from 'vitest'
import type { MethodArgs, TimelineSlice } from '../../../src-preload/contract/index'
import { TimelineState } from '../../../src-renderer/lib/state/timeline.svelte'
import {
  FakeBridge,
  deferred,
  emptySlice,
  recordingDetail,
  settle,
  type Deferred,
} from './fake-bridge'

/** A one-hour recording at 100 Hz; window requests wait until the test answers them. */
function timelineOfAnHour() {
  const pending: { args: MethodArgs<'timeline.view'>; answer: Deferred<TimelineSlice> }[] = []
  const bridge = new FakeBridge({
    'recordings.get': ({ id }) => recordingDetail(id, 3600),
    'timeline.view': (args) => {
      // The overview (the whole recording) is answered at once.
      if (args.pixels === 1200) return emptySlice(args)
      const answer = deferred<TimelineSlice>()
      pending.push({ args, answer })
      return answer.promise
    },
  })
  const state = new TimelineState(bridge.client())
  state.width = 1000 // as the chart reports it; the overview is 1200 columns whatever the width
  return { bridge, pending, state }
}

describe('the timeline state', () => {
  it('opens a recording fitted to the window, asking for as many buckets as pixels', async () => {
    const { pending, state } = timelineOfAnHour()
    await state.load(1)
    expect(state.channels).toEqual(['ax', 'ay', 'az'])
    expect(state.viewport).toEqual({ fromUs: 0, toUs: 3600e6 })
    expect(pending.map((p) => [p.args.fromUs, p.args.toUs, p.args.pixels])).toEqual([
      [0, 3600e6, 1000],
    ])
  })

  it('asks for the window with half a window either side, so short pans draw at once', async () => {
    const { pending, state } = timelineOfAnHour()
    await state.load(1)
    pending[0]?.answer.resolve(emptySlice(pending[0].args))
    await settle()
    state.setViewport({ fromUs: 1000e6, toUs: 1100e6 })
    await settle()
    expect(pending.map((p) => [p.args.fromUs, p.args.toUs, p.args.pixels]).at(-1)).toEqual([
      950e6, 1150e6, 2000,
    ])
  })

  it('while a fetch is out, fetches only the latest window next', async () => {
    const { pending, state } = timelineOfAnHour()
    await state.load(1)
    for (const fromUs of [100e6, 200e6, 300e6]) state.setViewport({ fromUs, toUs: fromUs + 60e6 })
    expect(pending).toHaveLength(1)
    pending[0]?.answer.resolve(emptySlice(pending[0].args))
    await settle()
    expect(pending.map((p) => p.args.fromUs)).toEqual([0, 270e6])
  })

  it('keeps the window inside the recording and no narrower than a few samples', async () => {
    const { state } = timelineOfAnHour()
    await state.load(1)
    state.zoom(8)
    expect(state.viewport).toEqual({ fromUs: 0, toUs: 3600e6 })
    state.setViewport({ fromUs: 5e6, toUs: 5e6 + 1 })
    // Ten samples at 100 Hz.
    expect(state.viewport).toEqual({ fromUs: 5e6, toUs: 5.1e6 })
    state.pan(-1)
    expect(state.viewport.fromUs).toBe(4.9e6)
  })

  it('opens a window shown from elsewhere zoomed to it, with its width either side', async () => {
    const { state } = timelineOfAnHour()
    state.focus(1, 600e6, 601e6)
    await state.load(1)
    expect(state.viewport).toEqual({ fromUs: 599e6, toUs: 602e6 })
    expect(state.focusSpan).toEqual({ startUs: 600e6, endUs: 601e6 })
    // The recording open already: the window moves at once.
    state.focus(1, 10e6, 12e6)
    expect(state.viewport).toEqual({ fromUs: 8e6, toUs: 14e6 })
    // Another recording opens fitted, without the outline.
    await state.load(2)
    expect(state.viewport).toEqual({ fromUs: 0, toUs: 3600e6 })
    expect(state.focusSpan).toBe(null)
  })

  it('drops the answer for a recording when another was opened meanwhile', async () => {
    const { bridge, state } = timelineOfAnHour()
    const late = deferred<ReturnType<typeof recordingDetail>>()
    bridge.answers['recordings.get'] = ({ id }) =>
      id === 1 ? late.promise : recordingDetail(id, 60)
    const first = state.load(1)
    await state.load(2)
    late.resolve(recordingDetail(1, 3600))
    await first
    expect(state.recording?.id).toBe(2)
    expect(state.extent.endUs).toBe(60e6)
  })
})
