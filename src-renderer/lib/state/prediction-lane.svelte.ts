import type { Prediction, PredictionTrack } from '../../../src-preload/contract/index'
import type { ApiClient } from '../../api/client'
import { messageOf } from '../../api/rpc-error'
import type { DrawnPrediction } from '../chart/prediction-lane'
import {
  agreementWithLabels,
  predictionSpans,
  spanAt,
  type Agreement,
  type PredictionSpan,
} from '../predictions/lane'
import type { Viewport } from '../timeline/viewport'
import type { LabelsState } from './labels.svelte'

/** Extra time fetched on each side of the window, as the timeline does, so short pans draw at once. */
const MARGIN = 0.5

/** Opacity of a prediction whose probability is unknown (a model the project does not know). */
const UNKNOWN_ALPHA = 0.5
/** Below this a prediction would vanish into the lane's background. */
const MIN_ALPHA = 0.15

/** The prediction under the pointer, as the readout names it. */
export interface PredictionUnderCursor {
  prediction: Prediction
  className: string | null
  color: string
}

/** What the last answer covers: the track, the window range it serves, and if it was cut short. */
interface Fetched {
  trackId: number
  fromUs: number
  toUs: number
  truncated: boolean
}

/**
 * The Predictions lane of the Label view: the prediction tracks a device's model left on the open
 * recording (one per model), the chosen one, and its predictions over the timeline's window plus
 * margins. Fetches are coalesced as the timeline's are: while one is in flight only the latest
 * window is asked for next, and answers for another recording or track are dropped. Whether the
 * lane is hidden is kept for the session, whatever recording is open.
 */
export class PredictionLaneState {
  readonly #api: ApiClient
  readonly #labels: LabelsState
  recordingId = $state<number | null>(null)
  /** The recording's tracks, oldest first. */
  tracks = $state.raw<PredictionTrack[]>([])
  trackId = $state<number | null>(null)
  hidden = $state(false)
  /** The chosen track's predictions over `fetched`, in time order. */
  predictions = $state.raw<Prediction[]>([])
  fetched = $state.raw<Fetched | null>(null)
  /** The timeline's window, as last shown. */
  viewport = $state.raw<Viewport | null>(null)
  error = $state<string | null>(null)
  #token = 0
  #inFlight = false
  #wanted: Viewport | null = null

  constructor(api: ApiClient, labels: LabelsState) {
    this.#api = api
    this.#labels = labels
  }

  readonly track: PredictionTrack | null = $derived(
    this.tracks.find((t) => t.id === this.trackId) ?? null,
  )

  /** The time each fetched prediction speaks for, in the same order. */
  readonly spans: PredictionSpan[] = $derived(
    predictionSpans(this.predictions, this.track?.windowUs ?? null),
  )

