import { join } from 'node:path'
import { BrowserWindow, screen, session, shell, type WebContents } from 'electron'
import type { Settings, WindowBounds } from '../settings.js'
import { fitBounds } from '../window-bounds.js'

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

/** Session-wide hardening: a strict CSP on every response and no permission is ever granted. */
export function hardenSession(): void {
  const ses = session.defaultSession
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] },
    })
  })
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  ses.setPermissionCheckHandler(() => false)
}

/** Only our own page may load in our windows; links to the web open in the user's browser. */
export function lockNavigation(contents: WebContents, appUrl: string): void {
  const isOwnPage = (url: string) => url.split('#')[0] === appUrl.split('#')[0]
  contents.on('will-navigate', (event, url) => {
    if (!isOwnPage(url)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isOwnPage(url)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
}

export function rendererUrl(): string {
  // electron-vite sets ELECTRON_RENDERER_URL for `electron-vite dev` (hot reload).
  const devUrl = process.env.ELECTRON_RENDERER_URL
  return devUrl ?? `file://${join(import.meta.dirname, '..', 'renderer', 'index.html')}`
}

export function createMainWindow(settings: Settings): BrowserWindow {
  const saved = settings.data.window
  const bounds = fitBounds(
    saved,
    screen.getAllDisplays().map((d) => d.workArea),
  )
  const win = new BrowserWindow({
    ...bounds,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'TinyLoop',
    backgroundColor: '#15171c',
    icon: join(import.meta.dirname, '..', '..', 'resources', 'icon.png'),
    webPreferences: {
      preload: join(import.meta.dirname, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  })
  if (saved?.maximized) win.maximize()
  win.once('ready-to-show', () => win.show())

  const remember = () => {
    const { x, y, width, height } = win.getNormalBounds()
    const next: WindowBounds = { x, y, width, height, maximized: win.isMaximized() }
    settings.update((d) => {
      d.window = next
    })
  }
  win.on('close', remember)

  const url = rendererUrl()
  lockNavigation(win.webContents, url)
  void win.loadURL(url)
  return win
}
