import { describe, expect, it } from 'vitest'
import type {
  MethodArgs,
  MethodResult,
  Prediction,
  PredictionTrack,
} from '../../../src-preload/contract/index'
import {
  agreementPercent,
  agreementWithLabels,
  predictionSpans,
  spanAt,
} from '../../../src-renderer/lib/predictions/lane'
import { LabelsState } from '../../../src-renderer/lib/state/labels.svelte'
import { PredictionLaneState } from '../../../src-renderer/lib/state/prediction-lane.svelte'
import {
  FakeBridge,
  deferred,
  labelList,
  settle,
  startingClasses,
  type Deferred,
} from './fake-bridge'

const S = 1e6
const CLASSES = ['normal', 'anomaly']
const TRACK = { classes: CLASSES, windowUs: 1 * S }

/** A window of 1 s ending at `endS`, of class `classIndex` (null: the model is unknown). */
const at = (endS: number, classIndex: number | null = 0) => ({ endUs: endS * S, classIndex })
const label = (startS: number, endS: number, className = 'anomaly') => ({
  startUs: startS * S,
  endUs: endS * S,
  className,
})

describe('agreement of the device with the labels', () => {
  it('compares each window with the label at its centre, and the default class elsewhere', () => {
    // Windows of 1 s every 0.5 s: centres at 0.5, 1.0, … 4.5 s; "anomaly" labeled over [2, 3.5).
    const predictions = [
      at(1),
      at(1.5),
      at(2),
      at(2.5, 1), // centre 2.0: on the label's start, which it includes
      at(3, 1),
      at(3.5, 1),
      at(4, 1), // centre 3.5: on the label's end, which it excludes: normal time
      at(4.5),
      at(5, 1),
    ]
    expect(agreementWithLabels(predictions, TRACK, [label(2, 3.5)], 'normal')).toEqual({
      windows: 9,
      agreeing: 7,
    })
  })

  it('counts every window of unlabeled time against the default class', () => {
    const predictions = [at(1), at(2), at(3, 1), at(4)]
    expect(agreementWithLabels(predictions, TRACK, [], 'normal')).toEqual({
      windows: 4,
      agreeing: 3,
    })
  })

  it('leaves out windows the device did not name, and unlabeled time without a default class', () => {
    const predictions = [at(1, null), at(2, 1), at(3, 1), at(6, 0)]
    expect(agreementWithLabels(predictions, TRACK, [label(1, 3)], null)).toEqual({
      windows: 2,
      agreeing: 2,
    })
    expect(agreementWithLabels(predictions, { classes: [], windowUs: null }, [], 'normal')).toEqual(
      { windows: 0, agreeing: 0 },
    )
  })

  it('agrees where overlapping labels name its class, whichever label started first', () => {
    const labels = [label(0, 10, 'bearing'), label(2, 4, 'anomaly'), label(20, 30)]
    const predictions = [at(3.5, 1), at(5.5, 1), at(9, 1)]
    expect(agreementWithLabels(predictions, TRACK, labels, 'normal')).toEqual({
      windows: 3,
      agreeing: 1,
    })
  })

  it('takes labels in any order, and only windows centred in the range when one is given', () => {
    const labels = [label(6, 8), label(1, 2)]
    const predictions = [at(2, 1), at(3), at(5), at(7.5, 1), at(9)]
    expect(agreementWithLabels(predictions, TRACK, labels, 'normal')).toEqual({
      windows: 5,
      agreeing: 5,
    })
    expect(
      agreementWithLabels(predictions, TRACK, labels, 'normal', { fromUs: 2 * S, toUs: 7 * S }),
    ).toEqual({ windows: 2, agreeing: 2 })
  })

  it('writes the share in whole percent, never 100% while a window disagrees', () => {
    expect(agreementPercent({ windows: 1234, agreeing: 1136 })).toBe('92%')
    expect(agreementPercent({ windows: 1000, agreeing: 999 })).toBe('99%')
    expect(agreementPercent({ windows: 7, agreeing: 7 })).toBe('100%')
    expect(agreementPercent({ windows: 0, agreeing: 0 })).toBe('—')
  })
})

describe('the spans of the lane', () => {
  it('gives each window its middle stride, so overlapping windows tile the timeline', () => {
    const spans = predictionSpans([at(1), at(1.5), at(2)], 1 * S)
    expect(spans).toEqual([
      { startUs: 0.25 * S, endUs: 0.75 * S },
      { startUs: 0.75 * S, endUs: 1.25 * S },
      { startUs: 1.25 * S, endUs: 1.75 * S },
    ])
  })

  it('leaves a gap where predictions are missing: never more than half a window each side', () => {
    const spans = predictionSpans([at(1), at(1.5), at(10), at(10.5)], 1 * S)
    expect(spans[1]).toEqual({ startUs: 0.75 * S, endUs: 1.5 * S })
    expect(spans[2]).toEqual({ startUs: 9 * S, endUs: 9.75 * S })
    expect(predictionSpans([at(4)], 1 * S)).toEqual([{ startUs: 3 * S, endUs: 4 * S }])
  })

  it('finds the span under the pointer, and none in a gap', () => {
    const spans = predictionSpans([at(1), at(1.5), at(10)], 1 * S)
    expect(spanAt(spans, 0.2 * S)).toBeNull()
    expect(spanAt(spans, 0.25 * S)).toBe(0)
    expect(spanAt(spans, 1.1 * S)).toBe(1)
    expect(spanAt(spans, 5 * S)).toBeNull()
    expect(spanAt(spans, 9.6 * S)).toBe(2)
    expect(spanAt([], 1)).toBeNull()
  })
})

