import { describe, expect, it } from 'vitest'
import { buildCommands } from '../../../src-renderer/lib/commands'
import {
  KEYMAP,
  LABEL_LEGEND,
  PALETTE_ENTRIES,
  entryFor,
  keyCaps,
  keyCapsOf,
  keyHint,
  withKeys,
  type KeyPress,
  type KeyScope,
} from '../../../src-renderer/lib/keymap'
import { actionOf, keymapActions } from '../../../src-renderer/lib/keymap-actions'
import { AppState } from '../../../src-renderer/lib/state/app.svelte'
import type { MethodArgs } from '../../../src-preload/contract/index'
import {
  FakeBridge,
  emptySlice,
  labelList,
  recordingDetail,
  settle,
  startingClasses,
} from './fake-bridge'

/** A key press as the browser reports it: `key` as typed, modifiers named. */
function press(key: string, modifiers: Partial<KeyPress> = {}): KeyPress {
  const code = /^\d$/.test(key)
    ? `Digit${key}`
    : /^[a-z]$/i.test(key)
      ? `Key${key.toUpperCase()}`
      : key
  return { key, code, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...modifiers }
}

function appOnFakeBridge(bridge = new FakeBridge()) {
  return new AppState(() => bridge.client())
}

const scopes: KeyScope[] = ['global', 'capture', 'label', 'train', 'deploy']

describe('the keymap table', () => {
  it('gives every entry an action in its scope, and no action to anything else', () => {
    const actions = keymapActions(appOnFakeBridge())
    for (const scope of scopes) {
      const ids = KEYMAP.filter((e) => e.scope === scope).map((e) => e.id)
      expect(Object.keys(actions[scope]).sort(), scope).toEqual([...ids].sort())
    }
    for (const entry of KEYMAP) expect(typeof actionOf(actions, entry), entry.id).toBe('function')
  })

  it('binds each key once per scope, and no view key hides a global one', () => {
    const chordsIn = (scope: KeyScope) =>
      KEYMAP.filter((e) => e.scope === scope).flatMap((e) => [
        ...e.keys,
        ...('alsoKeys' in e ? e.alsoKeys : []),
      ])
    const global = chordsIn('global')
    for (const scope of scopes) {
      const chords = chordsIn(scope)
      expect(new Set(chords).size, scope).toBe(chords.length)
      if (scope !== 'global')
        expect(
          chords.filter((c) => global.includes(c)),
          scope,
        ).toEqual([])
    }
    expect(new Set(KEYMAP.map((e) => e.id)).size).toBe(KEYMAP.length)
  })

  it('matches presses as the views always have', () => {
    const cases: [KeyScope, KeyPress, string | null][] = [
      ['global', press('k', { ctrlKey: true }), 'palette.toggle'],
      ['global', press('k', { metaKey: true }), 'palette.toggle'],
      ['global', press('o', { ctrlKey: true }), 'project.open'],
      ['global', press('O', { ctrlKey: true, shiftKey: true }), null],
      ['global', press('N', { ctrlKey: true, shiftKey: true }), 'project.new'],
      // Alt+digit by the physical key: on a Mac, Alt+1 types '¡'.
      ['global', { ...press('¡', { altKey: true }), code: 'Digit1' }, 'view.capture'],
      ['global', press('5', { altKey: true }), 'view.deploy'],
      ['global', press('6', { altKey: true }), null],
      ['capture', press('r'), 'capture.toggle'],
      ['capture', press('R', { shiftKey: true }), null],
      ['capture', press('r', { ctrlKey: true }), null],
      ['label', press('z', { ctrlKey: true }), 'labels.undo'],
      ['label', press('Z', { ctrlKey: true, shiftKey: true }), 'labels.redo'],
      ['label', press('y', { ctrlKey: true }), 'labels.redo'],
      ['label', press('z'), 'timeline.zoomIn'],
      ['label', press('Z', { shiftKey: true }), null],
      ['label', press('+', { shiftKey: true }), 'timeline.zoomIn'],
      ['label', press('='), 'timeline.zoomIn'],
      ['label', press('-'), 'timeline.zoomOut'],
      ['label', press('x'), 'timeline.zoomOut'],
      ['label', press('ArrowLeft', { shiftKey: true }), 'timeline.panLeft'],
      ['label', press('7'), 'labels.pickClass'],
      ['label', press('0'), null],
      ['label', press('1', { altKey: true }), null],
      ['label', press('Backspace'), 'labels.remove'],
      ['label', press('Escape'), 'labels.clear'],
      ['label', press('k', { ctrlKey: true }), null],
      // R records in Capture; in Label it rejects the selected suggestion.
      ['label', press('r'), 'suggestions.reject'],
      ['train', press('Enter', { ctrlKey: true }), 'training.start'],
      ['train', press('Enter', { metaKey: true }), 'training.start'],
      ['train', press('Enter'), null],
      // Ctrl+Enter trains in Train; in Label it accepts the suggestions above the threshold.
      ['label', press('Enter', { ctrlKey: true }), 'suggestions.acceptAll'],
      ['deploy', press('v'), 'deploy.verify'],
      ['deploy', press('e'), 'deploy.exportTflite'],
      ['deploy', press('f'), 'deploy.flash'],
      ['label', press('f'), 'timeline.fit'],
      ['deploy', press('e', { ctrlKey: true }), null],
      ['label', press('v'), null],
    ]
    for (const [scope, p, id] of cases) {
      expect(entryFor(scope, p), `${scope} ${JSON.stringify(p)}`).toBe(id)
    }
  })
})

