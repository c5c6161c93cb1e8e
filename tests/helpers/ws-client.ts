import WebSocket from 'ws'

export interface WsClient {
  ws: WebSocket
  /** One request; resolves with the server's response message. */
  call(method: string, args?: unknown): Promise<Record<string, unknown>>
  /** The close code, once the server closed the connection. */
  closed: Promise<number>
  close(): void
}

/** A well-behaved web-mode client of a server on 127.0.0.1:`port`. */
export async function wsClient(port: number, token: string): Promise<WsClient> {
  const origin = `http://127.0.0.1:${port}`
  const ws = new WebSocket(`ws://127.0.0.1:${port}/rpc?token=${token}`, { origin })
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  let nextId = 1
  const pending = new Map<number, (message: Record<string, unknown>) => void>()
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>
    if (message.type !== 'response') return
    pending.get(message.id as number)?.(message)
    pending.delete(message.id as number)
  })
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
  return {
    ws,
    call(method, args = {}) {
      const id = nextId++
      return new Promise((resolve) => {
        pending.set(id, resolve)
        ws.send(JSON.stringify({ id, method, args }))
      })
    },
    closed,
    close: () => ws.close(),
  }
}
