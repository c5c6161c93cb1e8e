import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openProject } from '../../../src-main/store/index.js'
import {
  rawWebSocket,
  reset,
  tcpConnect,
  textFrame,
  upgradeRequest,
} from '../../helpers/raw-socket.js'
import { startServe, type Served } from '../../helpers/serve-process.js'
import { wsClient } from '../../helpers/ws-client.js'

// The real `tinyloop serve`, in its own process, against clients that misbehave: refused
// upgrades reset by the peer, half-sent requests, and a client that asks and never reads.

const MiB = 1024 ** 2
let dir: string
let served: Served
let streamId: number
let endUs: number

/** Half an hour of 3 channels at 1 kHz: a full-width timeline view of it is about a megabyte. */
function seedProject(file: string): void {
  const project = openProject(file)
  const recordingId = project.recordings.create({ name: 'press 4', status: 'complete' })
  streamId = project.streams.create(recordingId, {
    name: 'accel',
    rateHz: 1000,
    channels: [{ name: 'x' }, { name: 'y' }, { name: 'z' }],
  })
  const samples = 1_800_000
  const chunk = 100_000
  for (let start = 0; start < samples; start += chunk) {
    const data = new Float32Array(chunk * 3)
    for (let i = 0; i < data.length; i++) data[i] = Math.sin((start * 3 + i) / 7) * 0.731
    project.samples.appendChunks(streamId, [{ t0Us: start * 1000, dtUs: 1000, data }])
  }
  project.samples.finish(streamId)
  endUs = samples * 1000
  project.close()
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-hostile-'))
  const file = join(dir, 'press.tinyloop')
  seedProject(file)
  served = await startServe(file)
}, 60_000)

afterAll(async () => {
  await served.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** A tokened page request, answered with its status. */
function getPage(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: served.port, path: `/?token=${served.token}` },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.setTimeout(5000, () => req.destroy(new Error('no answer within 5 s')))
    req.on('error', reject)
    req.end()
  })
}

async function stillServes(): Promise<void> {
  expect(served.alive(), served.stderr()).toBe(true)
  expect(await getPage()).toBe(200)
  const client = await wsClient(served.port, served.token)
  expect(await client.call('project.current')).toMatchObject({ ok: true })
  client.close()
}

describe('before authentication', () => {
  it('survives refused upgrades that the peer resets, and bad request targets', async () => {
    for (let round = 0; round < 150; round++) {
      const socket = await tcpConnect(served.port)
      const target = [undefined, '/rpc?token=wrong', 'http://x:99999/rpc', '/elsewhere'][round % 4]
      socket.write(upgradeRequest(served.port, { target }))
      if (round % 2 === 0) reset(socket)
      else setImmediate(() => reset(socket))
    }
    // A refusal written after the reset arrived is what used to kill the process.
    await new Promise((resolve) => setTimeout(resolve, 300))
    await stillServes()
  })

  it('keeps answering others while sockets hold half-sent request heads', async () => {
    const lingering = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const socket = await tcpConnect(served.port)
        socket.on('error', () => {})
        socket.write(i % 2 ? 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' : 'GET /rp')
        return socket
      }),
    )
    await stillServes()
    for (const socket of lingering) reset(socket)
    await stillServes()
  })
})

describe('a client that never reads', () => {
  it('cannot grow the server past a bound, and others are answered promptly meanwhile', async () => {
    const before = served.memory().rss
    const hostile = await rawWebSocket(served.port, served.token)
    const view = { streamId, fromUs: 0, toUs: endUs, pixels: 8192 }
    for (let id = 1; id <= 1500; id++) {
      hostile.write(textFrame(JSON.stringify({ id, method: 'timeline.view', args: view })))
    }

    const polite = await wsClient(served.port, served.token)
    let peak = before
    let slowest = 0
    for (let i = 0; i < 20; i++) {
      const started = Date.now()
      const reply = await polite.call('timeline.view', { ...view, pixels: 800 })
      slowest = Math.max(slowest, Date.now() - started)
      expect(reply).toMatchObject({ ok: true })
      peak = Math.max(peak, served.memory().rss)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    polite.close()
    reset(hostile)

    // Unbounded, the replies queued for it reached 1.1 GB. Bounded: 16 MiB unsent plus 16
    // replies in flight of about a megabyte each, plus the heap's slack.
    expect(peak - before).toBeLessThan(200 * MiB)
    // Unbounded, other clients waited about 30 s behind its 1,500 requests.
    expect(slowest).toBeLessThan(3000)
    await stillServes()
  })
})
