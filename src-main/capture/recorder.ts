import type { Prediction, PredictionModel, Project } from '../store/index.js'
import { classOf } from '../store/predictions.js'
import type { DecodedBatch, DeviceMessage, FrameMark } from './decoders/sample-decoder.js'
import type { SampleDecoder, SampleFormat } from './decoders/sample-decoder.js'
import { LiveDecimator } from './live-decimator.js'
import { RateEstimator } from './rate-estimator.js'

export interface RecorderOptions {
  project: Project
  name: string
  device?: string | null
  notes?: string
  tags?: string[]
  /** Turns the device's bytes into samples (the text formats, later the binary frames). */
  decoder: SampleDecoder
  /**
   * A declared rate skips the estimation; samples are timed by it from the first one. It wins
   * over a rate the device declares in its schema, which also skips the estimation.
   */
  rateHz?: number
  /** What the device says besides samples (log lines, inference results), as it comes. */
  onMessage?: (message: DeviceMessage) => void
  /**
   * The model a device's INFERENCE names by its image CRC-32, when the app knows it (asked once
   * per CRC); null stores the raw outputs only.
   */
  modelFor?: (crc32: number) => PredictionModel | null
  /** Host clock in ms (monotonic); tests drive it. */
  now?: () => number
}

export type RecorderState = 'detecting' | 'recording' | 'paused' | 'stopped'

export interface RecorderStatus {
  recordingId: number
  state: RecorderState
  format: SampleFormat | null
  channels: string[]
  /** The rate sample times are computed from (locked once measured); null while measuring. */
  rateHz: number | null
  /** The rate measured from arrivals so far, for comparison with `rateHz`. */
  measuredHz: number | null
  samples: number
  rejected: number
  rejectedBy: Record<string, number>
  gaps: number
  /** Frames the device sent that never arrived (jumps in their sequence numbers). */
  lostFrames: number
  /** Sample time of the end of the recording so far, s. */
  durationS: number
}

/** Chunks are written at least this often, so a crash loses at most about this much. */
const FLUSH_MS = 250
/** Samples per stored chunk at most. */
const CHUNK_SAMPLES = 4096
/** Silence this long means the device stopped sending: the next samples start after a gap. */
const GAP_SILENCE_MS = 1500
/** The longest wait for a settled rate before locking what has been measured. */
const MAX_DETECT_MS = 5000
/** Inference results held while their time cannot be placed yet (before the first frame). */
const MAX_PENDING_INFERENCES = 256

type InferenceMessage = Extract<DeviceMessage, { kind: 'inference' }>

/** A prediction as it arrived, placed on the recording's time axis, with its model's CRC. */
export interface LivePrediction extends Prediction {
  modelCrc32: number
}

/**
 * Turns the bytes of one device into a recording: decodes them with its decoder, measures the
 * rate, times samples on the device's clock (the rate, never host arrival times), and writes
 * chunks with their envelopes in batched transactions a few times per second. A silence of 1.5 s
 * or an unplugged cable starts a new chunk after a visible gap. Bad input is counted (by the
 * decoder) and skipped. Samples in frames (the binary format) are placed by the device time of
 * each frame; a jump in the frames' sequence numbers counts lost frames and leaves a gap.
 */
export class Recorder {
  readonly recordingId: number
  readonly #project: Project
  readonly #decoder: SampleDecoder
  readonly #rate = new RateEstimator()
  readonly #now: () => number
  readonly #declaredHz: number | undefined
  readonly #onMessage: ((message: DeviceMessage) => void) | undefined
  readonly live = new LiveDecimator()
  #state: RecorderState = 'detecting'
  #streamId: number | null = null
  /** The channels the stream was created with. */
  #channels: string[] = []
  #rateHz: number | null = null
  #startMs: number | null = null
  #lastArrivalMs = 0
  #lastFlushMs = 0
  #gapPending = false
  #gaps = 0
  #lostFrames = 0
  /** The last frame's sequence number; null before the first. */
  #lastSequence: number | null = null
  /** Device time of the recording's time 0, µs; null before the first frame. */
  #deviceOriginUs: number | null = null
  #samples = 0
  /** Samples decoded but not yet written, with the time of the first (µs). */
  #buffer = new Float32Array(0)
  #buffered = 0
  #bufferT0Us = 0
  /** Time of the next sample to arrive, µs since the start. */
  #nextUs = 0
  readonly #modelFor: ((crc32: number) => PredictionModel | null) | undefined
  /** The models seen, by CRC-32 (null: not known to the app). */
  readonly #models = new Map<number, PredictionModel | null>()
  /** Inference results not placed yet (no frame has set the device clock's origin). */
  #pendingInferences: InferenceMessage[] = []
  /** Predictions placed but not yet written. */
  #predictions: LivePrediction[] = []
  /** Predictions placed since the last `takePredictions`, for the live view. */
  #livePredictions: LivePrediction[] = []
  #predictionCount = 0

