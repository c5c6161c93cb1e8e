import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { WireRequest, type WireMessage } from '../../src-preload/contract.js'
import type { Services } from '../services.js'

export interface WebServerOptions {
  services: Pick<Services, 'dispatch' | 'events' | 'log'>
  /** The built renderer (`out/renderer`). */
  rendererDir: string
  host?: string
  port?: number
  /** Fixed token for tests; a fresh random one otherwise. */
  token?: string
}

export interface WebServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

const MAX_MESSAGE_BYTES = 8 * 1024 * 1024
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
}
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

/**
 * Web mode: the built renderer over HTTP and the contract over one WebSocket at `/rpc`, both
 * behind a per-launch token (query `?token=` once, then an HttpOnly same-site cookie), with Host
 * and Origin checked so that other web pages and DNS-rebinding tricks cannot reach the services.
 */
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1'
  const token = opts.token ?? randomBytes(24).toString('base64url')
  const rendererDir = resolve(opts.rendererDir)
  const { dispatch, events, log } = opts.services
  let port = 0
  const cookieName = () => `tinyloop_token_${port}`

  const tokenMatches = (candidate: string | null | undefined): boolean => {
    if (!candidate) return false
    const a = Buffer.from(candidate)
    const b = Buffer.from(token)
    return a.length === b.length && timingSafeEqual(a, b)
  }

  const authorized = (req: IncomingMessage, url: URL): 'query' | 'cookie' | null => {
    if (tokenMatches(url.searchParams.get('token'))) return 'query'
    if (tokenMatches(readCookie(req.headers.cookie, cookieName()))) return 'cookie'
    return null
  }

  /** The Host header must name this server, so a rebinding DNS name cannot borrow the token. */
  const hostAllowed = (req: IncomingMessage): boolean => {
    const hostHeader = req.headers.host
    if (!hostHeader) return false
    if (host === '0.0.0.0' || host === '::') return true
    return new Set([
      `${host}:${port}`,
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
    ]).has(hostHeader)
  }

  const server = createServer((req, res) => {
    void handleHttp(req, res).catch((err: unknown) => {
      log.error('web server request failed', err)
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' })
      res.end('Internal error; details are in the log.')
    })
  })

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!hostAllowed(req)) return plain(res, 403, 'Forbidden: unexpected Host header.')
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return plain(res, 405, 'Method not allowed.')
    }
    const auth = authorized(req, url)
    if (!auth) {
      const status = url.searchParams.has('token') ? 403 : 401
      return plain(
        res,
        status,
        'TinyLoop needs its access token. Open the full URL that `tinyloop serve` printed, including ?token=...',
      )
    }
    const headers: Record<string, string> = { ...SECURITY_HEADERS }
    if (auth === 'query') {
      headers['Set-Cookie'] = `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`
    }
    const file = resolveStatic(rendererDir, url.pathname)
    if (!file) return plain(res, 404, 'Not found.')
    let body: Buffer
    try {
      if (!(await stat(file)).isFile()) return plain(res, 404, 'Not found.')
      body = await readFile(file)
    } catch {
      return plain(res, 404, 'Not found.')
    }
    headers['Content-Type'] = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream'
    headers['Cache-Control'] = file.endsWith('.html') ? 'no-store' : 'private, max-age=3600'
    res.writeHead(200, headers)
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    if (url.pathname !== '/rpc') return refuse(404, 'Not Found')
    if (!hostAllowed(req)) return refuse(403, 'Forbidden')
    if (req.headers.origin !== `http://${req.headers.host}`) return refuse(403, 'Forbidden')
    if (!authorized(req, url)) return refuse(401, 'Unauthorized')
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  wss.on('connection', (ws: WebSocket) => {
    const send = (message: WireMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
    }
    const unsubscribe = events.subscribe((event, payload) =>
      send({ type: 'event', event, payload }),
    )
    ws.on('close', unsubscribe)
    ws.on('error', (err) => log.error('web socket error', err))
    ws.on('message', (data, isBinary) => {
      let request: WireRequest
      try {
        if (isBinary) throw new Error('binary')
        const parsed = WireRequest.safeParse(JSON.parse(String(data)))
        if (!parsed.success) throw new Error('shape')
        request = parsed.data
      } catch {
        send({
          type: 'response',
          id: -1,
          ok: false,
          error: {
            code: 'BAD_REQUEST',
            message: 'Malformed request: expected {id, method, args}.',
          },
        })
        return
      }
      void dispatch(request.method, request.args).then((response) =>
        send({ type: 'response', id: request.id, ...response }),
      )
    })
  })

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject)
      resolveListen()
    })
  })
  port = (server.address() as AddressInfo).port
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host

  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((done) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS })
  res.end(text)
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return rest.join('=')
  }
  return null
}

/** Maps a URL path to a file inside `root`, refusing anything that escapes it. */
export function resolveStatic(root: string, pathname: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0')) return null
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '')
  const file = normalize(join(root, relative))
  return file === root || file.startsWith(root + sep) ? file : null
}
