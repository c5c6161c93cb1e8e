import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
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

/** Sends samples i0..i1 (exclusive) as CSV lines in one burst at the current clock. */
function send(recorder: Recorder, i0: number, i1: number): void {
  let text = ''
  for (let i = i0; i < i1; i++) text += line(i)
  recorder.push(Buffer.from(text))
}

describe('Recorder', () => {
  it('records bursty CSV at the measured rate, timed by the device clock', () => {
    const recorder = new Recorder({ project, name: 'bursts', now: () => clockMs })
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
    const recorder = new Recorder({ project, name: 'gap', rateHz: 100, now: () => clockMs })
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
    const recorder = new Recorder({ project, name: 'garbage', rateHz: 50, now: () => clockMs })
    clockMs += 100
    send(recorder, 0, 20)
    recorder.push(Buffer.from('\u0000\u0007garbage\n1,2\n\xff\xfe\n'))
    clockMs += 100
    send(recorder, 20, 40)
    const status = recorder.stop()
    expect(status.samples).toBe(40)
    expect(status.rejected).toBe(3)
  })
})
