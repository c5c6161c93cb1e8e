/**
 * Electron cannot run on these machines (no binary), so the shell's security settings are checked
 * against a stand-in for the `electron` module that records what the shell asks of it.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'

const recorded = vi.hoisted(() => ({
  windows: [] as Array<{ options: Record<string, unknown>; handlers: Record<string, unknown> }>,
  headersHook: null as null | ((details: unknown, cb: (r: unknown) => void) => void),
  permissionRequest: null as null | ((wc: unknown, p: string, cb: (ok: boolean) => void) => void),
  permissionCheck: null as null | (() => boolean),
  ipcHandlers: new Map<string, (...args: unknown[]) => unknown>(),
  exposed: new Map<string, unknown>(),
  invoked: [] as unknown[][],
}))

vi.mock('electron', () => {
  class FakeWebContents {
    handlers: Record<string, (...args: unknown[]) => void> = {}
    windowOpenHandler: ((d: { url: string }) => unknown) | null = null
    on(event: string, fn: (...args: unknown[]) => void) {
      this.handlers[event] = fn
      return this
    }
    setWindowOpenHandler(fn: (d: { url: string }) => unknown) {
      this.windowOpenHandler = fn
    }
  }
  class BrowserWindow {
    webContents = new FakeWebContents()
    constructor(options: Record<string, unknown>) {
      recorded.windows.push({ options, handlers: this.webContents.handlers })
    }
    once() {}
    on() {}
    maximize() {}
    loadURL() {
      return Promise.resolve()
    }
  }
  return {
    BrowserWindow,
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    shell: { openExternal: vi.fn() },
    session: {
      defaultSession: {
        webRequest: {
          onHeadersReceived: (fn: typeof recorded.headersHook) => (recorded.headersHook = fn),
        },
        setPermissionRequestHandler: (fn: typeof recorded.permissionRequest) =>
          (recorded.permissionRequest = fn),
        setPermissionCheckHandler: (fn: typeof recorded.permissionCheck) =>
          (recorded.permissionCheck = fn),
      },
    },
    ipcMain: {
      handle: (channel: string, fn: (...args: unknown[]) => unknown) =>
        recorded.ipcHandlers.set(channel, fn),
    },
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => recorded.exposed.set(key, api),
    },
    ipcRenderer: {
      invoke: (...args: unknown[]) => {
        recorded.invoked.push(args)
        return Promise.resolve({ ok: true, value: 'from main' })
      },
      on: vi.fn(),
      off: vi.fn(),
    },
  }
})

const settings = { data: { window: null }, update: vi.fn() }

beforeEach(() => {
  recorded.windows.length = 0
  recorded.invoked.length = 0
})

describe('main window', () => {
  it('is created with the hardened web preferences', async () => {
    const { createMainWindow } = await import('../../src-main/electron/window.js')
    createMainWindow(settings as never)
    const prefs = recorded.windows[0]?.options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    })
    expect(String(prefs.preload)).toMatch(/preload[/\\]index\.cjs$/)
  })

  it('denies navigation away from the app, new windows and webviews', async () => {
    const { createMainWindow } = await import('../../src-main/electron/window.js')
    const win = createMainWindow(settings as never) as unknown as {
      webContents: {
        handlers: Record<string, (e: { preventDefault(): void }, url?: string) => void>
        windowOpenHandler: (d: { url: string }) => { action: string }
      }
    }
    const blocked = (event: string, url?: string) => {
      const e = { preventDefault: vi.fn() }
      win.webContents.handlers[event]!(e, url)
      return e.preventDefault.mock.calls.length > 0
    }
    expect(blocked('will-navigate', 'https://example.com/')).toBe(true)
    expect(blocked('will-navigate', 'file:///etc/passwd')).toBe(true)
    expect(blocked('will-redirect', 'https://example.com/')).toBe(true)
    expect(blocked('will-attach-webview')).toBe(true)
    expect(win.webContents.windowOpenHandler({ url: 'https://example.com' })).toEqual({
      action: 'deny',
    })
  })

  it('sets a strict CSP on every response and grants no permission', async () => {
    const { hardenSession } = await import('../../src-main/electron/window.js')
    hardenSession()
    let headers: Record<string, string[]> = {}
    recorded.headersHook!({ responseHeaders: { 'X-Other': ['1'] } }, (r) => {
      headers = (r as { responseHeaders: Record<string, string[]> }).responseHeaders
    })
    const csp = headers['Content-Security-Policy']?.[0] ?? ''
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-eval')
    expect(headers['X-Other']).toEqual(['1'])
    const answers: boolean[] = []
    recorded.permissionRequest!({}, 'media', (ok) => answers.push(ok))
    recorded.permissionRequest!({}, 'serial', (ok) => answers.push(ok))
    expect(answers).toEqual([false, false])
    expect(recorded.permissionCheck!()).toBe(false)
  })
})

describe('IPC transport', () => {
  it('dispatches calls from our page and refuses other frames', async () => {
    const { registerIpc } = await import('../../src-main/electron/ipc.js')
    const dispatch = vi.fn(async () => ({ ok: true as const, value: 'answer' }))
    const services = { dispatch, events: { subscribe: () => () => {} } }
    registerIpc(services as never, 'file:///app/out/renderer/index.html', () => [])
    const handler = recorded.ipcHandlers.get('tinyloop:call')!

    const own = await handler(
      { senderFrame: { url: 'file:///app/out/renderer/index.html#/capture' } },
      'recordings.list',
      {},
    )
    expect(own).toEqual({ ok: true, value: 'answer' })
    const foreign = (await handler(
      { senderFrame: { url: 'https://evil.example/' } },
      'recordings.list',
      {},
    )) as { ok: boolean; error: { code: string } }
    expect(foreign.ok).toBe(false)
    expect(foreign.error.code).toBe('BAD_REQUEST')
    expect(dispatch).toHaveBeenCalledTimes(1)
  })
})

describe('preload bridge', () => {
  it('exposes only call/on and refuses names outside the contract without touching IPC', async () => {
    await import('../../src-preload/index.js')
    const bridge = recorded.exposed.get('tinyloop') as {
      call(m: unknown, a: unknown): Promise<{ ok: boolean; error?: { code: string } }>
    }
    expect(Object.keys(bridge).sort()).toEqual(['call', 'on'])
    const refused = await bridge.call('fs.readFile', { path: '/etc/passwd' })
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } })
    expect(recorded.invoked).toEqual([])
    await bridge.call('recordings.list', {})
    expect(recorded.invoked).toEqual([['tinyloop:call', 'recordings.list', {}]])
  })
})