const track = (id: number, runId: number | null, count: number): PredictionTrack => ({
  id,
  recordingId: 1,
  modelCrc32: `0000000${id}`,
  runId,
  classes: CLASSES,
  windowUs: 1 * S,
  count,
  firstEndUs: 1 * S,
  lastEndUs: count * 0.5 * S + 0.5 * S,
})

const prediction = (endS: number, classIndex: number, probability: number): Prediction => ({
  endUs: endS * S,
  outputs: classIndex === 0 ? [127, -128] : [-128, 127],
  classIndex,
  probability,
  score: null,
  latencyUs: 410,
  instructions: 0,
})

/** A recording with two tracks; range requests wait until the test answers them. */
function world(tracks = [track(1, 1, 40), track(2, 2, 40)]) {
  const pending: {
    args: MethodArgs<'predictions.range'>
    answer: Deferred<MethodResult<'predictions.range'>>
  }[] = []
  const bridge = new FakeBridge({
    'classes.list': () => startingClasses,
    'labels.list': () => labelList({ defaultClassId: 1 }),
    'predictions.tracks': () => tracks,
    'predictions.range': (args) => {
      const answer = deferred<MethodResult<'predictions.range'>>()
      pending.push({ args, answer })
      return answer.promise
    },
  })
  const labels = new LabelsState(bridge.client())
  const lane = new PredictionLaneState(bridge.client(), labels)
  const answer = (i: number, predictions: Prediction[]) => {
    const p = pending[i]
    const t = tracks.find((x) => x.id === p?.args.trackId) as PredictionTrack
    p?.answer.resolve({ track: t, predictions, truncated: false })
  }
  return { bridge, labels, lane, pending, answer }
}

describe('the Predictions lane state', () => {
  it('opens the newest track, and fetches the window with margins and a window more', async () => {
    const { lane, pending } = world()
    await lane.open(1)
    expect(lane.track?.runId).toBe(2)
    lane.view({ fromUs: 10 * S, toUs: 20 * S })
    expect(pending.map((p) => p.args)).toEqual([{ trackId: 2, fromUs: 5 * S, toUs: 26 * S }])
  })

  it('does not fetch again while the answer covers the window, zoomed in or panned a little', async () => {
    const { lane, pending, answer } = world()
    await lane.open(1)
    lane.view({ fromUs: 10 * S, toUs: 20 * S })
    answer(0, [prediction(11, 0, 0.9)])
    await settle()
    lane.view({ fromUs: 12 * S, toUs: 14 * S })
    lane.view({ fromUs: 14 * S, toUs: 24 * S })
    expect(pending).toHaveLength(1)
    lane.view({ fromUs: 30 * S, toUs: 40 * S })
    expect(pending).toHaveLength(2)
  })

  it('while a fetch is out, fetches only the latest window next', async () => {
    const { lane, pending, answer } = world()
    await lane.open(1)
    for (const fromS of [100, 200, 300]) lane.view({ fromUs: fromS * S, toUs: (fromS + 10) * S })
    expect(pending).toHaveLength(1)
    answer(0, [])
    await settle()
    expect(pending.map((p) => p.args.fromUs)).toEqual([95 * S, 295 * S])
  })

  it('drops the answer for a track no longer chosen, and fetches the chosen one', async () => {
    const { lane, pending, answer } = world()
    await lane.open(1)
    lane.view({ fromUs: 0, toUs: 10 * S })
    lane.select(1)
    lane.view({ fromUs: 0, toUs: 10 * S })
    answer(0, [prediction(1, 1, 0.9)])
    await settle()
    expect(lane.predictions).toEqual([])
    expect(pending.map((p) => p.args.trackId)).toEqual([2, 1])
    answer(1, [prediction(1, 0, 0.8)])
    await settle()
    expect(lane.predictions.map((p) => p.classIndex)).toEqual([0])
  })

  it('draws each prediction in its class colour, as opaque as it is probable; none when hidden', async () => {
    const { lane, labels, pending, answer } = world()
    await Promise.all([lane.open(1), labels.open(1)])
    lane.view({ fromUs: 0, toUs: 10 * S })
    answer(0, [prediction(1, 0, 0.9), prediction(1.5, 1, 0.6), prediction(2, 1, 0.05)])
    await settle()
    expect(lane.drawn).toEqual([
      { startUs: 0.25 * S, endUs: 0.75 * S, color: '#999999', alpha: 0.9 },
      { startUs: 0.75 * S, endUs: 1.25 * S, color: '#D55E00', alpha: 0.6 },
      { startUs: 1.25 * S, endUs: 1.75 * S, color: '#D55E00', alpha: 0.15 },
    ])
    expect(lane.at(1 * S)).toMatchObject({ className: 'anomaly', color: '#D55E00' })
    // The recording is all normal (no labels): one window of three agrees.
    expect(lane.agreement).toEqual({ windows: 3, agreeing: 1 })
    lane.toggle()
    expect(lane.drawn).toBeNull()
    expect(lane.at(1 * S)).toBeNull()
    lane.view({ fromUs: 50 * S, toUs: 60 * S })
    expect(pending).toHaveLength(1)
  })

  it('has no track, and asks for nothing, on a recording without predictions', async () => {
    const { lane, pending } = world([])
    await lane.open(1)
    lane.view({ fromUs: 0, toUs: 10 * S })
    expect(lane.track).toBeNull()
    expect(lane.drawn).toBeNull()
    expect(pending).toEqual([])
  })
})
