import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type {
  ChannelSchema,
  DecodedBatch,
  DeviceMessage,
  SampleDecoder,
} from '../../../src-main/capture/decoders/sample-decoder.js'
import { BinaryDecoder } from '../../../src-main/capture/decoders/binary-decoder.js'
import { LineDecoder } from '../../../src-main/capture/decoders/text-decoder.js'
import { encodeFrame } from '../../../src-main/device/protocol/frames.js'
import { data, hello } from '../../helpers/device-frames.js'
import { Recorder } from '../../../src-main/capture/recorder.js'
import { openProject, type Project } from '../../../src-main/store/index.js'

let dir: string
let project: Project
let clockMs: number

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-recorder-'))
  project = openProject(join(dir, 'p.tinyloop'))
  clockMs = 1000
})
afterEach(() => {
  project.close()
  rmSync(dir, { recursive: true, force: true })
})

const line = (i: number) => `${i},${(i % 7) / 8},${-i}\n`

/** A recorder of text lines (the format detected), on the test's clock. */
function textRecorder(name: string, rateHz?: number): Recorder {
  return new Recorder({ project, name, decoder: new LineDecoder(), rateHz, now: () => clockMs })
}

/** Sends samples i0..i1 (exclusive) as CSV lines in one burst at the current clock. */
function send(recorder: Recorder, i0: number, i1: number): void {
  let text = ''
  for (let i = i0; i < i1; i++) text += line(i)
  recorder.push(Buffer.from(text))
}

