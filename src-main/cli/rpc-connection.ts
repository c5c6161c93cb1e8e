import type { WebSocket } from 'ws'
import { WireRequest, type WireMessage } from '../../src-preload/contract/index.js'
import type { Dispatch, Logger } from '../rpc/dispatcher.js'
import type { EventBus } from '../rpc/events.js'

export interface ConnectionLimits {
  maxInFlight: number
  maxUnsentBytes: number
  stalledCloseMs: number
}

/**
 * One WebSocket client of web mode, with backpressure: at most `maxInFlight` of its requests are
 * answered at once (the rest wait in order), and while its unsent replies and events exceed
 * `maxUnsentBytes` the server stops reading its requests, so a client that never reads cannot
 * make the server hold more than about that much for it. A client that stays over the bound for
 * `stalledCloseMs` is disconnected.
 */
export function serveConnection(
  ws: WebSocket,
  services: { dispatch: Dispatch; events: EventBus; log: Logger },
  limits: ConnectionLimits,
): void {
  const { dispatch, events, log } = services
  const waiting: WireRequest[] = []
  let inFlight = 0
  let unsentBytes = 0
  let paused = false
  let stalledTimer: NodeJS.Timeout | null = null

  const regulate = () => {
    if (ws.readyState !== ws.OPEN) return
    const over = unsentBytes > limits.maxUnsentBytes
    const shouldPause = over || inFlight + waiting.length >= limits.maxInFlight
    if (shouldPause !== paused) {
      paused = shouldPause
      if (paused) ws.pause()
      else ws.resume()
    }
    if (over && !stalledTimer) {
      stalledTimer = setTimeout(() => {
        log.error(
          `closing a web client that left ${unsentBytes} bytes unread for ${limits.stalledCloseMs} ms`,
        )
        ws.terminate()
      }, limits.stalledCloseMs)
    } else if (!over && stalledTimer) {
      clearTimeout(stalledTimer)
      stalledTimer = null
    }
  }

  const send = (message: WireMessage) => {
    if (ws.readyState !== ws.OPEN) return
    const text = JSON.stringify(message)
    const bytes = Buffer.byteLength(text)
    unsentBytes += bytes
    ws.send(text, () => {
      unsentBytes -= bytes
      pump()
    })
    regulate()
  }

  /** Answers waiting requests while there is room: in flight, and in unsent replies. */
  const pump = () => {
    while (
      waiting.length > 0 &&
      inFlight < limits.maxInFlight &&
      unsentBytes <= limits.maxUnsentBytes &&
      ws.readyState === ws.OPEN
    ) {
      const request = waiting.shift() as WireRequest
      inFlight++
      void dispatch(request.method, request.args).then((response) => {
        inFlight--
        send({ type: 'response', id: request.id, ...response })
        pump()
      })
    }
    regulate()
  }

  const unsubscribe = events.subscribe((event, payload) => send({ type: 'event', event, payload }))
  ws.on('close', () => {
    unsubscribe()
    waiting.length = 0
    if (stalledTimer) clearTimeout(stalledTimer)
  })
  ws.on('error', (err) => log.error('web socket error', err))
  ws.on('message', (data, isBinary) => {
    const request = isBinary ? null : parseRequest(String(data))
    if (!request) {
      send({
        type: 'response',
        id: -1,
        ok: false,
        error: { code: 'BAD_REQUEST', message: 'Malformed request: expected {id, method, args}.' },
      })
      return
    }
    // Messages already read when the socket paused still arrive; they wait their turn.
    waiting.push(request)
    pump()
  })
}

function parseRequest(text: string): WireRequest | null {
  try {
    const parsed = WireRequest.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}
