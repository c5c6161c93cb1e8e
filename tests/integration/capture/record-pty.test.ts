import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PtyDevice } from '../../../src-main/capture/demo/pty-device.js'
import { openProject } from '../../../src-main/store/index.js'

// Real serial I/O: a socat pseudo-terminal pair, the real `tinyloop record` process, a real
// project file.
let dir: string
let link: string
let projectFile: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-pty-'))
  link = join(dir, 'ttyDEMO')
  projectFile = join(dir, 'p.tinyloop')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

interface RecordRun {
  result: Promise<{ code: number | null; json: Record<string, unknown> | null; stderr: string }>
  kill(signal: NodeJS.Signals): void
}

function record(...args: string[]): RecordRun {
  const child = spawn(
    process.execPath,
    ['bin/tinyloop.js', '--project', projectFile, '--json', 'record', '--port', link, ...args],
    { env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') } },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  return {
    result: new Promise((resolve) =>
      child.once('exit', (code) => {
        let json = null
        try {
          json = JSON.parse(stdout)
        } catch {
          // printed nothing: the test says so
        }
        resolve({ code, json, stderr })
      }),
    ),
    kill: (signal) => child.kill(signal),
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Writes `text` to the device, waiting when the link is full (nothing is dropped). */
async function write(device: PtyDevice, text: string): Promise<void> {
  if (!device.input.write(text)) await new Promise((r) => device.input.once('drain', r))
}

/** `count` CSV lines of samples starting at `from`, paced at `rateHz` in bursts of `burstMs`. */
async function stream(
  device: PtyDevice,
  from: number,
  count: number,
  rateHz: number,
  burstMs: number,
) {
  // Paced by the clock, as a device's sample timer is: what is due so far goes out in each burst,
  // so a busy machine delays bursts but never changes the rate.
  const started = performance.now()
  let sent = 0
  while (sent < count) {
    await sleep(burstMs)
    const due = Math.min(count, Math.floor(((performance.now() - started) * rateHz) / 1000))
    let text = ''
    for (let k = from + sent; k < from + due; k++) text += `${k},${k % 13},${-k}\n`
    sent = due
    if (text) await write(device, text)
  }
  // Let the link deliver the last burst: closing a pty discards what it still holds.
  await sleep(100)
}

function storedSamples(recordingId: number) {
  const project = openProject(projectFile)
  try {
    const stream = project.streams.list(recordingId)[0]!
    return {
      ...project.samples.read(stream.id, 0, Number.MAX_SAFE_INTEGER),
      recording: project.recordings.get(recordingId)!,
    }
  } finally {
    project.close()
  }
}

describe('tinyloop record over a pseudo-terminal', () => {
  it('records every sample exactly, with garbage counted and skipped', async () => {
    const device = await PtyDevice.create(link)
    const run = record('--idle-stop', '1.5')
    await write(device, 'x,y,z\n')
    await stream(device, 0, 1500, 1000, 50)
    await write(device, '\u0000\u0007\u00ff\u00fe\nnot,a,number\n1,2\n' + 'z'.repeat(70_000) + '\n')
    await stream(device, 1500, 1500, 1000, 50)
    const { code, json } = await run.result
    await device.close()
    expect(code).toBe(0)
    expect(json).toMatchObject({ samples: 3000, channels: ['x', 'y', 'z'], rejected: 4, gaps: 0 })
    expect(json!.rejectedBy).toEqual({ malformed: 2, channelCount: 1, overlong: 1 })
    const { t, data } = storedSamples(json!.recordingId as number)
    expect(t.length).toBe(3000)
    let checksum = 0
    for (let i = 0; i < 3000; i++) checksum += data[i * 3]! - data[i * 3 + 2]! + data[i * 3 + 1]!
    let expected = 0
    for (let k = 0; k < 3000; k++) expected += 2 * k + (k % 13)
    expect(checksum).toBe(expected)
  }, 30_000)

  it('measures the rate of a bursty device', async () => {
    const device = await PtyDevice.create(link)
    const run = record('--idle-stop', '1')
    await stream(device, 0, 1040 * 3, 416, 250)
    const { json } = await run.result
    await device.close()
    expect(json).toMatchObject({ rateHz: 416, samples: 1040 * 3 })
    expect(Math.abs((json!.measuredHz as number) - 416) / 416).toBeLessThan(0.03)
  }, 30_000)

  it('keeps everything through an unplug and continues after a gap on replug', async () => {
    let device = await PtyDevice.create(link)
    const run = record('--rate', '500', '--duration', '6')
    await stream(device, 0, 500, 500, 20)
    await device.close() // unplugged
    await sleep(1500)
    device = await PtyDevice.create(link) // plugged back in
    await stream(device, 500, 500, 500, 20)
    const { code, json } = await run.result
    await device.close()
    expect(code).toBe(0)
    expect(json).toMatchObject({ samples: 1000, gaps: 1 })
    const { t, data } = storedSamples(json!.recordingId as number)
    expect(Array.from(data.filter((_, i) => i % 3 === 0))).toEqual(
      Array.from({ length: 1000 }, (_, k) => k),
    )
    // The gap is in the sample times: 1.5 s unplugged, less the backlog the new link delivered at once.
    expect(t[500]! - t[499]!).toBeGreaterThan(0.5e6)
    expect(t[499]! - t[498]!).toBeCloseTo(2000, 3)
  }, 30_000)

  it('after kill -9 mid-recording, the next open finds the recording interrupted and usable', async () => {
    const device = await PtyDevice.create(link)
    const run = record('--rate', '1000')
    await stream(device, 0, 3000, 1000, 50)
    await sleep(400)
    run.kill('SIGKILL')
    await run.result
    await device.close()
    // The next open (here: `tinyloop recordings`) finds the recorder's process gone.
    const listed = await new Promise<string>((resolve) => {
      const child = spawn(
        process.execPath,
        ['bin/tinyloop.js', '--project', projectFile, '--json', 'recordings'],
        {
          env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') },
        },
      )
      let out = ''
      child.stdout.on('data', (d: Buffer) => (out += d.toString()))
      child.once('exit', () => resolve(out))
    })
    const [listedRecording] = JSON.parse(listed) as Array<{
      id: number
      status: string
      samples: number
    }>
    expect(listedRecording).toMatchObject({ status: 'interrupted' })
    // At most the last second is lost.
    expect(listedRecording!.samples).toBeGreaterThanOrEqual(2000)
    const project = openProject(projectFile)
    try {
      const recording = project.recordings.get(listedRecording!.id)!
      expect(recording.samples).toBe(listedRecording!.samples)
      const stream = project.streams.list(recording.id)[0]!
      const { data } = project.samples.read(stream.id, 0, Number.MAX_SAFE_INTEGER)
      expect(data[(recording.samples - 1) * 3]).toBe(recording.samples - 1)
      const envelope = project.envelopes.query(stream.id, 0, 10e6, 4)
      expect(Math.max(...Array.from(envelope.max).filter((_, k) => k % 3 === 0))).toBe(
        recording.samples - 1,
      )
    } finally {
      project.close()
    }
  }, 30_000)
})