describe('hints from the keymap', () => {
  it('writes keys as the keyboard shows them', () => {
    expect(keyHint('labels.redo')).toBe('Ctrl+Shift+Z')
    expect(keyHint('timeline.zoomIn')).toBe('+ or Z')
    expect(keyHint('labels.pickClass')).toBe('1–9')
    expect(keyHint('labels.remove')).toBe('Del')
    expect(keyCaps('Mod+K', true)).toEqual(['⌘', 'K'])
    expect(keyCapsOf('palette.toggle')).toEqual(['Ctrl', 'K'])
    expect(keyCapsOf('capture.toggle')).toEqual(['R'])
  })

  it('names the keys in tooltips', () => {
    expect(withKeys('timeline.zoomOut')).toBe('Zoom out (- or X)')
    expect(withKeys('timeline.fit', 'Fit the whole recording')).toBe('Fit the whole recording (F)')
    expect(withKeys('view.label', 'Mark anomalies on the timeline')).toBe(
      'Mark anomalies on the timeline (Alt+2)',
    )
  })

  it('builds the Label view legend from the bound keys', () => {
    expect(LABEL_LEGEND).toBe(
      'Drag to label · Alt+drag zooms to it · Shift+drag pans · 1–9 class · [ ] in/out, Enter · ' +
        'Del removes · ←/→ pan · Z/X or wheel zoom · F fit · N/P next/previous · Ctrl+Z undo',
    )
  })
})

