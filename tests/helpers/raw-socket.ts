import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'

/**
 * Clients that misbehave on purpose, written on plain TCP sockets so that every byte (and every
 * reset) is what the test says: a WebSocket library would be too polite.
 */

export function tcpConnect(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host })
    socket.once('connect', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** The request head of a WebSocket upgrade to `/rpc` (with the token when given). */
export function upgradeRequest(
  port: number,
  opts: { token?: string; target?: string; origin?: string } = {},
): string {
  const host = `127.0.0.1:${port}`
  const target = opts.target ?? `/rpc${opts.token ? `?token=${opts.token}` : ''}`
  return [
    `GET ${target} HTTP/1.1`,
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
    `Origin: ${opts.origin ?? `http://${host}`}`,
    '',
    '',
  ].join('\r\n')
}

/** Sends a TCP reset instead of a FIN (SO_LINGER 0, then close). */
export function reset(socket: Socket): void {
  socket.on('error', () => {})
  // A socket the server already closed is simply let go (a reset of it would leave its handle).
  if (socket.destroyed || !socket.readable) socket.destroy()
  else socket.resetAndDestroy()
}

/** A client-to-server WebSocket text frame (masked, as clients must). */
export function textFrame(text: string): Buffer {
  const payload = Buffer.from(text)
  const mask = randomBytes(4)
  const length = payload.length
  const header =
    length < 126
      ? Buffer.from([0x81, 0x80 | length])
      : length < 65536
        ? Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x81, 0x80 | 127]), bigEndian64(length)])
  const masked = Buffer.alloc(length)
  for (let i = 0; i < length; i++) masked[i] = (payload[i] as number) ^ (mask[i % 4] as number)
  return Buffer.concat([header, mask, masked])
}

function bigEndian64(value: number): Buffer {
  const bytes = Buffer.alloc(8)
  bytes.writeBigUInt64BE(BigInt(value))
  return bytes
}

/**
 * A WebSocket to `/rpc` opened by hand: resolves once the server answered 101, with the socket
 * paused, so the client reads nothing more unless the test resumes it.
 */
export async function rawWebSocket(port: number, token: string): Promise<Socket> {
  const socket = await tcpConnect(port)
  socket.on('error', () => {})
  socket.write(upgradeRequest(port, { token }))
  await new Promise<void>((resolve, reject) => {
    let head = ''
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      socket.off('data', onData)
      socket.pause()
      if (head.startsWith('HTTP/1.1 101')) resolve()
      else reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`))
    }
    socket.on('data', onData)
  })
  return socket
}

/** Whether the server closes `socket` within `ms` (it sees the end of the stream or a reset). */
export function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    const done = () => {
      clearTimeout(timer)
      resolve(true)
    }
    socket.once('close', done)
    socket.once('end', done)
    socket.resume()
  })
}
