/**
 * Composition root of the desktop app. Everything here is Electron glue: the services, the store
 * and the transports are the same ones the CLI and web mode use.
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { app, BrowserWindow, dialog, Menu } from 'electron'
import { PROJECT_EXTENSION } from '../paths.js'
import { createServices, type Services } from '../services.js'
import { nativeDialogs } from './dialogs.js'
import { registerIpc } from './ipc.js'
import { UtilityProcessLauncher } from './trainer-launcher.js'
import { buildMenu } from './menu.js'
import { createMainWindow, hardenSession, lockNavigation, rendererUrl } from './window.js'

app.setName('TinyLoop')
app.enableSandbox()

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  void app.whenReady().then(start)
}

/** A project file given on the command line or by the OS (double-click on a .tinyloop file). */
function projectArg(argv: string[]): string | undefined {
  const file = argv.slice(1).find((a) => a.endsWith(PROJECT_EXTENSION) && existsSync(a))
  return file ? resolve(file) : undefined
}

/**
 * `npm start` builds better-sqlite3 for Electron's ABI into .native/ (tests keep the Node build in
 * node_modules); packaged apps have it rebuilt in place by electron-builder.
 */
function electronSqliteBinding(): string | undefined {
  const file = join(
    app.getAppPath(),
    '.native',
    `electron-${process.versions.electron}`,
    'better_sqlite3.node',
  )
  return existsSync(file) ? file : undefined
}

function start(): void {
  hardenSession()
  app.on('web-contents-created', (_e, contents) => lockNavigation(contents, rendererUrl()))

  let mainWindow: BrowserWindow | null = null
  const services: Services = createServices({
    mode: 'desktop',
    userDataDir: app.getPath('userData'),
    projectPath: projectArg(process.argv),
    nativeBinding: electronSqliteBinding(),
    dialogs: nativeDialogs(() => mainWindow),
    trainerLauncher: new UtilityProcessLauncher(),
  })

  const refreshMenu = () =>
    Menu.setApplicationMenu(
      buildMenu({
        isDev: !app.isPackaged,
        logPath: services.log.path,
        recent: () => services.projects.recent(),
        command: (command) => services.events.emit('app.onCommand', { command }),
        openRecent: (path) => {
          try {
            services.projects.open(path)
          } catch (err) {
            dialog.showErrorBox(
              'Cannot open project',
              err instanceof Error ? err.message : String(err),
            )
          }
        },
      }),
    )
  refreshMenu()
  services.events.subscribe((event) => {
    if (event === 'project.onChanged') refreshMenu()
  })

  registerIpc(services, rendererUrl(), () => BrowserWindow.getAllWindows())
  mainWindow = createMainWindow(services.settings)
  mainWindow.on('closed', () => {
    mainWindow = null
  })

  app.on('second-instance', (_event, argv) => {
    const file = projectArg(argv)
    if (file) {
      try {
        services.projects.open(file)
      } catch (err) {
        dialog.showErrorBox('Cannot open project', err instanceof Error ? err.message : String(err))
      }
    }
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore()
      mainWindow.focus()
    }
  })
  app.on('activate', () => {
    if (!mainWindow) mainWindow = createMainWindow(services.settings)
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  // Recordings in progress are ended cleanly (everything received is kept) before quitting.
  let closed = false
  app.on('will-quit', (event) => {
    if (closed) return
    event.preventDefault()
    void services.close().finally(() => {
      closed = true
      app.quit()
    })
  })
}