describe('Recorder', () => {
  it('records bursty CSV at the measured rate, timed by the device clock', () => {
    const recorder = textRecorder('bursts')
    let sent = 0
    const rate = 1000
    // 8 s of a 1 kHz device delivered in irregular bursts of 50-400 ms.
    for (const step of [50, 400, 120, 300, 60, 250, 400, 90, 200].flatMap((s) => [s, s, s, s])) {
      clockMs += step
      const due = Math.floor(((clockMs - 1000) * rate) / 1000)
      send(recorder, sent, due)
      sent = due
    }
    const status = recorder.stop()
    expect(status).toMatchObject({
      state: 'stopped',
      format: 'csv',
      rateHz: 1000,
      rejected: 0,
      gaps: 0,
    })
    expect(status.samples).toBe(sent)

    const [summary] = project.recordings.list()
    expect(summary).toMatchObject({ status: 'complete', samples: sent, rateHz: 1000 })
    const stream = project.streams.list(status.recordingId)[0]!
    const { t, data } = project.samples.read(stream.id, 0, Number.MAX_SAFE_INTEGER)
    expect(t.length).toBe(sent)
    // Sample i is at i ms whatever the arrival pattern, and values are exact.
    for (const i of [1, 999, sent - 1]) {
      expect(t[i]).toBeCloseTo(i * 1000, 3)
      expect(data[i * 3]).toBe(i)
      expect(data[i * 3 + 2]).toBe(-i)
    }
  })

  it('starts a new segment after a silence, visible as a gap in sample time', () => {
    const recorder = textRecorder('gap', 100)
    clockMs += 1000
    send(recorder, 0, 100)
    clockMs += 1000
    send(recorder, 100, 200)
    clockMs += 5000 // unplugged for about 4 s
    send(recorder, 200, 300)
    const status = recorder.stop()
    expect(status.gaps).toBe(1)
    expect(status.samples).toBe(300)
    const stream = project.streams.list(status.recordingId)[0]!
    const { t } = project.samples.read(stream.id, 0, Number.MAX_SAFE_INTEGER)
    expect(t[199]).toBeCloseTo(1.99e6, 0)
    // The samples after the gap end at the host time they arrived (6 s after the first byte).
    expect(t[299]! / 1e6).toBeCloseTo(6 - 0.01, 1)
    expect(t[200]! - t[199]!).toBeGreaterThan(3e6)
  })

  it('keeps recording through garbage, counting what it skipped', () => {
    const recorder = textRecorder('garbage', 50)
    clockMs += 100
    send(recorder, 0, 20)
    recorder.push(Buffer.from('\u0000\u0007garbage\n1,2\n\xff\xfe\n'))
    clockMs += 100
    send(recorder, 20, 40)
    const status = recorder.stop()
    expect(status.samples).toBe(40)
    expect(status.rejected).toBe(3)
  })

  it('records through any decoder: its channels, declared rate, reject reasons and messages', () => {
    const log: DeviceMessage = { kind: 'log', level: 'info', text: 'model v2 loaded' }
    const inference: DeviceMessage = {
      kind: 'inference',
      deviceTimeUs: 400_000,
      modelCrc32: 0x1a2b3c4d,
      outputs: [100, -100],
      score: null,
      latencyUs: 1800,
      instructions: 0,
    }
    const decoder = new ScriptedDecoder(['a', 'b'], 250, [
      { values: ramp(0, 100), samples: 100 },
      { values: new Float32Array(0), samples: 0, messages: [log] },
      { values: ramp(100, 200), samples: 100, messages: [inference] },
    ])
    const messages: DeviceMessage[] = []
    const recorder = new Recorder({
      project,
      name: 'frames',
      decoder,
      onMessage: (message) => messages.push(message),
      now: () => clockMs,
    })
    recorder.push(Buffer.from('frame 1'))
    // The rate the device declares is used at once: nothing is measured.
    expect(recorder.status()).toMatchObject({ state: 'recording', rateHz: 250 })
    for (const frame of ['frame 2', 'frame 3']) {
      clockMs += 100
      recorder.push(Buffer.from(frame))
    }
    const status = recorder.stop()
    expect(status).toMatchObject({
      samples: 200,
      channels: ['a', 'b'],
      rateHz: 250,
      rejected: 2,
      rejectedBy: { crc: 2 },
    })
    expect(messages).toEqual([log, inference])
    const stream = project.streams.list(status.recordingId)[0]!
    expect(stream.channels.map((c) => c.name)).toEqual(['a', 'b'])
    const { t, data } = project.samples.read(stream.id, 0, Number.MAX_SAFE_INTEGER)
    expect(t[199]).toBeCloseTo(199 * 4000, 3)
    expect(Array.from(data)).toEqual(Array.from(ramp(0, 200)))
    expect(project.recordings.get(status.recordingId)!.metadata).toMatchObject({
      rejectedBy: { crc: 2 },
    })
  })
  it('times binary frames by the device clock and counts lost frames as a gap', () => {
    const recorder = new Recorder({
      project,
      name: 'frames',
      decoder: new BinaryDecoder(),
      now: () => clockMs,
    })
    // 400 Hz, 2 samples (5 ms) per frame; frames 10-12 never arrive; the host gets irregular
    // bursts, and a 2 s silence between frames 20 and 21 that the device time already says.
    const frameAt = (seq: number) =>
      data(seq, 1_000_000 + seq * 5000 + (seq > 20 ? 2_000_000 : 0), seq * 10)
    const sent = Array.from({ length: 30 }, (_, seq) => seq).filter((seq) => seq < 10 || seq > 12)
    recorder.push(Buffer.from(encodeFrame(hello)))
    for (const [i, seq] of sent.entries()) {
      clockMs += seq === 21 ? 2000 : i % 3 === 0 ? 300 : 1
      recorder.push(Buffer.from(encodeFrame(frameAt(seq))))
    }
    const status = recorder.stop()
    expect(status).toMatchObject({
      format: 'binary',
      rateHz: 400,
      samples: 54,
      gaps: 2,
      lostFrames: 3,
    })
    const stream = project.streams.list(status.recordingId)[0]!
    const { t, data: values } = project.samples.read(stream.id, 0, Number.MAX_SAFE_INTEGER)
    const expected = sent.flatMap((seq) => {
      const at = frameAt(seq).timeUs - 1_000_000
      return [at, at + 2500]
    })
    expect(Array.from(t)).toEqual(expected)
    expect(values[3 * 20]).toBe(130) // the first sample of frame 13, right after the lost ones
    expect(project.recordings.get(status.recordingId)!.metadata).toMatchObject({ lostFrames: 3 })
  })

  it('continues after the last sample when the device restarts (its clock and count anew)', () => {
    const recorder = new Recorder({
      project,
      name: 'restart',
      decoder: new BinaryDecoder(),
      now: () => clockMs,
    })
    recorder.push(Buffer.from(encodeFrame(hello)))
    for (let seq = 0; seq < 5; seq++) {
      clockMs += 5
      recorder.push(Buffer.from(encodeFrame(data(100 + seq, 9_000_000 + seq * 5000, seq))))
    }
    clockMs += 3000
    recorder.push(Buffer.from(encodeFrame(hello)))
    recorder.push(Buffer.from(encodeFrame(data(0, 0, 50))))
    const status = recorder.stop()
    const stream = project.streams.list(status.recordingId)[0]!
    const { t } = project.samples.read(stream.id, 0, Number.MAX_SAFE_INTEGER)
    expect(status).toMatchObject({ gaps: 1, lostFrames: 0 })
    // Placed by the host's clock after the silence: about 3 s after the last one.
    expect(t[10]! - t[9]!).toBeGreaterThan(2_900_000)
  })
})

/** Samples i0..i1 (exclusive) of two channels: i and -i. */
function ramp(i0: number, i1: number): Float32Array {
  const values = new Float32Array((i1 - i0) * 2)
  for (let i = i0; i < i1; i++) values.set([i, -i], (i - i0) * 2)
  return values
}

/**
 * A stand-in for a decoder of another format (binary frames): it declares its channels and rate
 * from the start, has its own reject reason, and gives one scripted batch per push.
 */
class ScriptedDecoder implements SampleDecoder {
  readonly format = null
  readonly schema: ChannelSchema
  readonly counters = { rejected: 2, rejectedBy: { crc: 2 } }
  readonly #batches: DecodedBatch[]

  constructor(channels: string[], rateHz: number, batches: DecodedBatch[]) {
    this.schema = { channels, rateHz }
    this.#batches = batches
  }

  push(): DecodedBatch {
    return this.#batches.shift() ?? this.flush()
  }

  flush(): DecodedBatch {
    return { values: new Float32Array(0), samples: 0 }
  }
}
