import { VIEWS, type ViewId } from './state/views'

/**
 * Every keyboard shortcut and palette command of the UI, in one table: the key handlers, the
 * command palette and the hints on screen (tooltips, key caps, the Label view's legend) all read
 * it, so a key cannot be bound in one place and advertised differently in another. What each
 * entry does is in keymap-actions.ts.
 *
 * Keys are written `Mod+Shift+Z` (Mod is Ctrl, or Cmd on a Mac), `Alt+1`, `R`, `[`, `ArrowLeft`.
 */
export type KeyScope = 'global' | Extract<ViewId, 'capture' | 'label' | 'train' | 'deploy'>

export interface KeymapEntry {
  id: string
  /** `global` works in every view; a view's entries only while that view is shown. */
  scope: KeyScope
  /** What it does, in the words the palette and tooltips use. */
  label: string
  /** The keys that run it, as hints write them (`+ or Z`). */
  keys: readonly string[]
  /** Keys that run it too without being advertised (`=` is `+` without Shift). */
  alsoKeys?: readonly string[]
  /**
   * Listed in the command palette: `anywhere` runs it in the current view, `in its view` first
   * shows the entry's view.
   */
  palette?: 'anywhere' | 'in its view'
  /** The palette's hint for an entry without keys. */
  detail?: string
}

const viewEntries = VIEWS.map((view, i) => ({
  id: `view.${view.id}` as const,
  scope: 'global' as const,
  label: `Go to ${view.title}`,
  keys: [`Alt+${i + 1}`],
  palette: 'anywhere' as const,
}))

const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9']

/** In palette order; entries the palette does not list follow their scope's listed ones. */
export const KEYMAP = [
  ...viewEntries,
  {
    id: 'project.switch',
    scope: 'global',
    label: 'Switch project…',
    keys: [],
    palette: 'anywhere',
  },
  {
    id: 'project.open',
    scope: 'global',
    label: 'Open project…',
    keys: ['Mod+O'],
    palette: 'anywhere',
  },
  {
    id: 'project.new',
    scope: 'global',
    label: 'New project…',
    keys: ['Mod+Shift+N'],
    palette: 'anywhere',
  },
  {
    id: 'data.import',
    scope: 'global',
    label: 'Import recordings…',
    keys: [],
    palette: 'anywhere',
    detail: 'CSV, Edge Impulse',
  },
  {
    id: 'data.demo',
    scope: 'global',
    label: 'Try the demo project',
    keys: [],
    palette: 'anywhere',
    detail: 'labeled recordings, no hardware needed',
  },
  { id: 'palette.toggle', scope: 'global', label: 'Open the command palette', keys: ['Mod+K'] },

  {
    id: 'capture.toggle',
    scope: 'capture',
    label: 'Record the selected device',
    keys: ['R'],
    palette: 'in its view',
  },

  {
    id: 'labels.undo',
    scope: 'label',
    label: 'Undo the last label change',
    keys: ['Mod+Z'],
    palette: 'anywhere',
  },
  {
    id: 'labels.redo',
    scope: 'label',
    label: 'Redo the label change',
    keys: ['Mod+Shift+Z'],
    alsoKeys: ['Mod+Y'],
    palette: 'anywhere',
  },
  {
    id: 'timeline.fit',
    scope: 'label',
    label: 'Fit the whole recording on the timeline',
    keys: ['F'],
    palette: 'in its view',
  },
  { id: 'classes.edit', scope: 'label', label: 'Edit classes…', keys: [], palette: 'in its view' },
  { id: 'labels.pickClass', scope: 'label', label: 'Pick the class of that key', keys: digits },
  { id: 'labels.markIn', scope: 'label', label: 'Set the in point', keys: ['['] },
  { id: 'labels.markOut', scope: 'label', label: 'Set the out point', keys: [']'] },
  { id: 'labels.commitMarks', scope: 'label', label: 'Label from in to out', keys: ['Enter'] },
  {
    id: 'labels.remove',
    scope: 'label',
    label: 'Delete the selected label',
    keys: ['Delete'],
    alsoKeys: ['Backspace'],
  },
  {
    id: 'labels.clear',
    scope: 'label',
    label: 'Clear the selection and the marks',
    keys: ['Escape'],
  },
  {
    id: 'timeline.panLeft',
    scope: 'label',
    label: 'Pan left (Shift: half a window)',
    keys: ['ArrowLeft'],
  },
  {
    id: 'timeline.panRight',
    scope: 'label',
    label: 'Pan right (Shift: half a window)',
    keys: ['ArrowRight'],
  },
  { id: 'timeline.zoomIn', scope: 'label', label: 'Zoom in', keys: ['+', 'Z'], alsoKeys: ['='] },
  { id: 'timeline.zoomOut', scope: 'label', label: 'Zoom out', keys: ['-', 'X'] },
  {
    id: 'labels.next',
    scope: 'label',
    label: 'Select the next label or suggestion',
    keys: ['N'],
  },
  {
    id: 'labels.previous',
    scope: 'label',
    label: 'Select the previous label or suggestion',
    keys: ['P'],
  },
  {
    id: 'suggestions.suggest',
    scope: 'label',
    label: 'Suggest labels with a trained model',
    keys: [],
    palette: 'in its view',
    detail: "the run's int8 model over this recording",
  },
  {
    id: 'suggestions.accept',
    scope: 'label',
    label: 'Accept the selected suggestion',
    keys: ['A'],
    palette: 'in its view',
  },
  {
    id: 'suggestions.reject',
    scope: 'label',
    label: 'Reject the selected suggestion',
    keys: ['R'],
    palette: 'in its view',
  },
  {
    id: 'suggestions.acceptAll',
    scope: 'label',
    label: 'Accept every suggestion at or above the threshold',
    keys: ['Mod+Enter'],
    palette: 'in its view',
  },

  {
    id: 'training.start',
    scope: 'train',
    label: 'Train a model',
    keys: ['Mod+Enter'],
    palette: 'in its view',
  },
  {
    id: 'training.cancel',
    scope: 'train',
    label: 'Cancel the training run',
    keys: [],
    palette: 'in its view',
  },

  {
    id: 'deploy.flash',
    scope: 'deploy',
    label: 'Flash the model to the chosen device',
    keys: ['F'],
    palette: 'in its view',
  },
  {
    id: 'deploy.live',
    scope: 'deploy',
    label: 'Watch the device live (or stop)',
    keys: ['L'],
    palette: 'in its view',
  },
  {
    id: 'deploy.drift',
    scope: 'deploy',
    label: 'Check the recording for drift',
    keys: ['D'],
    palette: 'in its view',
  },
  {
    id: 'deploy.verify',
    scope: 'deploy',
    label: 'Check the model in LiteRT.js and Arm NN',
    keys: ['V'],
    palette: 'in its view',
  },
  {
    id: 'deploy.exportTflite',
    scope: 'deploy',
    label: 'Export the model as .tflite',
    keys: ['E'],
    palette: 'in its view',
  },
  {
    id: 'deploy.exportC',
    scope: 'deploy',
    label: 'Export the model as C files',
    keys: [],
    palette: 'in its view',
  },
  {
    id: 'deploy.exportArduino',
    scope: 'deploy',
    label: 'Export the model as an Arduino library',
    keys: [],
    palette: 'in its view',
  },
  {
    id: 'deploy.exportBundle',
    scope: 'deploy',
    label: 'Export the model bundle',
    keys: [],
    palette: 'in its view',
    detail: '.tflite, metadata and C files',
  },
  {
    id: 'deploy.exportToPath',
    scope: 'deploy',
    label: 'Write a model export to a path…',
    keys: [],
    palette: 'in its view',
    detail: 'on the computer running TinyLoop',
  },
] as const satisfies readonly KeymapEntry[]

