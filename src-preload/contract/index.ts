/**
 * The one typed description of everything the UI can ask (methods) and hear (events), combined
 * from one module per domain (project, data, capture, labels, dataset). Each domain module holds
 * its schemas, methods and events; a new domain is a new module here and a handlers file beside
 * its service (src-main/<domain>/handlers.ts).
 *
 * Main registers one validated handler per method, the preload allows only these names, the web
 * transport carries the same messages over a WebSocket, and the renderer imports the types. This
 * imports nothing environment-specific: it runs in main, the CLI and (as types) the renderer.
 */
import type { z } from 'zod'
import type { RpcResponse } from './rpc.js'
import { captureEvents, captureMethods } from './capture.js'
import { dataEvents, dataMethods } from './data.js'
import { datasetEvents, datasetMethods } from './dataset.js'
import { deployEvents, deployMethods } from './deploy.js'
import { deviceEvents, deviceMethods } from './device.js'
import { driftEvents, driftMethods } from './drift.js'
import { labelsEvents, labelsMethods } from './labels.js'
import { loopEvents, loopMethods } from './loop.js'
import { predictionsEvents, predictionsMethods } from './predictions.js'
import { projectEvents, projectMethods } from './project.js'
import { trainingEvents, trainingMethods } from './training.js'

export * from './capture.js'
export * from './data.js'
export * from './dataset.js'
export * from './deploy.js'
export * from './device.js'
export * from './drift.js'
export * from './labels.js'
export * from './loop.js'
export * from './predictions.js'
export * from './project.js'
export * from './rpc.js'
export * from './training.js'

export const methods = {
  ...projectMethods,
  ...dataMethods,
  ...captureMethods,
  ...labelsMethods,
  ...datasetMethods,
  ...trainingMethods,
  ...deployMethods,
  ...deviceMethods,
  ...predictionsMethods,
  ...driftMethods,
  ...loopMethods,
} as const

export type Methods = typeof methods
export type MethodName = keyof Methods
export type MethodArgs<M extends MethodName> = z.input<Methods[M]['args']>
export type MethodResult<M extends MethodName> = z.output<Methods[M]['result']>
export const methodNames = Object.keys(methods) as MethodName[]

/** Events: pushed from the services to every connected UI. */
export const events = {
  ...projectEvents,
  ...dataEvents,
  ...captureEvents,
  ...labelsEvents,
  ...datasetEvents,
  ...trainingEvents,
  ...deployEvents,
  ...deviceEvents,
  ...predictionsEvents,
  ...driftEvents,
  ...loopEvents,
} as const

export type Events = typeof events
export type EventName = keyof Events
export type EventPayload<E extends EventName> = z.output<Events[E]>
export const eventNames = Object.keys(events) as EventName[]

export type WireMessage =
  | ({ type: 'response'; id: number } & RpcResponse)
  | { type: 'event'; event: EventName; payload: unknown }

/** The API the preload exposes as `window.tinyloop`, and the one the WebSocket client implements. */
export interface TinyLoopBridge {
  call(method: string, args: unknown): Promise<RpcResponse>
  on(listener: (event: EventName, payload: unknown) => void): () => void
}
