import { describe, expect, it } from 'vitest'
import type { LabelInfo, LabelList } from '../../../src-preload/contract/index'
import { formatBytes, MAX_LABEL_FILE_BYTES } from '../../../src-preload/limits'
import { LabelsState } from '../../../src-renderer/lib/state/labels.svelte'
import { FakeBridge, ServiceFailure, deferred, labelList, startingClasses } from './fake-bridge'

/**
 * The label service in miniature: a list of labels with an undo stack, answering as the real one
 * does (every edit returns the recording's list, with the label it made or changed).
 */
function labelService() {
  let labels: LabelInfo[] = []
  const undone: LabelInfo[][] = []
  const done: LabelInfo[][] = []
  let nextId = 1
  const list = (labelId: number | null = null): LabelList =>
    labelList({ labels, labelId, canUndo: done.length > 0, canRedo: undone.length > 0 })
  const edit = (next: LabelInfo[], labelId: number | null) => {
    done.push(labels)
    undone.length = 0
    labels = next
    return list(labelId)
  }
  const bridge = new FakeBridge({
    'classes.list': () => startingClasses,
    'labels.list': () => list(),
    'labels.create': ({ recordingId, classId, startUs, endUs }) => {
      const id = nextId++
      return edit([...labels, { id, recordingId, classId, startUs, endUs }], id)
    },
    'labels.update': ({ id, ...change }) =>
      edit(
        labels.map((l) => (l.id === id ? { ...l, ...change } : l)),
        id,
      ),
    'labels.delete': ({ id }) =>
      edit(
        labels.filter((l) => l.id !== id),
        null,
      ),
    'labels.undo': () => {
      undone.push(labels)
      labels = done.pop() ?? []
      return list()
    },
    'labels.redo': () => {
      done.push(labels)
      labels = undone.pop() ?? []
      return list()
    },
  })
  return { bridge, state: new LabelsState(bridge.client()) }
}