type Entry = (typeof KEYMAP)[number]
export type KeymapId = Entry['id']
/** The ids of a scope's entries. */
export type ScopeIds<S extends KeyScope> = IdsIn<Entry, S>
type IdsIn<E, S> = E extends { scope: S; id: infer Id extends string } ? Id : never

/** What a key handler needs of a keyboard event (a KeyboardEvent is one). */
export interface KeyPress {
  key: string
  code: string
  ctrlKey: boolean
  metaKey: boolean
  altKey: boolean
  shiftKey: boolean
}

/** What each entry of a scope does; a press is passed for keys whose Shift or digit matters. */
export type ScopeActions<S extends KeyScope> = Record<ScopeIds<S>, (press?: KeyPress) => void>

interface Chord {
  mod: boolean
  alt: boolean
  shift: boolean
  key: string
}

function parseChord(text: string): Chord {
  const parts = text.length > 1 ? text.split(/\+(?=.)/) : [text]
  const key = parts.at(-1) as string
  const modifiers = parts.slice(0, -1)
  return {
    mod: modifiers.includes('Mod'),
    alt: modifiers.includes('Alt'),
    shift: modifiers.includes('Shift'),
    key,
  }
}

/**
 * Whether a press is this chord. With Mod or Alt, Shift must match (Ctrl+Z undoes, Ctrl+Shift+Z
 * redoes); a plain key is matched by the character typed, which already says whether Shift was
 * held (`+` needs it on many layouts, `z` is not `Z`), so Shift+arrow stays the arrow. With Alt
 * the physical key counts: on a Mac, Alt changes the character.
 */
function matches(chord: Chord, press: KeyPress): boolean {
  if (chord.mod !== (press.ctrlKey || press.metaKey) || chord.alt !== press.altKey) return false
  if (chord.alt) return press.shiftKey === chord.shift && physicalKey(press) === chord.key
  if (chord.mod) {
    return press.shiftKey === chord.shift && press.key.toUpperCase() === chord.key.toUpperCase()
  }
  return press.key === (chord.key.length === 1 ? chord.key.toLowerCase() : chord.key)
}

