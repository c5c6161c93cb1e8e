import type {
  EventName,
  RpcResponse,
  TinyLoopBridge,
  WireMessage,
} from '../../src-preload/contract/index'
import { fitsInBytes, formatBytes, MAX_MESSAGE_BYTES } from '../../src-preload/limits'

export type ConnectionState = 'connecting' | 'open' | 'closed'

const CALL_TIMEOUT_MS = 60_000
const RETRY_DELAYS_MS = [250, 500, 1000, 2000, 5000]

/**
 * The web-mode transport: the contract over one WebSocket to `tinyloop serve`. Calls made while
 * the socket is (re)connecting are queued; the socket reconnects with backoff if the server
 * restarts, and calls in flight when it drops fail with a clear message.
 */
export function websocketBridge(
  url: string,
  onState: (state: ConnectionState) => void,
): TinyLoopBridge {
  let socket: WebSocket | null = null
  let nextId = 1
  let attempt = 0
  const pending = new Map<number, (response: RpcResponse) => void>()
  const queue: string[] = []
  const listeners = new Set<(event: EventName, payload: unknown) => void>()

  const failAll = (message: string) => {
    for (const [id, settle] of pending) {
      settle({ ok: false, error: { code: 'INTERNAL', message } })
      pending.delete(id)
    }
  }

  const connect = () => {
    onState('connecting')
    const ws = new WebSocket(url)
    socket = ws
    ws.onopen = () => {
      attempt = 0
      onState('open')
      for (const message of queue.splice(0)) ws.send(message)
    }
    ws.onmessage = (event) => {
      let message: WireMessage
      try {
        message = JSON.parse(String(event.data)) as WireMessage
      } catch {
        return
      }
      if (message.type === 'event') {
        for (const listener of listeners) listener(message.event, message.payload)
      } else {
        const settle = pending.get(message.id)
        pending.delete(message.id)
        settle?.(
          message.ok ? { ok: true, value: message.value } : { ok: false, error: message.error },
        )
      }
    }
    ws.onclose = () => {
      socket = null
      onState('closed')
      failAll(
        'The connection to TinyLoop was lost. It reconnects by itself; try again in a moment.',
      )
      const delay = RETRY_DELAYS_MS[Math.min(attempt++, RETRY_DELAYS_MS.length - 1)]
      setTimeout(connect, delay)
    }
  }
  connect()

  return {
    call(method, args) {
      const id = nextId++
      const message = JSON.stringify({ id, method, args })
      // The server closes a connection that sends more than this: refuse it here, in words.
      if (!fitsInBytes(message, MAX_MESSAGE_BYTES)) {
        return Promise.resolve<RpcResponse>({
          ok: false,
          error: {
            code: 'TOO_LARGE',
            message:
              `This request is larger than the ${formatBytes(MAX_MESSAGE_BYTES)} one message ` +
              'to TinyLoop may carry, so it was not sent.',
          },
        })
      }
      return new Promise<RpcResponse>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          resolve({ ok: false, error: { code: 'INTERNAL', message: `${method} timed out.` } })
        }, CALL_TIMEOUT_MS)
        pending.set(id, (response) => {
          clearTimeout(timer)
          resolve(response)
        })
        if (socket?.readyState === WebSocket.OPEN) socket.send(message)
        else queue.push(message)
      })
    },
    on(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
