/**
 * A probe of web mode as an attacker and a careless client would use it, against a real
 * `tinyloop serve` on 127.0.0.1, each phase bounded in time and count: refused upgrades reset by
 * the peer, half-sent request heads held open, a client that asks and never reads, and a
 * message over the size limit. Throughout, a well-behaved client asks for a timeline view every
 * 100 ms; its latencies are compared with the same client against the idle server (the baseline,
 * measured first). Reports the server's memory (before and at its peak) and whether it served
 * the polite client throughout.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAX_MESSAGE_BYTES } from '../src-preload/limits.js'
import { openProject } from '../src-main/store/index.js'
import {
  closedWithin,
  rawWebSocket,
  reset,
  tcpConnect,
  textFrame,
  upgradeRequest,
} from '../tests/helpers/raw-socket.js'
import { startServe, type Served } from '../tests/helpers/serve-process.js'
import { wsClient, type WsClient } from '../tests/helpers/ws-client.js'

const MiB = 1024 ** 2
const PHASE_MS = 6000

function seed(file: string): { streamId: number; endUs: number } {
  const project = openProject(file)
  const recordingId = project.recordings.create({ name: 'press 4', status: 'complete' })
  const streamId = project.streams.create(recordingId, {
    name: 'accel',
    rateHz: 1000,
    channels: [{ name: 'x' }, { name: 'y' }, { name: 'z' }],
  })
  const samples = 1_800_000
  for (let start = 0; start < samples; start += 100_000) {
    const data = new Float32Array(300_000)
    for (let i = 0; i < data.length; i++) data[i] = Math.sin((start * 3 + i) / 7) * 0.731
    project.samples.appendChunks(streamId, [{ t0Us: start * 1000, dtUs: 1000, data }])
  }
  project.samples.finish(streamId)
  project.close()
  return { streamId, endUs: samples * 1000 }
}

/** The polite client: one small view every 100 ms while `during` runs, with its latencies. */
async function politeWhile(
  served: Served,
  view: Record<string, number>,
  during: () => Promise<unknown>,
) {
  const client: WsClient = await wsClient(served.port, served.token)
  const latencies: number[] = []
  let failures = 0
  let running = true
  let peak = 0
  const polling = (async () => {
    while (running) {
      const started = performance.now()
      const reply = await Promise.race([
        client.call('timeline.view', { ...view, pixels: 800 }),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000)),
      ])
      if (reply?.ok === true) latencies.push(performance.now() - started)
      else failures++
      if (served.alive()) peak = Math.max(peak, served.memory().rss)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })()
  await during()
  running = false
  await polling
  client.close()
  const sorted = [...latencies].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  return {
    requests: latencies.length + failures,
    failures,
    medianMs: Number(at(0.5).toFixed(1)),
    p95Ms: Number(at(0.95).toFixed(1)),
    maxMs: Number(at(1).toFixed(1)),
    rssPeakMiB: Number((peak / MiB).toFixed(1)),
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function hostileClients() {
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-bench-hostile-'))
  const file = join(dir, 'press.tinyloop')
  const { streamId, endUs } = seed(file)
  const served = await startServe(file)
  const view = { streamId, fromUs: 0, toUs: endUs }
  try {
    const rssBeforeMiB = Number((served.memory().rss / MiB).toFixed(1))
    const baseline = await politeWhile(served, view, () => sleep(PHASE_MS / 2))

    const resets = 1000
    const resetPhase = await politeWhile(served, view, async () => {
      for (let round = 0; round < resets; round++) {
        const socket = await tcpConnect(served.port)
        socket.write(upgradeRequest(served.port, round % 2 ? { token: 'wrong' } : {}))
        reset(socket)
      }
      await sleep(500)
    })

    const halfOpen = 100
    let closedByServer = 0
    const slowPhase = await politeWhile(served, view, async () => {
      const sockets = await Promise.all(
        Array.from({ length: halfOpen }, async () => {
          const socket = await tcpConnect(served.port)
          socket.on('error', () => {})
          socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ')
          return socket
        }),
      )
      // The head must arrive within 10 s (REQUEST_HEADERS_TIMEOUT_MS); wait past it.
      const closed = await Promise.all(sockets.map((socket) => closedWithin(socket, 12_500)))
      closedByServer = closed.filter(Boolean).length
      for (const socket of sockets) reset(socket)
    })

    const unreadRequests = 1500
    const neverReads = await politeWhile(served, view, async () => {
      const hostile = await rawWebSocket(served.port, served.token)
      for (let id = 1; id <= unreadRequests; id++) {
        hostile.write(
          textFrame(
            JSON.stringify({ id, method: 'timeline.view', args: { ...view, pixels: 8192 } }),
          ),
        )
      }
      await sleep(PHASE_MS)
      reset(hostile)
    })

    let oversizeClose: number | null = null
    const oversize = await politeWhile(served, view, async () => {
      const client = await wsClient(served.port, served.token)
      client.ws.send('x'.repeat(MAX_MESSAGE_BYTES + 1))
      oversizeClose = await Promise.race([client.closed, sleep(5000).then(() => null)])
      await sleep(1000)
    })

    return {
      server: {
        rssBeforeMiB,
        rssPeakMiB: Number((served.memory().peak / MiB).toFixed(1)),
        aliveAtEnd: served.alive(),
      },
      politeClient: { baseline, resetPhase, slowPhase, neverReads, oversize },
      hostile: {
        refusedUpgradesReset: resets,
        halfOpenHeads: halfOpen,
        halfOpenClosedByServer: closedByServer,
        unreadViewRequests: unreadRequests,
        oversizeMessageCloseCode: oversizeClose,
      },
      servedThroughout:
        served.alive() &&
        [resetPhase, slowPhase, neverReads, oversize].every((phase) => phase.failures === 0),
    }
  } finally {
    await served.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
