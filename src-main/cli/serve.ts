import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { WebSocketServer } from 'ws'
import {
  MAX_CONNECTIONS,
  MAX_IN_FLIGHT_PER_CONNECTION,
  MAX_MESSAGE_BYTES,
  MAX_UNSENT_BYTES_PER_CONNECTION,
  REQUEST_HEADERS_TIMEOUT_MS,
  STALLED_CONNECTION_CLOSE_MS,
} from '../../src-preload/limits.js'
import type { Dispatch, Logger } from '../rpc/dispatcher.js'
import type { EventBus } from '../rpc/events.js'
import { serveConnection, type ConnectionLimits } from './rpc-connection.js'

export interface WebServerOptions {
  services: { dispatch: Dispatch; events: EventBus; log: Logger }
  /** The built renderer (`out/renderer`). */
  rendererDir: string
  host?: string
  port?: number
  /** Fixed token for tests; a fresh random one otherwise. */
  token?: string
  /** Tighter limits for tests; docs/limits.md gives the defaults. */
  limits?: Partial<WebLimits>
}

export interface WebLimits extends ConnectionLimits {
  headersTimeoutMs: number
  maxConnections: number
}

const DEFAULT_LIMITS: WebLimits = {
  maxInFlight: MAX_IN_FLIGHT_PER_CONNECTION,
  maxUnsentBytes: MAX_UNSENT_BYTES_PER_CONNECTION,
  stalledCloseMs: STALLED_CONNECTION_CLOSE_MS,
  headersTimeoutMs: REQUEST_HEADERS_TIMEOUT_MS,
  maxConnections: MAX_CONNECTIONS,
}
/** Refused upgrades get this long to take their answer before the socket is destroyed. */
const REFUSAL_LINGER_MS = 2000

export interface WebServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

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
  const { log } = opts.services
  const limits: WebLimits = { ...DEFAULT_LIMITS, ...opts.limits }
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

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.headersTimeoutMs * 3,
      // How often those timeouts are checked (Node's default, 30 s, would let them run late).
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    (req, res) => {
      void handleHttp(req, res).catch((err: unknown) => {
        log.error('web server request failed', err)
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' })
        res.end('Internal error; details are in the log.')
      })
    },
  )
  server.maxConnections = limits.maxConnections
  // Every socket gets an error listener the moment it is accepted, and keeps it after an
  // upgrade: a peer that resets the connection must never raise an error the process sees.
  server.on('connection', (socket: Socket) => socket.on('error', ignoreSocketError))
  server.on('clientError', (_err, socket: Duplex) => socket.destroy())

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseRequestUrl(req.url)
    if (!url) return plain(res, 400, 'Bad request.')
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
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', ignoreSocketError)
    const url = parseRequestUrl(req.url)
    if (!url || url.pathname !== '/rpc') return refuseUpgrade(socket, 404, 'Not Found')
    if (!hostAllowed(req)) return refuseUpgrade(socket, 403, 'Forbidden')
    if (req.headers.origin !== `http://${req.headers.host}`) {
      return refuseUpgrade(socket, 403, 'Forbidden')
    }
    if (!authorized(req, url)) return refuseUpgrade(socket, 401, 'Unauthorized')
    wss.handleUpgrade(req, socket, head, (ws) =>
      serveConnection(ws, opts.services, {
        maxInFlight: limits.maxInFlight,
        maxUnsentBytes: limits.maxUnsentBytes,
        stalledCloseMs: limits.stalledCloseMs,
      }),
    )
  })

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject)
      resolveListen()
    })
  })
  // Once listening, a failure to accept (too many open files, say) is logged, never thrown.
  server.on('error', (err) => log.error('web server error', err))
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

/** The request target as a URL, or null for one that is not a valid path. */
function parseRequestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://localhost')
  } catch {
    return null
  }
}

/** Answers a refused upgrade and makes sure the socket goes away even if the peer lingers. */
function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  const timer = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS)
  timer.unref()
  socket.once('close', () => clearTimeout(timer))
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

/** Resets and broken pipes are the peer's business; the socket is closed by then. */
function ignoreSocketError(): void {}

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
