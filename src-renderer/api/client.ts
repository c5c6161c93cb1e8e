import type {
  EventName,
  EventPayload,
  MethodArgs,
  MethodName,
  MethodResult,
  TinyLoopBridge,
} from '../../src-preload/contract/index'
import { RpcError } from './rpc-error'
import { websocketBridge, type ConnectionState } from './websocket-bridge'

declare global {
  interface Window {
    /** Present in the desktop app, exposed by the preload. */
    tinyloop?: TinyLoopBridge
  }
}

/** The typed API the UI uses, whatever carries it. */
export class ApiClient {
  readonly transport: 'ipc' | 'websocket'
  readonly #bridge: TinyLoopBridge

  constructor(bridge: TinyLoopBridge, transport: 'ipc' | 'websocket') {
    this.#bridge = bridge
    this.transport = transport
  }

  async call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M>> {
    const response = await this.#bridge.call(method, args)
    if (!response.ok) throw new RpcError(response.error)
    return response.value as MethodResult<M>
  }

  on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void {
    return this.#bridge.on((name, payload) => {
      if (name === event) handler(payload as EventPayload<E>)
    })
  }
}

/** Electron IPC when the preload is there; otherwise the WebSocket of `tinyloop serve`. */
export function connectApi(onState: (state: ConnectionState) => void): ApiClient {
  if (window.tinyloop) {
    onState('open')
    return new ApiClient(window.tinyloop, 'ipc')
  }
  const token = new URLSearchParams(location.search).get('token') ?? ''
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const url = `${scheme}//${location.host}/rpc?token=${encodeURIComponent(token)}`
  return new ApiClient(websocketBridge(url, onState), 'websocket')
}
