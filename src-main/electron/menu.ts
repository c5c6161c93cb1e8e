import { Menu, shell, type MenuItemConstructorOptions } from 'electron'
import type { AppCommand, RecentProject } from '../../src-preload/contract/index.js'

export interface MenuActions {
  command(command: AppCommand): void
  openRecent(path: string): void
  recent(): RecentProject[]
  isDev: boolean
  logPath: string
}

/** File (projects), View, Help. Menu items send commands to the UI, which owns the dialogs. */
export function buildMenu(actions: MenuActions): Menu {
  const isMac = process.platform === 'darwin'
  const recent = actions.recent().filter((p) => p.exists)
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        {
          label: 'New Project…',
          accelerator: 'CmdOrCtrl+Shift+N',
          click: () => actions.command('project.new'),
        },
        {
          label: 'Open Project…',
          accelerator: 'CmdOrCtrl+O',
          click: () => actions.command('project.open'),
        },
        {
          label: 'Open Recent',
          submenu: recent.length
            ? recent.map((p) => ({
                label: `${p.name}  —  ${p.path}`,
                click: () => actions.openRecent(p.path),
              }))
            : [{ label: 'No recent projects', enabled: false }],
        },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        {
          label: 'Command Palette…',
          accelerator: 'CmdOrCtrl+K',
          click: () => actions.command('palette.open'),
        },
        { type: 'separator' },
        ...(actions.isDev
          ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as const)
          : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: '&Help',
      submenu: [
        { label: 'Show Log File', click: () => shell.showItemInFolder(actions.logPath) },
        ...(isMac ? [] : [{ role: 'about' as const }]),
      ],
    },
  ]
  return Menu.buildFromTemplate(template)
}
