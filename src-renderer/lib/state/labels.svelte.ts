import type { ApiClient } from '../../api/client'
import type { MethodArgs, MethodResult } from '../../../src-preload/contract/index'
import { messageOf } from '../../api/rpc-error'
import { formatBytes, MAX_LABEL_FILE_BYTES } from '../../../src-preload/limits'

export type LabelClass = MethodResult<'classes.list'>[number]
export type LabelList = MethodResult<'labels.list'>
export type Label = LabelList['labels'][number]

/** A class the project no longer has (renamed or deleted since a dataset or run named it). */
const UNKNOWN_CLASS_COLOR = '#999999'

const HOTKEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const

/**
 * The labels of the recording on the timeline, the classes, the active class, the selection and
 * the keyboard in/out points. Every edit goes to the services at once (they save and journal it);
 * undo and redo are the services' too, so they survive a reload.
 */
export class LabelsState {
  readonly #api: ApiClient
  recordingId = $state<number | null>(null)
  classes = $state.raw<LabelClass[]>([])
  list = $state.raw<LabelList | null>(null)
  activeClassId = $state<number | null>(null)
  selectedId = $state<number | null>(null)
  inUs = $state<number | null>(null)
  outUs = $state<number | null>(null)
  /** Only labels of this class are listed (null: all). */
  filterClassId = $state<number | null>(null)
  error = $state<string | null>(null)

  constructor(api: ApiClient) {
    this.#api = api
    api.on('labels.onChanged', ({ recordingId }) => {
      if (recordingId === this.recordingId) void this.refresh()
    })
    api.on('classes.onChanged', () => void this.refreshClasses())
  }

  readonly labels: Label[] = $derived(this.list?.labels ?? [])
  readonly selected: Label | null = $derived(
    this.labels.find((l) => l.id === this.selectedId) ?? null,
  )
  readonly shown: Label[] = $derived(
    this.filterClassId === null
      ? this.labels
      : this.labels.filter((l) => l.classId === this.filterClassId),
  )
  /** Classes a region can be given: all but the recording's default class. */
  readonly labelClasses: LabelClass[] = $derived(
    this.classes.filter((c) => c.id !== this.list?.defaultClassId),
  )

  classOf(id: number): LabelClass | undefined {
    return this.classes.find((c) => c.id === id)
  }

  /** The colour of the class named `name` (datasets and runs name their classes). */
  colorOfName(name: string): string {
    return this.classes.find((c) => c.name === name)?.color ?? UNKNOWN_CLASS_COLOR
  }

  async open(recordingId: number): Promise<void> {
    this.recordingId = recordingId
    this.selectedId = null
    this.inUs = null
    this.outUs = null
    await Promise.all([this.refreshClasses(), this.refresh()])
  }

  async refreshClasses(): Promise<void> {
    this.classes = await this.#api.call('classes.list', {})
    if (this.activeClassId === null || !this.classes.some((c) => c.id === this.activeClassId)) {
      this.activeClassId = this.labelClasses[0]?.id ?? null
    }
  }

  async refresh(): Promise<void> {
    if (this.recordingId === null) return
    const id = this.recordingId
    const list = await this.#api.call('labels.list', { recordingId: id })
    if (id !== this.recordingId) return
    this.list = list
    if (this.activeClassId === null || this.activeClassId === list.defaultClassId) {
      this.activeClassId = this.labelClasses[0]?.id ?? null
    }
    if (this.selectedId !== null && !list.labels.some((l) => l.id === this.selectedId)) {
      this.selectedId = null
    }
  }

  /** Picks the class of hotkey `key` (1-9); relabels the selected region with it too. */
  async pickHotkey(key: string): Promise<void> {
    const cls = this.classes.find((c) => c.hotkey === key)
    if (!cls || cls.id === this.list?.defaultClassId) return
    this.activeClassId = cls.id
    if (this.selected && this.selected.classId !== cls.id) {
      await this.update(this.selected.id, { classId: cls.id })
    }
  }

