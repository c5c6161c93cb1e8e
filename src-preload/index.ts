/**
 * The sandboxed preload: exposes `window.tinyloop` with exactly two functions. Method and event
 * names are checked against the contract's names (an allowlist; `ipcRenderer` itself is never
 * exposed). It imports no schema library: only the names, fixed when the app is built.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { contractNames, IPC_CHANNEL_CALL, IPC_CHANNEL_EVENT } from './channels.js'
import type { EventName, RpcResponse, TinyLoopBridge } from './contract/index.js'

const allowedMethods = new Set<string>(contractNames.methods)
const allowedEvents = new Set<string>(contractNames.events)

const bridge: TinyLoopBridge = {
  call(method, args) {
    if (typeof method !== 'string' || !allowedMethods.has(method)) {
      return Promise.resolve<RpcResponse>({
        ok: false,
        error: { code: 'BAD_REQUEST', message: `Unknown method ${JSON.stringify(method)}.` },
      })
    }
    return ipcRenderer.invoke(IPC_CHANNEL_CALL, method, args) as Promise<RpcResponse>
  },
  on(listener) {
    const forward = (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (typeof name === 'string' && allowedEvents.has(name)) listener(name as EventName, payload)
    }
    ipcRenderer.on(IPC_CHANNEL_EVENT, forward)
    return () => {
      ipcRenderer.off(IPC_CHANNEL_EVENT, forward)
    }
  },
}

contextBridge.exposeInMainWorld('tinyloop', bridge)