describe('the labels of the recording on the timeline', () => {
  it('opens with the first class that is not the default one active', async () => {
    const { state } = labelService()
    await state.open(1)
    expect(state.labelClasses.map((c) => c.name)).toEqual(['anomaly'])
    expect(state.activeClassId).toBe(2)
    expect(state.labels).toEqual([])
  })

  it('shows a new label selected; undo takes it away, redo brings it back', async () => {
    const { state } = labelService()
    await state.open(1)
    await state.create(1e6, 2e6)
    expect(state.labels).toEqual([{ id: 1, recordingId: 1, classId: 2, startUs: 1e6, endUs: 2e6 }])
    expect(state.selected?.id).toBe(1)
    expect(state.list?.canUndo).toBe(true)

    await state.undo()
    expect(state.labels).toEqual([])
    expect(state.selected).toBe(null)
    expect(state.list?.canRedo).toBe(true)

    await state.redo()
    expect(state.labels.map((l) => l.id)).toEqual([1])
  })

  it('does not ask to undo when there is nothing to undo', async () => {
    const { bridge, state } = labelService()
    await state.open(1)
    await state.undo()
    await state.redo()
    expect(bridge.argsOf('labels.undo')).toEqual([])
    expect(bridge.argsOf('labels.redo')).toEqual([])
  })

  it('relabels the selected label with the class of a key, but never as the default class', async () => {
    const { bridge, state } = labelService()
    await state.open(1)
    await state.create(1e6, 2e6)
    bridge.answers['classes.list'] = () => [
      ...startingClasses,
      { ...startingClasses[1]!, id: 3, name: 'bearing', hotkey: '2', sortOrder: 2 },
      { ...startingClasses[0]!, hotkey: '3' },
    ]
    await state.refreshClasses()
    await state.pickHotkey('2')
    expect(state.activeClassId).toBe(3)
    expect(state.labels[0]?.classId).toBe(3)
    await state.pickHotkey('3')
    expect(state.activeClassId).toBe(3)
    expect(bridge.argsOf('labels.update')).toEqual([{ id: 1, classId: 3 }])
  })

  it('labels from the in to the out point in time order, and forgets the points', async () => {
    const { state } = labelService()
    await state.open(1)
    state.inUs = 5e6
    state.outUs = 3e6
    await state.commitMarks()
    expect(state.labels.map((l) => [l.startUs, l.endUs])).toEqual([[3e6, 5e6]])
    expect([state.inUs, state.outUs]).toEqual([null, null])
  })

  it('says why an edit was refused, and keeps the labels as they were', async () => {
    const { bridge, state } = labelService()
    await state.open(1)
    await state.create(1e6, 2e6)
    bridge.answers['labels.create'] = () => {
      throw new ServiceFailure('INVALID_ARGUMENT', 'A label must end after it starts.')
    }
    await state.create(3e6, 3e6)
    expect(state.error).toBe('A label must end after it starts.')
    expect(state.labels.map((l) => l.id)).toEqual([1])
  })

  it('follows changes made elsewhere to its recording, not to others', async () => {
    const { bridge, state } = labelService()
    await state.open(1)
    const other = { id: 9, recordingId: 1, classId: 2, startUs: 0, endUs: 1e6 }
    bridge.answers['labels.list'] = ({ recordingId }) =>
      labelList({ recordingId, labels: recordingId === 1 ? [other] : [] })
    bridge.emit('labels.onChanged', { recordingId: 2 })
    await Promise.resolve()
    expect(bridge.argsOf('labels.list')).toEqual([{ recordingId: 1 }])
    bridge.emit('labels.onChanged', { recordingId: 1 })
    await new Promise((r) => setTimeout(r, 0))
    expect(state.labels).toEqual([other])
  })

  it('drops a label list that arrives after another recording was opened', async () => {
    const { bridge, state } = labelService()
    const first = deferred<LabelList>()
    bridge.answers['labels.list'] = ({ recordingId }) =>
      recordingId === 1 ? first.promise : labelList({ recordingId: 2 })
    const opening = state.open(1)
    await state.open(2)
    const stale = { id: 5, recordingId: 1, classId: 2, startUs: 0, endUs: 1e6 }
    first.resolve(labelList({ recordingId: 1, labels: [stale] }))
    await opening
    expect(state.list?.recordingId).toBe(2)
    expect(state.labels).toEqual([])
  })

  it('gives the whole recording a class, the project default as none of its own', async () => {
    const { bridge, state } = labelService()
    bridge.answers['labels.setDefaultClass'] = ({ classId }) =>
      labelList({ defaultClassId: classId ?? 1 })
    await state.open(1)
    await state.setRecordingClass(2)
    expect(state.list?.defaultClassId).toBe(2)
    // The class of the time no label covers is not offered for regions.
    expect(state.labelClasses.map((c) => c.name)).toEqual(['normal'])
    await state.setRecordingClass(1)
    expect(bridge.argsOf('labels.setDefaultClass')).toEqual([
      { recordingId: 1, classId: 2 },
      { recordingId: 1, classId: null },
    ])
    bridge.answers['labels.setDefaultClass'] = () => {
      throw new ServiceFailure('INVALID_ARGUMENT', 'This recording has a label of "anomaly".')
    }
    await state.setRecordingClass(2)
    expect(state.error).toBe('This recording has a label of "anomaly".')
  })

  it('refuses a label file too large to send, in words, without sending it', async () => {
    const { bridge, state } = labelService()
    await state.open(1)
    const size = MAX_LABEL_FILE_BYTES + 1
    const huge = { name: 'huge.csv', size, text: async () => '' } as File
    expect(await state.importFile(huge)).toBe('')
    expect(state.error).toBe(
      `huge.csv is ${formatBytes(size)}; label files up to ${formatBytes(MAX_LABEL_FILE_BYTES)} can be imported.`,
    )
    expect(bridge.argsOf('labels.import')).toEqual([])
  })
})
