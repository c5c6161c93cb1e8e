import type { KeyPress, KeyScope, KeymapEntry, ScopeActions } from './keymap'
import type { AppState } from './state/app.svelte'
import { nextStop, type Stop } from './state/suggestions.svelte'
import { VIEWS, type ViewId } from './state/views'

export type KeymapActions = { [S in KeyScope]: ScopeActions<S> }

/** What each entry of the keymap does: run by its keys, and by the palette. */
export function keymapActions(app: AppState): KeymapActions {
  const { capture, labels, suggestions, timeline, training, deploy } = app
  /** Keyboard marks go where the pointer is, else in the middle of the window. */
  const here = () => timeline.cursorUs ?? (timeline.viewport.fromUs + timeline.viewport.toUs) / 2
  /** N and P go through the labels and the suggestions together, in time order. */
  const selectNeighbour = (direction: 1 | -1) => {
    const stops: Stop[] = [
      ...labels.shown.map((l) => ({ kind: 'label' as const, key: l.id, ...l })),
      ...suggestions.items.map((s, i) => ({ kind: 'suggestion' as const, key: i, ...s })),
    ]
    const current = labels.selected ?? suggestions.selected
    const { fromUs, toUs } = timeline.viewport
    const next = nextStop(stops, direction, current, fromUs, toUs)
    if (!next) return
    if (next.kind === 'label') {
      labels.selectedId = next.key
      suggestions.select(null)
    } else suggestions.select(next.key)
    timeline.reveal(next.startUs, next.endUs)
  }
  const goTo = Object.fromEntries(
    VIEWS.map((view) => [
      `view.${view.id}`,
      () => {
        app.view = view.id
      },
    ]),
  ) as Record<`view.${ViewId}`, () => void>

  return {
    global: {
      ...goTo,
      'project.switch': () => {
        app.switcher = 'recent'
      },
      'project.open': () => void app.chooseProject('open'),
      'project.new': () => void app.chooseProject('create'),
      'data.import': () => {
        app.importOpen = true
      },
      'data.demo': () => void app.addDemo(),
      'palette.toggle': () => {
        app.paletteOpen = !app.paletteOpen
      },
    },
    capture: {
      'capture.toggle': () => void capture.toggle(),
    },
    label: {
      'labels.undo': () => void labels.undo(),
      'labels.redo': () => void labels.redo(),
      'timeline.fit': () => timeline.fit(),
      'classes.edit': () => {
        app.editingClasses = true
      },
      'labels.pickClass': (press) => {
        if (press) void labels.pickHotkey(press.key)
      },
      'labels.markIn': () => {
        labels.inUs = here()
      },
      'labels.markOut': () => {
        labels.outUs = here()
      },
      'labels.commitMarks': () => void labels.commitMarks(),
      'labels.remove': () => {
        if (suggestions.selected) suggestions.reject()
        else if (labels.selected) void labels.remove(labels.selected.id)
      },
      'labels.clear': () => {
        labels.selectedId = null
        suggestions.select(null)
        labels.inUs = null
        labels.outUs = null
        timeline.focusSpan = null
      },
      'timeline.panLeft': (press) => timeline.pan(press?.shiftKey ? -0.5 : -0.1),
      'timeline.panRight': (press) => timeline.pan(press?.shiftKey ? 0.5 : 0.1),
      'timeline.zoomIn': () => timeline.zoom(0.5),
      'timeline.zoomOut': () => timeline.zoom(2),
      'labels.next': () => selectNeighbour(1),
      'labels.previous': () => selectNeighbour(-1),
      'suggestions.suggest': () => void suggestions.suggest(),
      'suggestions.accept': () => void suggestions.accept(),
      'suggestions.reject': () => suggestions.reject(),
      'suggestions.acceptAll': () => void suggestions.acceptAll(),
    },
    train: {
      'training.start': () => void training.start(),
      'training.cancel': () => void training.cancel(),
    },
    deploy: {
      'deploy.flash': () => void deploy.device.flash(),
      'deploy.verify': () => void deploy.verify(),
      'deploy.live': () => void deploy.live.toggle(),
      'deploy.drift': () => {
        if (deploy.run) void deploy.drift.check(deploy.run.id)
      },
      'deploy.exportTflite': () => void deploy.exportFormat('tflite'),
      'deploy.exportC': () => void deploy.exportFormat('c'),
      'deploy.exportArduino': () => void deploy.exportFormat('arduino'),
      'deploy.exportBundle': () => void deploy.exportFormat('bundle'),
      'deploy.exportToPath': () => {
        if (deploy.run) deploy.pathDialogOpen = true
      },
    },
  }
}

/** The action of an entry, looked up by its scope. */
export function actionOf(actions: KeymapActions, entry: KeymapEntry): (press?: KeyPress) => void {
  const scoped = actions[entry.scope] as Record<string, (press?: KeyPress) => void>
  return scoped[entry.id] as (press?: KeyPress) => void
}
