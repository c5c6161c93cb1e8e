import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startWebServer, type WebServer } from '../../src-main/cli/serve.js'
import { createServices, type Services } from '../../src-main/services.js'

let dir: string
let services: Services
let server: WebServer

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-web-'))
  const renderer = join(dir, 'renderer')
  mkdirSync(join(renderer, 'assets'), { recursive: true })
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>TinyLoop</title>')
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(dir, 'secret.txt'), 'secret')
  services = createServices({
    mode: 'web',
    userDataDir: join(dir, 'data'),
    projectPath: join(dir, 'Line 3.tinyloop'),
  })
  server = await startWebServer({ services, rendererDir: renderer, port: 0 })
})

afterEach(async () => {
  await server.close()
  await services.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A raw HTTP GET, so that Host and Cookie headers are exactly what the test says. */
function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: server.port,
          path,
          headers: { Host: `127.0.0.1:${server.port}`, ...headers },
        },
        (res) => {
          let body = ''
          res.on('data', (d: Buffer) => (body += d.toString()))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        },
      )
      req.on('error', reject)
      req.end()
    },
  )
}

function connect(opts: { token?: string | null; origin?: string } = {}) {
  const token = opts.token === undefined ? server.token : opts.token
  const url = `ws://127.0.0.1:${server.port}/rpc${token === null ? '' : `?token=${token}`}`
  return new WebSocket(url, { origin: opts.origin ?? `http://127.0.0.1:${server.port}` })
}

function outcome(ws: WebSocket) {
  return new Promise<string>((resolve) => {
    ws.once('open', () => resolve('open'))
    ws.once('unexpected-response', (_req, res) => resolve(String(res.statusCode)))
    ws.once('error', () => resolve('error'))
  })
}

function nextMessage(ws: WebSocket, filter: (m: Record<string, unknown>) => boolean = () => true) {
  return new Promise<Record<string, unknown>>((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>
      if (filter(message)) {
        ws.off('message', onMessage)
        resolve(message)
      }
    }
    ws.on('message', onMessage)
  })
}

describe('web mode HTTP', () => {
  it('listens on 127.0.0.1 and prints a tokened URL', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`)
    expect(server.token.length).toBeGreaterThanOrEqual(32)
  })

  it('refuses requests without the token and serves the app with it', async () => {
    expect((await get('/')).status).toBe(401)
    expect((await get('/assets/app.js')).status).toBe(401)
    expect((await get('/?token=wrong')).status).toBe(403)

    const ok = await get(`/?token=${server.token}`)
    expect(ok.status).toBe(200)
    expect(ok.body).toContain('<title>TinyLoop</title>')
    expect(String(ok.headers['content-security-policy'])).toContain("script-src 'self'")
    const cookie = String(ok.headers['set-cookie'])
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Strict')

    // The cookie alone then authorizes the page's assets.
    const asset = await get('/assets/app.js', { Cookie: cookie.split(';')[0]! })
    expect(asset.status).toBe(200)
    expect(asset.headers['content-type']).toContain('text/javascript')
  })

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const res = await get(`/?token=${server.token}`, { Host: `evil.example:${server.port}` })
    expect(res.status).toBe(403)
  })

  it('never serves files outside the renderer folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%00',
    ]) {
      const res = await get(`${path}${path.includes('?') ? '&' : '?'}token=${server.token}`)
      expect(res.status, path).toBe(404)
      expect(res.body).not.toContain('secret')
    }
  })
})

describe('web mode WebSocket', () => {
  it('is refused without the token or from another origin', async () => {
    expect(await outcome(connect({ token: null }))).toBe('401')
    expect(await outcome(connect({ token: 'wrong' }))).toBe('401')
    expect(await outcome(connect({ origin: 'http://evil.example' }))).toBe('403')
  })

  it('carries the contract to the same services', async () => {
    const ws = connect()
    expect(await outcome(ws)).toBe('open')
    const reply = nextMessage(ws)
    ws.send(JSON.stringify({ id: 1, method: 'project.current', args: {} }))
    expect(await reply).toMatchObject({
      type: 'response',
      id: 1,
      ok: true,
      value: { name: 'Line 3', schemaVersion: expect.any(Number), recordings: 0 },
    })
    ws.close()
  })

  it('answers malformed messages with typed errors and keeps the connection', async () => {
    const ws = connect()
    await outcome(ws)
    let reply = nextMessage(ws)
    ws.send('{ not json')
    expect(await reply).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    reply = nextMessage(ws)
    ws.send(JSON.stringify({ id: 2, method: 'no.such.method', args: {} }))
    expect(await reply).toMatchObject({ id: 2, ok: false, error: { code: 'BAD_REQUEST' } })
    reply = nextMessage(ws)
    ws.send(JSON.stringify({ id: 3, method: 'project.open', args: { path: 42 } }))
    expect(await reply).toMatchObject({ id: 3, ok: false, error: { code: 'INVALID_ARGUMENT' } })
    reply = nextMessage(ws)
    ws.send(JSON.stringify({ id: 4, method: 'recordings.list', args: {} }))
    expect(await reply).toMatchObject({ id: 4, ok: true, value: [] })
    ws.close()
  })

  it('pushes events to every connected page', async () => {
    const a = connect()
    const b = connect()
    await Promise.all([outcome(a), outcome(b)])
    const event = nextMessage(b, (m) => m.type === 'event' && m.event === 'project.onChanged')
    a.send(JSON.stringify({ id: 1, method: 'project.create', args: { path: join(dir, 'Line 4') } }))
    expect(await event).toMatchObject({ payload: { name: 'Line 4' } })
    a.close()
    b.close()
  })
})
