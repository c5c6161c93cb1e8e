/**
 * The sandboxed preload: exposes `window.tinyloop` with exactly two functions derived from the
 * contract. Method and event names are checked against the contract's allowlist; `ipcRenderer`
 * itself is never exposed.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import {
  IPC_CHANNEL_CALL,
  IPC_CHANNEL_EVENT,
  eventNames,
  methodNames,
  type EventName,
  type RpcResponse,
  type TinyLoopBridge,
} from './contract.js'

const allowedMethods = new Set<string>(methodNames)
const allowedEvents = new Set<string>(eventNames)

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