  /** The colour of each of the track's classes, in output order (its label class's colour). */
  readonly classColors: string[] = $derived(
    (this.track?.classes ?? []).map((name) => this.#labels.colorOfName(name)),
  )

  /** What the lane draws; null when there is no lane (no track, or hidden). */
  readonly drawn: DrawnPrediction[] | null = $derived.by(() => {
    if (!this.track || this.hidden) return null
    const colors = this.classColors
    const unknown = this.#labels.colorOfName('')
    return this.predictions.map((p, i) => {
      const span = this.spans[i] as PredictionSpan
      return {
        startUs: span.startUs,
        endUs: span.endUs,
        color: (p.classIndex === null ? undefined : colors[p.classIndex]) ?? unknown,
        alpha: p.probability === null ? UNKNOWN_ALPHA : Math.max(MIN_ALPHA, p.probability),
      }
    })
  })

  /**
   * How often the device's class is the label's at its window's centre, over the windows centred
   * in the timeline's window; the time no label covers is the recording's default class.
   */
  readonly agreement: Agreement = $derived.by(() => {
    const track = this.track
    if (!track) return { windows: 0, agreeing: 0 }
    const labels = this.#labels
    const named = labels.labels.map((l) => ({
      startUs: l.startUs,
      endUs: l.endUs,
      className: labels.classOf(l.classId)?.name ?? '',
    }))
    const defaultId = labels.list?.defaultClassId ?? null
    const defaultClass = defaultId === null ? null : (labels.classOf(defaultId)?.name ?? null)
    return agreementWithLabels(
      this.predictions,
      track,
      named,
      defaultClass,
      this.viewport ?? undefined,
    )
  })

  /** Whether the timeline's window holds every window of the track (the agreement is all of it). */
  readonly allInView: boolean = $derived.by(() => {
    const { track, viewport, fetched } = this
    if (!track || !viewport || track.firstEndUs === null || track.lastEndUs === null) return true
    const offset = (track.windowUs ?? 0) / 2
    return (
      !fetched?.truncated &&
      track.firstEndUs - offset >= viewport.fromUs &&
      track.lastEndUs - offset < viewport.toUs
    )
  })

  /** The prediction whose span is under `us`, if the lane shows one there. */
  at(us: number | null): PredictionUnderCursor | null {
    if (us === null || !this.track || this.hidden) return null
    const i = spanAt(this.spans, us)
    const prediction = i === null ? undefined : this.predictions[i]
    if (!prediction) return null
    const className =
      prediction.classIndex === null ? null : (this.track.classes[prediction.classIndex] ?? null)
    return {
      prediction,
      className,
      color: this.drawn?.[i as number]?.color ?? this.#labels.colorOfName(''),
    }
  }

  /** Opens a recording's tracks; the newest model's is shown first. */
  async open(recordingId: number): Promise<void> {
    const token = ++this.#token
    this.recordingId = recordingId
    this.tracks = []
    this.trackId = null
    this.#clear()
    try {
      const tracks = await this.#api.call('predictions.tracks', { recordingId })
      if (token !== this.#token) return
      this.tracks = tracks
      this.trackId = tracks.at(-1)?.id ?? null
    } catch (err) {
      if (token === this.#token) this.error = messageOf(err)
    }
  }

  /** A recording in progress: its tracks grow, so fetch them and the window again. */
  async refresh(viewport: Viewport): Promise<void> {
    const recordingId = this.recordingId
    if (recordingId === null) return
    const token = this.#token
    try {
      const tracks = await this.#api.call('predictions.tracks', { recordingId })
      if (token !== this.#token) return
      this.tracks = tracks
      if (!tracks.some((t) => t.id === this.trackId)) this.trackId = tracks.at(-1)?.id ?? null
      this.fetched = null
      this.view(viewport)
    } catch (err) {
      if (token === this.#token) this.error = messageOf(err)
    }
  }

  select(trackId: number): void {
    if (trackId === this.trackId) return
    this.#token++
    this.trackId = trackId
    this.#clear()
  }

  toggle(): void {
    this.hidden = !this.hidden
  }

  /** The timeline shows `viewport`: fetches its predictions unless the last answer covers it. */
  view(viewport: Viewport): void {
    this.viewport = viewport
    const track = this.track
    if (!track || this.hidden) return
    const have = this.fetched
    const covered =
      have !== null &&
      have.trackId === track.id &&
      have.fromUs <= viewport.fromUs &&
      have.toUs >= viewport.toUs
    if (covered) return
    this.#wanted = viewport
    if (!this.#inFlight) void this.#fetchLoop()
  }

  #clear(): void {
    this.predictions = []
    this.fetched = null
    this.error = null
    this.#wanted = null
  }

  async #fetchLoop(): Promise<void> {
    this.#inFlight = true
    try {
      while (this.#wanted && this.track) {
        const v = this.#wanted
        this.#wanted = null
        const track = this.track
        const margin = (v.toUs - v.fromUs) * MARGIN
        const fromUs = Math.max(0, v.fromUs - margin)
        const toUs = v.toUs + margin
        // A window is drawn around its centre: those ending up to a window later show too.
        const windowUs = track.windowUs ?? 0
        const token = this.#token
        const answer = await this.#api.call('predictions.range', {
          trackId: track.id,
          fromUs,
          toUs: toUs + windowUs,
        })
        if (token !== this.#token) continue
        this.predictions = answer.predictions
        // A cut answer still serves the window asked for: asking again would be cut the same way.
        this.fetched = { trackId: track.id, fromUs, toUs, truncated: answer.truncated }
      }
    } catch (err) {
      this.error = messageOf(err)
    } finally {
      this.#inFlight = false
    }
  }
}