  constructor(opts: RecorderOptions) {
    this.#project = opts.project
    this.#now = opts.now ?? (() => performance.now())
    this.#declaredHz = opts.rateHz
    this.#decoder = opts.decoder
    this.#onMessage = opts.onMessage
    this.#modelFor = opts.modelFor
    this.recordingId = opts.project.recordings.create({
      name: opts.name,
      device: opts.device ?? null,
      notes: opts.notes ?? '',
      tags: opts.tags ?? [],
      startedAt: Date.now(),
      status: 'recording',
    })
    opts.project.recordings.heartbeat(this.recordingId)
  }

  get state(): RecorderState {
    return this.#state
  }

  /** Bytes from the device. */
  push(bytes: Buffer): void {
    if (this.#state === 'stopped') return
    const now = this.#now()
    this.#startMs ??= now
    if (this.#state === 'paused' || now - this.#lastArrivalMs > GAP_SILENCE_MS) {
      if (this.#samples + this.#buffered > 0) this.#gapPending = true
    }
    if (this.#state === 'paused') this.#state = this.#streamId === null ? 'detecting' : 'recording'
    this.#lastArrivalMs = now
    this.#take(this.#decoder.push(bytes), now)
    this.tick()
  }

  /** Writes what is due; call it regularly (the device may go quiet). */
  tick(): void {
    const now = this.#now()
    if (this.#streamId === null && this.#startMs !== null) this.#tryLockRate(now)
    if (this.#streamId !== null && now - this.#lastFlushMs >= FLUSH_MS) this.#flush(now)
  }

  /** The device went away (unplugged): keep everything; new data later comes after a gap. */
  pause(): void {
    if (this.#state === 'stopped' || this.#state === 'paused') return
    this.#take(this.#decoder.flush(), this.#now())
    this.#tryLockRate(this.#now(), true)
    this.#flush(this.#now())
    this.#state = 'paused'
  }

  /** Ends the recording: everything received is written and the recording is complete. */
  stop(): RecorderStatus {
    if (this.#state !== 'stopped') {
      this.#take(this.#decoder.flush(), this.#now())
      this.#tryLockRate(this.#now(), true)
      this.#flush(this.#now())
      const { project } = this
      if (this.#streamId !== null) project.samples.finish(this.#streamId)
      const status = this.status()
      project.recordings.update(this.recordingId, {
        metadata: {
          format: status.format,
          measuredRateHz: status.measuredHz,
          rejectedLines: status.rejected,
          rejectedBy: status.rejectedBy,
          gaps: status.gaps,
          lostFrames: status.lostFrames,
        },
      })
      project.recordings.setStatus(this.recordingId, 'complete')
      this.#state = 'stopped'
    }
    return this.status()
  }

  get project(): Project {
    return this.#project
  }

  /** The models the device's predictions came from so far, by CRC-32 (null: unknown). */
  get models(): ReadonlyMap<number, PredictionModel | null> {
    return this.#models
  }

  /** Predictions placed since the last call (the live view's), oldest first. */
  takePredictions(): LivePrediction[] {
    const taken = this.#livePredictions
    this.#livePredictions = []
    return taken
  }

  status(): RecorderStatus {
    const counters = this.#decoder.counters
    const rate = this.#rateHz
    return {
      recordingId: this.recordingId,
      state: this.#state,
      format: this.#decoder.format,
      channels: this.#decoder.schema?.channels ?? [],
      rateHz: rate,
      measuredHz: this.#declaredHz ? null : this.#rate.estimate().measuredHz,
      samples: this.#samples + this.#buffered,
      rejected: counters.rejected,
      rejectedBy: { ...counters.rejectedBy },
      gaps: this.#gaps,
      lostFrames: this.#lostFrames,
      durationS: rate ? (this.#bufferT0Us + (this.#buffered * 1e6) / rate) / 1e6 : 0,
    }
  }

  /**
   * Buffers decoded samples, starting a new segment after a gap; passes messages on, and places
   * inference results once the frames of the batch have set the device clock's origin.
   */
  #take(decoded: DecodedBatch, now: number): void {
    for (const message of decoded.messages ?? []) {
      this.#onMessage?.(message)
      if (message.kind === 'inference') this.#pendingInferences.push(message)
    }
    this.#takeSamples(decoded, now)
    this.#placeInferences()
  }

  #takeSamples(decoded: DecodedBatch, now: number): void {
    if (decoded.samples === 0) return
    const channels = decoded.values.length / decoded.samples
    if (decoded.frames?.length) {
      this.#appendFrames(decoded, decoded.frames, channels, now)
    } else {
      if (this.#gapPending && this.#rateHz !== null) {
        this.#startSegmentAfterGap(now, decoded.samples)
      }
      this.#gapPending = this.#gapPending && this.#rateHz === null
      this.#append(decoded.values, channels)
    }
    this.#rate.observe(now, this.#samples + this.#buffered)
    this.live.add(decoded.values, channels, now)
  }

  /**
   * Places inference results on the recording's time axis by the device's clock, as the frames'
   * samples are; an INPUT's result (no window, time 0) is not a prediction of the recording.
   */
  #placeInferences(): void {
    if (this.#pendingInferences.length === 0) return
    const origin = this.#deviceOriginUs
    if (origin === null) {
      if (this.#pendingInferences.length > MAX_PENDING_INFERENCES) this.#pendingInferences.shift()
      return
    }
    for (const message of this.#pendingInferences) {
      if (message.deviceTimeUs === 0) continue
      const crc = message.modelCrc32 >>> 0
      if (!this.#models.has(crc)) this.#models.set(crc, this.#modelFor?.(crc) ?? null)
      const model = this.#models.get(crc) ?? null
      const threshold = model?.threshold ?? null
      const known = model !== null && model.classes.length === message.outputs.length
      const placed: LivePrediction = {
        modelCrc32: crc,
        endUs: message.deviceTimeUs - origin,
        outputs: message.outputs,
        // An anomaly model's class is its score against its threshold: normal, anomaly.
        ...(threshold !== null && message.score !== null && Number.isFinite(message.score)
          ? { classIndex: message.score > threshold ? 1 : 0, probability: null }
          : known
            ? classOf(message.outputs, model)
            : { classIndex: null, probability: null }),
        score: message.score,
        latencyUs: message.latencyUs,
        instructions: message.instructions,
      }
      this.#predictions.push(placed)
      this.#livePredictions.push(placed)
    }
    this.#pendingInferences = []
  }

  /** How many predictions the recording holds so far. */
  get predictionCount(): number {
    return this.#predictionCount + this.#predictions.length
  }

  /** Appends each frame's samples where its device time puts them. */
  #appendFrames(decoded: DecodedBatch, frames: FrameMark[], channels: number, now: number): void {
    for (let i = 0; i < frames.length; i++) {
      const mark = frames[i] as FrameMark
      const end = frames[i + 1]?.firstSample ?? decoded.samples
      this.#placeFrame(mark, end - mark.firstSample, now)
      this.#append(decoded.values.subarray(mark.firstSample * channels, end * channels), channels)
    }
    this.#gapPending = false
  }

  /**
   * Counts the frames lost before `mark`, and starts a new segment at its device time when it
   * does not continue the last one (lost frames, the device paused): a gap. A device clock that
   * went back means the device restarted (its count starts anew, nothing was lost): it continues
   * after the last sample, or where the host's clock puts it after a silence. Before the stream
   * is created, frames are taken as they come.
   */
  #placeFrame(mark: FrameMark, samples: number, now: number): void {
    const last = this.#lastSequence
    this.#lastSequence = mark.sequence
    const jumped = last !== null && mark.sequence !== ((last + 1) & 0xffff)
    if (this.#rateHz === null || this.#streamId === null) {
      if (jumped) this.#lostFrames += (mark.sequence - (last as number) - 1) & 0xffff
      return
    }
    const dtUs = 1e6 / this.#rateHz
    const expectedUs = this.#bufferT0Us + this.#buffered * dtUs
    this.#deviceOriginUs ??= mark.deviceTimeUs - expectedUs
    let atUs = mark.deviceTimeUs - this.#deviceOriginUs
    if (!jumped && Math.abs(atUs - expectedUs) <= dtUs / 2) return
    if (atUs < expectedUs - dtUs / 2) {
      const hostUs = (now - (this.#startMs as number)) * 1000 - samples * dtUs
      atUs = this.#gapPending ? Math.max(expectedUs, hostUs) : expectedUs
      this.#deviceOriginUs = mark.deviceTimeUs - atUs
    } else if (jumped) {
      this.#lostFrames += (mark.sequence - (last as number) - 1) & 0xffff
    }
    this.#flushBuffer()
    this.#bufferT0Us = atUs
    this.#nextUs = atUs
    if (atUs > expectedUs + dtUs / 2) this.#gaps++
  }

  #append(values: Float32Array, channels: number): void {
    const needed = (this.#buffered * channels + values.length) | 0
    if (needed > this.#buffer.length) {
      const grown = new Float32Array(Math.max(needed, this.#buffer.length * 2, 1024 * channels))
      grown.set(this.#buffer.subarray(0, this.#buffered * channels))
      this.#buffer = grown
    }
    this.#buffer.set(values, this.#buffered * channels)
    this.#buffered += values.length / channels
  }

  /**
   * The device was silent or away: what arrives now was sent about now, so it is placed ending at
   * the host's elapsed time (never before the previous sample).
   */
  #startSegmentAfterGap(now: number, arriving: number): void {
    const dtUs = 1e6 / (this.#rateHz as number)
    const hostUs = (now - (this.#startMs as number)) * 1000
    this.#flushBuffer()
    const startUs = Math.max(this.#nextUs, hostUs - arriving * dtUs)
    this.#nextUs = startUs
    this.#bufferT0Us = startUs
    this.#gaps++
    this.#gapPending = false
  }

  #tryLockRate(now: number, force = false): void {
    const schema = this.#decoder.schema
    if (this.#streamId !== null || schema === null) return
    let hz = this.#declaredHz ?? schema.rateHz ?? null
    if (hz === null) {
      const estimate = this.#rate.estimate()
      const waited = now - (this.#startMs ?? now)
      if (!estimate.settled && !force && waited < MAX_DETECT_MS) return
      hz = estimate.hz
    }
    if (hz === null) return
    this.#rateHz = hz
    this.live.setRate(hz)
    this.#channels = schema.channels
    this.#streamId = this.#project.streams.create(this.recordingId, {
      name: 'device',
      rateHz: hz,
      channels: schema.channels.map((name) => ({ name })),
    })
    this.#state = this.#state === 'paused' ? 'paused' : 'recording'
    this.#bufferT0Us = 0
    this.#nextUs = this.#buffered * (1e6 / hz)
  }

  /** Writes the buffered samples as chunks, with a heartbeat, in one transaction. */
  #flush(now: number): void {
    this.#lastFlushMs = now
    if (this.#streamId === null) return
    this.#project.transaction(() => {
      this.#flushBuffer()
      this.#flushPredictions()
      this.#project.recordings.heartbeat(this.recordingId)
    })
  }

  #flushPredictions(): void {
    if (this.#predictions.length === 0) return
    const byModel = new Map<number, LivePrediction[]>()
    for (const p of this.#predictions) {
      const list = byModel.get(p.modelCrc32) ?? []
      list.push(p)
      byModel.set(p.modelCrc32, list)
    }
    const { predictions } = this.#project
    for (const [crc, list] of byModel) {
      const track = predictions.track(this.recordingId, crc, this.#models.get(crc) ?? null)
      predictions.append(track, list)
    }
    this.#predictionCount += this.#predictions.length
    this.#predictions = []
  }

  #flushBuffer(): void {
    if (this.#streamId === null || this.#buffered === 0) return
    const channels = this.#channels.length
    const dtUs = 1e6 / (this.#rateHz as number)
    const chunks = []
    for (let start = 0; start < this.#buffered; start += CHUNK_SAMPLES) {
      const n = Math.min(CHUNK_SAMPLES, this.#buffered - start)
      chunks.push({
        t0Us: this.#bufferT0Us + start * dtUs,
        dtUs,
        data: this.#buffer.slice(start * channels, (start + n) * channels),
      })
    }
    this.#project.samples.appendChunks(this.#streamId, chunks)
    this.#samples += this.#buffered
    this.#bufferT0Us += this.#buffered * dtUs
    this.#nextUs = this.#bufferT0Us
    this.#buffered = 0
  }
}
