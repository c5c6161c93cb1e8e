import type { ApiClient } from '../../api/client'
import type { MethodResult } from '../../../src-preload/contract/index'
import { messageOf } from '../../api/rpc-error'
import { keyHint } from '../keymap'
import type { LabelsState } from './labels.svelte'

export type LabelSuggestions = MethodResult<'labels.suggest'>
export type Suggestion = LabelSuggestions['suggestions'][number]
type RunSummary = MethodResult<'runs.list'>[number]

/** A place N and P stop at on the timeline: a label (by id) or a suggestion (by index). */
export interface Stop {
  kind: 'label' | 'suggestion'
  key: number
  startUs: number
  endUs: number
}

/**
 * The stop after (or before) `current`, in time order; with nothing current, the first from the
 * window's start `fromUs` (or the last before its end `toUs`), as LabelsState.neighbour does.
 */
export function nextStop(
  stops: readonly Stop[],
  direction: 1 | -1,
  current: { startUs: number } | null,
  fromUs: number,
  toUs: number,
): Stop | null {
  const sorted = [...stops].sort((a, b) => a.startUs - b.startUs)
  if (direction === 1) {
    return (
      (current
        ? sorted.find((s) => s.startUs > current.startUs)
        : sorted.find((s) => s.endUs > fromUs)) ?? null
    )
  }
  const before = current
    ? sorted.filter((s) => s.startUs < current.startUs)
    : sorted.filter((s) => s.startUs < toUs)
  return before.at(-1) ?? null
}

/**
 * Model-assisted labeling in the Label view: a trained run's suggestions for the open recording,
 * which the labeler accepts (they become labels, by the model, undoable) or rejects one by one, or
 * accepts all at or above a confidence. Rejecting only hides a suggestion; suggesting again
 * brings back what is still unlabeled.
 */
export class SuggestionsState {
  readonly #api: ApiClient
  readonly #labels: LabelsState
  /** Completed runs, newest first: the models that can suggest. */
  runs = $state.raw<RunSummary[]>([])
  runId = $state<number | null>(null)
  /** "Accept all" takes the suggestions at or above this confidence. */
  threshold = $state(0.9)
  /** What the last suggest call said (counts), for the recording it was for. */
  result = $state.raw<LabelSuggestions | null>(null)
  /** Suggestions not yet accepted or rejected, in time order. */
  items = $state.raw<Suggestion[]>([])
  selectedIndex = $state<number | null>(null)
  busy = $state(false)
  error = $state<string | null>(null)
  notice = $state<string | null>(null)

  constructor(api: ApiClient, labels: LabelsState) {
    this.#api = api
    this.#labels = labels
  }

  readonly selected: Suggestion | null = $derived(
    this.selectedIndex === null ? null : (this.items[this.selectedIndex] ?? null),
  )
  readonly aboveThreshold: Suggestion[] = $derived(
    this.items.filter((s) => s.confidence >= this.threshold),
  )

  async loadRuns(): Promise<void> {
    try {
      const runs = await this.#api.call('runs.list', {})
      this.runs = runs.filter((r) => r.status === 'complete' && r.kind !== 'anomaly')
      if (this.runId === null || !this.runs.some((r) => r.id === this.runId)) {
        this.runId = this.runs[0]?.id ?? null
      }
    } catch (err) {
      this.error = messageOf(err)
    }
  }

  /** Runs the chosen model over the open recording; its suggestions replace the previous ones. */
  async suggest(): Promise<void> {
    const recordingId = this.#labels.recordingId
    if (this.runId === null) await this.loadRuns()
    if (recordingId === null || this.runId === null) {
      this.error = 'No trained model yet: train a run in Train first, then suggest labels with it.'
      return
    }
    this.busy = true
    this.error = null
    this.notice = null
    try {
      const result = await this.#api.call('labels.suggest', {
        recordingId,
        runId: this.runId,
        minConfidence: 0.5,
      })
      if (recordingId !== this.#labels.recordingId) return
      this.result = result
      this.items = result.suggestions
      this.selectedIndex = null
      this.notice =
        result.suggestions.length === 0
          ? `Run ${result.runId} suggests nothing more to label here.`
          : null
    } catch (err) {
      this.error = messageOf(err)
    } finally {
      this.busy = false
    }
  }

  /** The recording changed: the suggestions were for another one. */
  clear(): void {
    this.result = null
    this.items = []
    this.selectedIndex = null
    this.error = null
    this.notice = null
  }

  select(index: number | null): void {
    this.selectedIndex = index
    if (index !== null) this.#labels.selectedId = null
  }

  /** Accepts the selected suggestion (or the one at `index`): it becomes a label. */
  async accept(index = this.selectedIndex): Promise<void> {
    const suggestion = index === null ? undefined : this.items[index]
    if (!suggestion) return
    await this.#accept([suggestion])
  }

  /** Accepts every suggestion at or above the threshold, as one undoable action. */
  async acceptAll(): Promise<void> {
    const chosen = this.aboveThreshold
    if (chosen.length === 0) {
      this.notice = `No suggestion is at or above ${Math.round(this.threshold * 100)}%.`
      return
    }
    await this.#accept(chosen)
  }

  /** Hides the selected suggestion; the next one becomes the selection. */
  reject(index = this.selectedIndex): void {
    if (index === null || !this.items[index]) return
    this.items = this.items.filter((_, i) => i !== index)
    this.#reselect(index)
  }

  async #accept(chosen: Suggestion[]): Promise<void> {
    const recordingId = this.#labels.recordingId
    const runId = this.result?.runId
    if (recordingId === null || runId === undefined) return
    this.error = null
    this.notice = null
    const at = this.selectedIndex
    try {
      const list = await this.#api.call('labels.acceptSuggestions', {
        recordingId,
        runId,
        suggestions: chosen.map(({ classId, startUs, endUs, confidence }) => ({
          classId,
          startUs,
          endUs,
          confidence,
        })),
      })
      this.#labels.list = list
      this.items = this.items.filter((s) => !chosen.includes(s))
      this.#reselect(at)
      this.notice =
        chosen.length === 1
          ? `Accepted as a label (${keyHint('labels.undo')} undoes it).`
          : `Accepted ${chosen.length} suggestions as labels (${keyHint('labels.undo')} undoes them).`
    } catch (err) {
      this.error = messageOf(err)
    }
  }

  /** After one left the list: the one now at its place, else the last; none when empty. */
  #reselect(at: number | null): void {
    if (at === null || this.items.length === 0) this.selectedIndex = null
    else this.selectedIndex = Math.min(at, this.items.length - 1)
  }
}