describe('the command palette', () => {
  it('lists the keymap entries meant for it, with their keys, then the recent projects', () => {
    const app = appOnFakeBridge()
    app.recent = [
      { path: '/p/pump.tinyloop', name: 'pump', exists: true, openedAt: 1 },
      { path: '/p/gone.tinyloop', name: 'gone', exists: false, openedAt: 0 },
    ] as AppState['recent']
    const commands = buildCommands(app)
    expect(commands.map((c) => c.id)).toEqual([
      ...PALETTE_ENTRIES.map((e) => e.id),
      'project.recent:/p/pump.tinyloop',
    ])
    expect(commands.map((c) => [c.title, c.hint])).toEqual([
      ['Go to Capture', 'Alt+1'],
      ['Go to Label', 'Alt+2'],
      ['Go to Dataset', 'Alt+3'],
      ['Go to Train', 'Alt+4'],
      ['Go to Deploy', 'Alt+5'],
      ['Switch project…', undefined],
      ['Open project…', 'Ctrl+O'],
      ['New project…', 'Ctrl+Shift+N'],
      ['Import recordings…', 'CSV, Edge Impulse'],
      ['Try the demo project', 'labeled recordings, no hardware needed'],
      ['Record the selected device', 'R in Capture'],
      ['Undo the last label change', 'Ctrl+Z'],
      ['Redo the label change', 'Ctrl+Shift+Z'],
      ['Fit the whole recording on the timeline', 'F in Label'],
      ['Edit classes…', undefined],
      ['Suggest labels with a trained model', "the run's int8 model over this recording"],
      ['Accept the selected suggestion', 'A in Label'],
      ['Reject the selected suggestion', 'R in Label'],
      ['Accept every suggestion at or above the threshold', 'Ctrl+Enter in Label'],
      ['Train a model', 'Ctrl+Enter in Train'],
      ['Cancel the training run', undefined],
      ['Flash the model to the chosen device', 'F in Deploy'],
      ['Watch the device live (or stop)', 'L in Deploy'],
      ['Check the recording for drift', 'D in Deploy'],
      ['Check the model in LiteRT.js and Arm NN', 'V in Deploy'],
      ['Export the model as .tflite', 'E in Deploy'],
      ['Export the model as C files', undefined],
      ['Export the model as an Arduino library', undefined],
      ['Export the model bundle', '.tflite, metadata and C files'],
      ['Write a model export to a path…', 'on the computer running TinyLoop'],
      ['Open recent: pump', '/p/pump.tinyloop'],
    ])
  })

  it('shows the view of a view’s command before running it', () => {
    const app = appOnFakeBridge()
    const run = (id: string) =>
      buildCommands(app)
        .find((c) => c.id === id)
        ?.run()
    run('classes.edit')
    expect([app.view, app.editingClasses]).toEqual(['label', true])
    run('view.dataset')
    expect(app.view).toBe('dataset')
    run('data.import')
    expect([app.view, app.importOpen]).toEqual(['dataset', true])
    run('training.start')
    expect(app.view).toBe('train')
    run('deploy.verify')
    expect(app.view).toBe('deploy')
  })
})

describe('keys in the Label view', () => {
  async function labelingApp() {
    const created: MethodArgs<'labels.create'>[] = []
    const bridge = new FakeBridge({
      'recordings.get': ({ id }) => recordingDetail(id, 100),
      'timeline.view': emptySlice,
      'classes.list': () => startingClasses,
      'labels.list': () => labelList(),
      'labels.create': (args) => {
        created.push(args)
        const { classId, startUs, endUs } = args
        return labelList({
          labels: [{ id: 7, recordingId: 1, classId, startUs, endUs }],
          labelId: 7,
          canUndo: true,
        })
      },
    })
    const app = appOnFakeBridge(bridge)
    await Promise.all([app.timeline.load(1), app.labels.open(1)])
    app.timeline.setViewport({ fromUs: 10e6, toUs: 20e6 })
    return { app, created, keys: keymapActions(app).label }
  }

  it('marks in and out at the pointer, or the middle, and Enter labels between them', async () => {
    const { app, created, keys } = await labelingApp()
    app.timeline.cursorUs = 18e6
    keys['labels.markIn']()
    app.timeline.cursorUs = null
    keys['labels.markOut']()
    keys['labels.commitMarks']()
    await settle()
    expect(created).toEqual([{ recordingId: 1, classId: 2, startUs: 15e6, endUs: 18e6 }])
    expect(app.labels.selected?.id).toBe(7)
    expect([app.labels.inUs, app.labels.outUs]).toEqual([null, null])
    keys['labels.clear']()
    expect(app.labels.selected).toBe(null)
  })

  it('pans by a tenth of the window, half with Shift', async () => {
    const { app, keys } = await labelingApp()
    keys['timeline.panRight']()
    expect(app.timeline.viewport).toEqual({ fromUs: 11e6, toUs: 21e6 })
    keys['timeline.panLeft'](press('ArrowLeft', { shiftKey: true }))
    expect(app.timeline.viewport).toEqual({ fromUs: 6e6, toUs: 16e6 })
  })
})
