import { ipcMain, type BrowserWindow } from 'electron'
import { IPC_CHANNEL_CALL, IPC_CHANNEL_EVENT } from '../../src-preload/channels.js'
import type { RpcResponse } from '../../src-preload/contract/index.js'
import type { Services } from '../services.js'

/**
 * The IPC transport: one invoke channel carrying `(method, args)` into the shared dispatcher, and
 * one event channel out. Calls from any frame other than our own page are refused.
 */
export function registerIpc(services: Services, appUrl: string, windows: () => BrowserWindow[]) {
  const ownPage = appUrl.split('#')[0]
  ipcMain.handle(
    IPC_CHANNEL_CALL,
    (event, method: unknown, args: unknown): Promise<RpcResponse> => {
      const frameUrl = event.senderFrame?.url.split('#')[0]
      if (frameUrl !== ownPage) {
        return Promise.resolve({
          ok: false,
          error: {
            code: 'BAD_REQUEST',
            message: 'Calls are only accepted from the TinyLoop window.',
          },
        })
      }
      return services.dispatch(method, args)
    },
  )
  return services.events.subscribe((name, payload) => {
    for (const win of windows()) {
      if (!win.isDestroyed()) win.webContents.send(IPC_CHANNEL_EVENT, name, payload)
    }
  })
}