function physicalKey(press: KeyPress): string {
  return press.code.replace(/^(?:Digit|Key)(?=.$)/, '')
}

const chordsOf = (entry: KeymapEntry): string[] => [...entry.keys, ...(entry.alsoKeys ?? [])]

const parsed = KEYMAP.map((entry) => ({ entry, chords: chordsOf(entry).map(parseChord) }))

/** The entry of `scope` that a press runs, if any. */
export function entryFor<S extends KeyScope>(scope: S, press: KeyPress): ScopeIds<S> | null {
  const hit = parsed.find(
    ({ entry, chords }) => entry.scope === scope && chords.some((c) => matches(c, press)),
  )
  return hit ? (hit.entry.id as ScopeIds<S>) : null
}

/** Runs the entry of `scope` bound to the key pressed, if any, instead of the browser's default. */
export function runKey<S extends KeyScope>(
  scope: S,
  actions: ScopeActions<S>,
  event: KeyboardEvent,
): void {
  const id = entryFor(scope, event)
  if (id === null) return
  event.preventDefault()
  actions[id](event)
}

function entry(id: KeymapId): KeymapEntry {
  return KEYMAP.find((e) => e.id === id) as KeymapEntry
}

const KEY_NAMES: Record<string, string> = { ArrowLeft: '←', ArrowRight: '→', Delete: 'Del' }

/** A chord's key caps, as on the keyboard: `['Ctrl', 'K']`, or `['⌘', 'K']` on a Mac. */
export function keyCaps(chord: string, mac = false): string[] {
  const { mod, alt, shift, key } = parseChord(chord)
  return [
    ...(mod ? [mac ? '⌘' : 'Ctrl'] : []),
    ...(alt ? ['Alt'] : []),
    ...(shift ? ['Shift'] : []),
    KEY_NAMES[key] ?? key,
  ]
}

/** The key caps of an entry's first key. */
export function keyCapsOf(id: KeymapId, mac = false): string[] {
  const [first] = entry(id).keys
  return first === undefined ? [] : keyCaps(first, mac)
}

/** An entry's keys as hints write them: `Ctrl+Shift+Z`, `+ or Z`, a run of digits as `1–9`. */
export function keyHint(id: KeymapId): string {
  return hintOf(entry(id))
}

function hintOf({ keys }: KeymapEntry): string {
  const digitRun = keys.length > 2 && keys.every((k, i) => k === String(Number(keys[0]) + i))
  if (digitRun) return `${keys[0]}–${keys.at(-1)}`
  return keys.map((k) => keyCaps(k).join('+')).join(' or ')
}

/** A tooltip naming an entry's keys: `Zoom in (+ or Z)`; `text` words it differently. */
export function withKeys(id: KeymapId, text = entry(id).label): string {
  return `${text} (${keyHint(id)})`
}

/** One of an entry's keys, by name, for a hint that shows only that one. */
function oneKey(id: KeymapId, key: string): string {
  if (!entry(id).keys.includes(key)) throw new Error(`The keymap binds no ${key} to ${id}.`)
  return keyCaps(key).join('+')
}

/** The key legend under the Label view's timeline: the chart's gestures, then the keys. */
export const LABEL_LEGEND = [
  'Drag to label',
  'Alt+drag zooms to it',
  'Shift+drag pans',
  `${keyHint('labels.pickClass')} class`,
  `${keyHint('labels.markIn')} ${keyHint('labels.markOut')} in/out, ${keyHint('labels.commitMarks')}`,
  `${keyHint('labels.remove')} removes`,
  `${keyHint('timeline.panLeft')}/${keyHint('timeline.panRight')} pan`,
  `${oneKey('timeline.zoomIn', 'Z')}/${oneKey('timeline.zoomOut', 'X')} or wheel zoom`,
  `${keyHint('timeline.fit')} fit`,
  `${keyHint('labels.next')}/${keyHint('labels.previous')} next/previous`,
  `${keyHint('labels.undo')} undo`,
].join(' · ')

/** The legend of suggestions, shown while there are some. */
export const SUGGESTION_LEGEND = [
  `${keyHint('labels.next')}/${keyHint('labels.previous')} visit`,
  `${keyHint('suggestions.accept')} accepts`,
  `${keyHint('suggestions.reject')} or ${keyHint('labels.remove')} rejects`,
  `${keyHint('suggestions.acceptAll')} accepts all at or above the threshold`,
].join(' · ')

/** The entries the command palette lists, in its order. */
export const PALETTE_ENTRIES: readonly KeymapEntry[] = (KEYMAP as readonly KeymapEntry[]).filter(
  (e) => e.palette,
)

/** The palette's right-aligned hint: the keys (and the view they work in), or the detail. */
export function paletteHint(e: KeymapEntry): string | undefined {
  if (e.keys.length === 0) return e.detail
  const view = VIEWS.find((v) => v.id === e.scope)
  return e.palette === 'in its view' && view ? `${hintOf(e)} in ${view.title}` : hintOf(e)
}
