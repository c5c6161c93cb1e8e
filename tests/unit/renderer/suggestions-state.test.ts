import { describe, expect, it } from 'vitest'
import type { LabelInfo, MethodResult } from '../../../src-preload/contract/index'
import { keymapActions } from '../../../src-renderer/lib/keymap-actions'
import { entryFor, KEYMAP, type KeymapEntry } from '../../../src-renderer/lib/keymap'
import { AppState } from '../../../src-renderer/lib/state/app.svelte'
import { LabelsState } from '../../../src-renderer/lib/state/labels.svelte'
import {
  nextStop,
  SuggestionsState,
  type Suggestion,
} from '../../../src-renderer/lib/state/suggestions.svelte'
import { FakeBridge, labelList, settle, startingClasses } from './fake-bridge'

const S = 1e6
type Run = MethodResult<'runs.list'>[number]

function run(id: number, status: Run['status']): Run {
  return {
    id,
    createdAt: id,
    status,
    preset: 'dense',
    datasetVersionId: null,
    datasetName: null,
    epochs: 10,
    bestEpoch: 9,
    params: 2000,
    valAccuracy: 1,
    testAccuracy: 0.98,
    seconds: 3,
    error: null,
    datasetChanged: false,
    kind: 'classifier',
    anomaly: null,
  }
}

const suggestion = (startS: number, endS: number, confidence: number): Suggestion => ({
  classId: 2,
  startUs: startS * S,
  endUs: endS * S,
  confidence,
  windows: 4,
})
const human: LabelInfo = { id: 7, recordingId: 1, classId: 2, startUs: 10 * S, endUs: 12 * S }

/** The label service's two suggestion methods as the real ones answer (the labels they make). */
function world() {
  let labels: LabelInfo[] = [human]
  let nextId = 8
  const bridge = new FakeBridge({
    'classes.list': () => startingClasses,
    'labels.list': () => labelList({ labels }),
    'runs.list': () => [run(3, 'running'), run(2, 'complete'), run(1, 'complete')],
    'labels.suggest': ({ recordingId, runId }) => ({
      recordingId,
      runId,
      suggestions: [suggestion(2, 5, 0.97), suggestion(20, 24, 0.7), suggestion(30, 31, 0.95)],
      windows: 120,
      defaultRegions: 3,
      belowConfidence: 0,
      cut: 0,
      coveredByLabels: 1,
    }),
    'labels.acceptSuggestions': ({ suggestions }) => {
      labels = [
        ...labels,
        ...suggestions.map(({ classId, startUs, endUs }) => ({
          id: nextId++,
          recordingId: 1,
          classId,
          startUs,
          endUs,
        })),
      ]
      return labelList({ labels, canUndo: true, undoLabel: 'Undo: accept' })
    },
  })
  const api = bridge.client()
  const labelsState = new LabelsState(api)
  return { bridge, labels: labelsState, suggestions: new SuggestionsState(api, labelsState) }
}

describe('nextStop', () => {
  const stops = [
    { kind: 'label' as const, key: 7, startUs: 10 * S, endUs: 12 * S },
    { kind: 'suggestion' as const, key: 0, startUs: 2 * S, endUs: 5 * S },
    { kind: 'suggestion' as const, key: 1, startUs: 20 * S, endUs: 24 * S },
  ]
  it('visits labels and suggestions in time order, from the selection or the window', () => {
    expect(nextStop(stops, 1, null, 0, 60 * S)?.key).toBe(0)
    expect(nextStop(stops, 1, { startUs: 2 * S }, 0, 60 * S)).toMatchObject({ kind: 'label' })
    expect(nextStop(stops, 1, { startUs: 10 * S }, 0, 60 * S)).toMatchObject({ key: 1 })
    expect(nextStop(stops, 1, { startUs: 20 * S }, 0, 60 * S)).toBeNull()
    expect(nextStop(stops, -1, { startUs: 20 * S }, 0, 60 * S)).toMatchObject({ kind: 'label' })
    expect(nextStop(stops, -1, null, 0, 15 * S)).toMatchObject({ kind: 'label' })
    // With nothing selected, N starts at the window: what ends before it is behind.
    expect(nextStop(stops, 1, null, 6 * S, 60 * S)).toMatchObject({ kind: 'label' })
  })
})

