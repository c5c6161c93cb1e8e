import { homedir } from 'node:os'
import { join } from 'node:path'

export const APP_NAME = 'TinyLoop'
export const PROJECT_EXTENSION = '.tinyloop'

/**
 * Where TinyLoop keeps settings, logs and the default project: the same folder Electron's
 * `app.getPath('userData')` gives for our product name, so the CLI, web mode and the desktop app
 * share one default project. `TINYLOOP_USER_DATA` overrides it (tests, portable installs).
 */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TINYLOOP_USER_DATA) return env.TINYLOOP_USER_DATA
  switch (process.platform) {
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME)
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', APP_NAME)
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME)
  }
}

export function defaultProjectPath(dataDir: string): string {
  return join(dataDir, `default${PROJECT_EXTENSION}`)
}