  async create(startUs: number, endUs: number): Promise<void> {
    if (this.recordingId === null || this.activeClassId === null) return
    await this.#apply(() =>
      this.#api.call('labels.create', {
        recordingId: this.recordingId as number,
        classId: this.activeClassId as number,
        startUs,
        endUs,
      }),
    )
  }

  /** Enter: the region between the in and out points becomes a label of the active class. */
  async commitMarks(): Promise<void> {
    if (this.inUs === null || this.outUs === null || this.inUs === this.outUs) return
    await this.create(Math.min(this.inUs, this.outUs), Math.max(this.inUs, this.outUs))
    this.inUs = null
    this.outUs = null
  }

  async update(
    id: number,
    change: { classId?: number; startUs?: number; endUs?: number },
  ): Promise<void> {
    await this.#apply(() => this.#api.call('labels.update', { id, ...change }))
  }

  async remove(id: number): Promise<void> {
    await this.#apply(() => this.#api.call('labels.delete', { id }))
    if (this.selectedId === id) this.selectedId = null
  }

  async undo(): Promise<void> {
    if (this.recordingId === null || !this.list?.canUndo) return
    await this.#apply(() =>
      this.#api.call('labels.undo', { recordingId: this.recordingId as number }),
    )
  }

  async redo(): Promise<void> {
    if (this.recordingId === null || !this.list?.canRedo) return
    await this.#apply(() =>
      this.#api.call('labels.redo', { recordingId: this.recordingId as number }),
    )
  }

  /**
   * The label after (or before) the selection; with nothing selected, the first label from the
   * start of the window `fromUs` (or the last one before its end `toUs`).
   */
  neighbour(direction: 1 | -1, fromUs: number, toUs: number): Label | null {
    const sorted = [...this.shown].sort((a, b) => a.startUs - b.startUs)
    const selected = this.selected
    if (direction === 1) {
      return (
        (selected
          ? sorted.find((l) => l.startUs > selected.startUs)
          : sorted.find((l) => l.endUs > fromUs)) ?? null
      )
    }
    const before = selected
      ? sorted.filter((l) => l.startUs < selected.startUs)
      : sorted.filter((l) => l.startUs < toUs)
    return before.at(-1) ?? null
  }

  /**
   * Gives the whole recording a class: the class of the time no label covers (a recording of one
   * machine condition needs no labels). The project's default class is sent as null, so the
   * recording follows the project's default if it changes.
   */
  async setRecordingClass(classId: number): Promise<void> {
    if (this.recordingId === null) return
    const recordingId = this.recordingId
    const own = this.classOf(classId)?.isDefault ? null : classId
    await this.#apply(() => this.#api.call('labels.setDefaultClass', { recordingId, classId: own }))
  }

  /** Reads a label file chosen in the page (CSV, JSON, Edge Impulse) into the recording. */
  async importFile(file: File): Promise<string> {
    if (this.recordingId === null) return ''
    this.error = null
    if (file.size > MAX_LABEL_FILE_BYTES) {
      this.error =
        `${file.name} is ${formatBytes(file.size)}; label files up to ` +
        `${formatBytes(MAX_LABEL_FILE_BYTES)} can be imported.`
      return ''
    }
    let outcome: MethodResult<'labels.import'>
    try {
      outcome = await this.#api.call('labels.import', {
        recordingId: this.recordingId,
        file: { name: file.name, text: await file.text() },
      })
    } catch (err) {
      this.error = `${file.name} was not imported: ${messageOf(err)}`
      return ''
    }
    if (!outcome.ok) {
      const first = outcome.problems
        .slice(0, 3)
        .map((p) => (p.line ? `line ${p.line}: ` : '') + p.message)
      this.error = `${file.name} was not imported: ${first.join('; ')}${outcome.problems.length > 3 ? ` (and ${outcome.problems.length - 3} more)` : ''}`
      return ''
    }
    this.list = outcome.list
    return `Imported ${outcome.imported} labels from ${file.name}.`
  }

  /** The labels as a file to download. */
  async exportFile(
    format: 'csv' | 'json' | 'ei',
  ): Promise<{ text: string; fileName: string } | null> {
    if (this.recordingId === null) return null
    try {
      return await this.#api.call('labels.exportText', { recordingId: this.recordingId, format })
    } catch (err) {
      this.error = messageOf(err)
      return null
    }
  }

  async updateClass(id: number, change: { name?: string; color?: string; hotkey?: string | null }) {
    this.error = null
    try {
      await this.#api.call('classes.upsert', { id, ...change } as MethodArgs<'classes.upsert'>)
      await this.refreshClasses()
    } catch (err) {
      this.error = messageOf(err)
      await this.refreshClasses() // show the stored values again
    }
  }

  /** The recording's label actions, newest first: who changed what, including undo and redo. */
  async history(): Promise<MethodResult<'labels.history'>> {
    if (this.recordingId === null) return []
    try {
      return await this.#api.call('labels.history', { recordingId: this.recordingId, limit: 100 })
    } catch (err) {
      this.error = messageOf(err)
      return []
    }
  }

  async deleteClass(id: number): Promise<void> {
    this.error = null
    try {
      this.classes = await this.#api.call('classes.delete', { id })
    } catch (err) {
      this.error = messageOf(err)
    }
  }

  /** Adds a class with the next free hotkey; it becomes the active class. */
  async addClass(name: string): Promise<void> {
    const used = this.classes.map((c) => c.hotkey)
    const hotkey = HOTKEYS.find((k) => !used.includes(k)) ?? null
    try {
      const created = await this.#api.call('classes.upsert', { name, hotkey })
      await this.refreshClasses()
      this.activeClassId = created.id
    } catch (err) {
      this.error = messageOf(err)
    }
  }

  async #apply(change: () => Promise<LabelList>): Promise<void> {
    this.error = null
    try {
      this.list = await change()
      // The region just made or changed (or what it merged into) becomes the selection.
      if (this.list.labelId !== null && this.list.labelId !== undefined) {
        this.selectedId = this.list.labelId
      }
    } catch (err) {
      this.error = messageOf(err)
    }
  }
}