describe('SuggestionsState', () => {
  it('offers the completed runs, newest first, and suggests with the chosen one', async () => {
    const w = world()
    await w.labels.open(1)
    await w.suggestions.loadRuns()
    expect(w.suggestions.runs.map((r) => r.id)).toEqual([2, 1])
    expect(w.suggestions.runId).toBe(2)
    w.suggestions.runId = 1
    await w.suggestions.suggest()
    expect(w.bridge.argsOf('labels.suggest')).toEqual([
      { recordingId: 1, runId: 1, minConfidence: 0.5 },
    ])
    expect(w.suggestions.items).toHaveLength(3)
    expect(w.suggestions.selected).toBeNull()
  })

  it('accepting one makes it a label and selects the next; rejecting hides one', async () => {
    const w = world()
    await w.labels.open(1)
    await w.suggestions.suggest()
    w.labels.selectedId = 7
    w.suggestions.select(0)
    expect(w.labels.selectedId).toBeNull()
    await w.suggestions.accept()
    expect(w.bridge.argsOf('labels.acceptSuggestions')).toEqual([
      {
        recordingId: 1,
        runId: 2,
        suggestions: [{ classId: 2, startUs: 2 * S, endUs: 5 * S, confidence: 0.97 }],
      },
    ])
    expect(w.labels.labels.map((l) => l.startUs)).toEqual([10 * S, 2 * S])
    expect(w.labels.list?.canUndo).toBe(true)
    expect(w.suggestions.items.map((s) => s.startUs)).toEqual([20 * S, 30 * S])
    expect(w.suggestions.selected?.startUs).toBe(20 * S)
    expect(w.suggestions.notice).toMatch(/Ctrl\+Z undoes it/)

    w.suggestions.reject()
    expect(w.suggestions.items.map((s) => s.startUs)).toEqual([30 * S])
    expect(w.suggestions.selected?.startUs).toBe(30 * S)
    w.suggestions.reject()
    expect(w.suggestions.items).toEqual([])
    expect(w.suggestions.selected).toBeNull()
    expect(w.bridge.argsOf('labels.acceptSuggestions')).toHaveLength(1)
  })

  it('accepts all at or above the threshold in one call, and says when none is', async () => {
    const w = world()
    await w.labels.open(1)
    await w.suggestions.suggest()
    w.suggestions.threshold = 0.95
    expect(w.suggestions.aboveThreshold).toHaveLength(2)
    await w.suggestions.acceptAll()
    const [args] = w.bridge.argsOf('labels.acceptSuggestions')
    expect(args?.suggestions.map((s) => s.confidence)).toEqual([0.97, 0.95])
    expect(w.suggestions.items.map((s) => s.confidence)).toEqual([0.7])
    expect(w.suggestions.notice).toMatch(/Accepted 2 suggestions/)
    await w.suggestions.acceptAll()
    expect(w.bridge.argsOf('labels.acceptSuggestions')).toHaveLength(1)
    expect(w.suggestions.notice).toBe('No suggestion is at or above 95%.')
  })

  it('says what to do without a trained run, and shows a refusal in words', async () => {
    const bridge = new FakeBridge({
      'classes.list': () => startingClasses,
      'labels.list': () => labelList(),
      'runs.list': () => [run(1, 'failed')],
    })
    const labels = new LabelsState(bridge.client())
    const state = new SuggestionsState(bridge.client(), labels)
    await labels.open(1)
    await state.suggest()
    expect(state.error).toMatch(/train a run in Train first/)
    expect(bridge.argsOf('labels.suggest')).toEqual([])
  })

  it('drops an answer for a recording that is no longer open', async () => {
    const w = world()
    await w.labels.open(1)
    const pending = w.suggestions.suggest()
    void w.labels.open(2)
    await pending
    await settle()
    expect(w.suggestions.items).toEqual([])
  })
})

describe('the keys of suggestions', () => {
  it('N and P go through labels and suggestions; A accepts, R and Delete reject, Mod+Enter all', async () => {
    const bridge = world().bridge
    const app = new AppState(() => bridge.client())
    await app.labels.open(1)
    await app.suggestions.suggest()
    const keys = keymapActions(app).label
    keys['labels.next']()
    expect(app.suggestions.selected?.startUs).toBe(2 * S)
    keys['labels.next']()
    expect(app.labels.selectedId).toBe(7)
    expect(app.suggestions.selected).toBeNull()
    keys['labels.next']()
    expect(app.suggestions.selected?.startUs).toBe(20 * S)
    keys['labels.previous']()
    expect(app.labels.selectedId).toBe(7)
    keys['labels.next']()
    keys['suggestions.reject']()
    expect(app.suggestions.items.map((s) => s.startUs)).toEqual([2 * S, 30 * S])
    expect(app.suggestions.selected?.startUs).toBe(30 * S)
    keys['labels.remove']()
    expect(app.suggestions.items.map((s) => s.startUs)).toEqual([2 * S])
    expect(bridge.argsOf('labels.delete')).toEqual([]) // the label stays
    keys['labels.previous']()
    keys['labels.previous']()
    keys['suggestions.accept']()
    await settle()
    expect(bridge.argsOf('labels.acceptSuggestions')).toHaveLength(1)
    expect(app.suggestions.items).toEqual([])

    const press = (key: string, mods = {}) => ({
      key,
      code: key,
      ctrlKey: false,
      metaKey: false,
      altKey: false,
      shiftKey: false,
      ...mods,
    })
    expect(entryFor('label', press('a'))).toBe('suggestions.accept')
    expect(entryFor('label', press('r'))).toBe('suggestions.reject')
    expect(entryFor('label', press('Enter', { ctrlKey: true }))).toBe('suggestions.acceptAll')
    expect(entryFor('label', press('Enter'))).toBe('labels.commitMarks')
    const palette = (KEYMAP as readonly KeymapEntry[])
      .filter((e) => e.id.startsWith('suggestions.'))
      .map((e) => e.palette)
    expect(palette).toEqual(['in its view', 'in its view', 'in its view', 'in its view'])
  })
})
