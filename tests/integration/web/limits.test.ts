import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MAX_LABEL_FILE_BYTES, MAX_MESSAGE_BYTES } from '../../../src-preload/limits.js'
import { startWebServer, type WebLimits, type WebServer } from '../../../src-main/cli/serve.js'
import { createServices, type Services } from '../../../src-main/services.js'
import { closedWithin, rawWebSocket, tcpConnect, textFrame } from '../../helpers/raw-socket.js'
import { wsClient } from '../../helpers/ws-client.js'
import { uniformRecording } from '../labels/helpers.js'

// The web server's limits, each shrunk so the test sees it act in well under a second.

let dir: string
let services: Services
let server: WebServer
const logged: string[] = []

async function start(limits: Partial<WebLimits> = {}) {
  server = await startWebServer({
    services: {
      ...services,
      log: { error: (message: string) => void logged.push(message) },
    },
    rendererDir: join(dir, 'renderer'),
    port: 0,
    limits,
  })
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-limits-'))
  mkdirSync(join(dir, 'renderer'))
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>TinyLoop</title>')
  services = createServices({
    mode: 'web',
    userDataDir: join(dir, 'data'),
    projectPath: join(dir, 'p.tinyloop'),
  })
  logged.length = 0
})

afterEach(async () => {
  await server.close()
  await services.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('slow clients', () => {
  it('closes a socket whose request head does not arrive in time', async () => {
    await start({ headersTimeoutMs: 300 })
    const socket = await tcpConnect(server.port)
    socket.on('error', () => {})
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a')
    const drip = setInterval(() => socket.write('a'), 50)
    expect(await closedWithin(socket, 3000)).toBe(true)
    clearInterval(drip)
  })

  it('closes a connection that stays over its unsent bound, and says so in the log', async () => {
    await start({ maxUnsentBytes: 64 * 1024, stalledCloseMs: 300 })
    const project = services.projects.project()
    const recordingId = uniformRecording(project, { n: 200_000, dtUs: 1000 })
    const [stream] = project.streams.list(recordingId)
    const view = { streamId: stream!.id, fromUs: 0, toUs: 200_000_000, pixels: 8192 }
    const hostile = await rawWebSocket(server.port, server.token)
    for (let id = 1; id <= 100; id++) {
      // Each answer is a few hundred kilobytes, more than the socket buffers hold together.
      hostile.write(textFrame(JSON.stringify({ id, method: 'timeline.view', args: view })))
    }
    await expect.poll(() => logged.join('\n'), { timeout: 5000 }).toMatch(/closing a web client/)
    expect(await closedWithin(hostile, 3000)).toBe(true)
    // Everyone else is still served.
    const client = await wsClient(server.port, server.token)
    expect(await client.call('app.info')).toMatchObject({ ok: true })
    client.close()
  })

  it('answers every request of a client that sends many at once, in order', async () => {
    await start({ maxInFlight: 2 })
    const client = await wsClient(server.port, server.token)
    const replies = await Promise.all(
      Array.from({ length: 50 }, () => client.call('recordings.list')),
    )
    expect(replies.map((r) => r.ok)).toEqual(Array(50).fill(true))
    client.close()
  })
})

describe('one size limit for one message', () => {
  it('carries a 9 MB label file, which used to close the socket with 1009', async () => {
    await start()
    const client = await wsClient(server.port, server.token)
    const project = services.projects.project()
    const recordingId = uniformRecording(project, { n: 120_000, dtUs: 10_000 })
    // 9 MB of the same region, written over and over (a tool's repeated export, say).
    const line = '1000.000,2500.000,anomaly\n'
    const text = `start_ms,end_ms,label\n${line.repeat(Math.ceil(9_000_000 / line.length))}`
    const reply = await client.call('labels.import', {
      recordingId,
      file: { name: 'big.csv', text },
    })
    expect(reply).toMatchObject({ type: 'response', ok: true, value: { ok: true } })
    const list = await client.call('labels.list', { recordingId })
    expect(list).toMatchObject({
      ok: true,
      value: { labels: [{ startUs: 1_000_000, endUs: 2_500_000 }] },
    })
    client.close()
  })

  it('refuses a label file over the shared limit with a message, keeping the connection', async () => {
    await start()
    const client = await wsClient(server.port, server.token)
    const reply = await client.call('labels.import', {
      recordingId: 1,
      file: { name: 'huge.csv', text: 'x'.repeat(MAX_LABEL_FILE_BYTES + 1) },
    })
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/at most 15 MiB/) },
    })
    expect(await client.call('app.info')).toMatchObject({ ok: true })
    client.close()
  })

  it('the largest label file fits in one message, escaped as JSON', () => {
    const request = JSON.stringify({
      id: 2 ** 31,
      method: 'labels.import',
      args: {
        recordingId: 1,
        file: { name: 'n'.repeat(4096), text: '\n'.repeat(MAX_LABEL_FILE_BYTES) },
      },
    })
    expect(Buffer.byteLength(request)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES)
  })
})
