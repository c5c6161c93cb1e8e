import type {
  ErrorCode,
  EventName,
  EventPayload,
  LabelList,
  MethodArgs,
  MethodName,
  MethodResult,
  RpcResponse,
  TinyLoopBridge,
} from '../../../src-preload/contract/index'
import { ApiClient } from '../../../src-renderer/api/client'

type Answer<M extends MethodName> = (
  args: MethodArgs<M>,
) => MethodResult<M> | Promise<MethodResult<M>>

/** How the fake answers each method; a method without an answer fails like an unknown one. */
export type Answers = { [M in MethodName]?: Answer<M> }

/** Thrown by an answer to fail the call with that code and message, as the services do. */
export class ServiceFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/**
 * The contract's bridge in memory, for the renderer's state classes: each call is answered from
 * a table (and recorded), and the test pushes events as the services would.
 */
export class FakeBridge implements TinyLoopBridge {
  readonly calls: { method: string; args: unknown }[] = []
  readonly #listeners = new Set<(event: EventName, payload: unknown) => void>()

  constructor(readonly answers: Answers = {}) {}

  async call(method: string, args: unknown): Promise<RpcResponse> {
    this.calls.push({ method, args })
    const answer = this.answers[method as MethodName] as
      ((args: unknown) => unknown | Promise<unknown>) | undefined
    if (!answer) {
      return { ok: false, error: { code: 'BAD_REQUEST', message: `No answer for ${method}.` } }
    }
    try {
      return { ok: true, value: await answer(args) }
    } catch (err) {
      const code = err instanceof ServiceFailure ? err.code : 'INTERNAL'
      return { ok: false, error: { code, message: (err as Error).message } }
    }
  }

  on(listener: (event: EventName, payload: unknown) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.#listeners) listener(event, payload)
  }

  /** The arguments of every call of `method` so far. */
  argsOf<M extends MethodName>(method: M): MethodArgs<M>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args as MethodArgs<M>)
  }

  client(): ApiClient {
    return new ApiClient(this, 'ipc')
  }
}

/** A promise the test settles when it chooses, to answer calls out of order. */
export interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

/** Lets every pending answer and the state's reactions to it run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0))
}

/** A recording's label list as the services return it, with what a test gives. */
export function labelList(change: Partial<LabelList> = {}): LabelList {
  return {
    recordingId: 1,
    defaultClassId: 1,
    labels: [],
    totals: [],
    defaultDurationUs: 0,
    extent: { startUs: 0, endUs: 60e6 },
    snapRateHz: 100,
    canUndo: false,
    canRedo: false,
    undoLabel: null,
    redoLabel: null,
    labelId: null,
    ...change,
  }
}

/** The classes a new project starts with ("normal", the default, and "anomaly" on key 1). */
export const startingClasses: MethodResult<'classes.list'> = [
  {
    id: 1,
    name: 'normal',
    color: '#999999',
    hotkey: null,
    sortOrder: 0,
    labels: 0,
    recordings: 0,
    isDefault: true,
  },
  {
    id: 2,
    name: 'anomaly',
    color: '#D55E00',
    hotkey: '1',
    sortOrder: 1,
    labels: 0,
    recordings: 0,
    isDefault: false,
  },
]

/** A recording of one 3-channel stream at `rateHz`, `durationS` long, as recordings.get gives it. */
export function recordingDetail(
  id: number,
  durationS: number,
  rateHz = 100,
): MethodResult<'recordings.get'> {
  const samples = Math.round(durationS * rateHz)
  return {
    id,
    name: `Recording ${id}`,
    device: 'demo',
    notes: '',
    tags: [],
    startedAt: 0,
    status: 'complete',
    channels: ['ax', 'ay', 'az'],
    samples,
    durationS,
    rateHz,
    labels: 0,
    defaultClassId: null,
    streams: [
      {
        id: id * 10,
        name: 'accel',
        rateHz,
        channels: ['ax', 'ay', 'az'].map((name) => ({ name, unit: null })),
        samples,
        firstUs: 0,
        lastUs: ((samples - 1) * 1e6) / rateHz,
      },
    ],
  }
}

/** The answer to timeline.view: one bucket per requested pixel is not needed to test the state. */
export function emptySlice(args: MethodArgs<'timeline.view'>): MethodResult<'timeline.view'> {
  return {
    streamId: args.streamId,
    level: 0,
    channelCount: 3,
    t0: [],
    t1: [],
    min: [],
    max: [],
    mean: [],
  }
}
