/**
 * The trainer process: TensorFlow.js runs here, never in main or the renderer. Started by the
 * host (Electron's utilityProcess in the app, child_process.fork elsewhere), it takes one
 * `start`, reports progress at most 4 times a second, answers `cancel` within one batch, and
 * ends with `done` or `error`. A crash (or running out of memory) is noticed by the host.
 */
import { initEngine } from './engine.js'
import { PROGRESS_INTERVAL_MS, type FromTrainer, type ToTrainer } from './protocol.js'
import { trainModel } from './train-loop.js'
import type { EpochPoint } from '../../src-preload/contract/index.js'

interface Port {
  post(message: FromTrainer): void
  listen(handler: (message: ToTrainer) => void): void
}

/** Electron's utilityProcess has `process.parentPort`; a forked Node process has IPC. */
function parentPort(): Port {
  const electronPort = (
    process as unknown as {
      parentPort?: {
        postMessage(m: unknown): void
        on(e: 'message', h: (e: { data: unknown }) => void): void
      }
    }
  ).parentPort
  if (electronPort) {
    return {
      post: (message) => electronPort.postMessage(message),
      listen: (handler) => electronPort.on('message', (event) => handler(event.data as ToTrainer)),
    }
  }
  if (!process.send) throw new Error('The trainer must be started by its host.')
  return {
    post: (message) => process.send?.(message),
    listen: (handler) => process.on('message', (message) => handler(message as ToTrainer)),
  }
}

const port = parentPort()
let cancelled = false

port.listen((message) => {
  if (message.type === 'cancel') cancelled = true
  else void run(message)
})

async function run(message: Extract<ToTrainer, { type: 'start' }>): Promise<void> {
  try {
    const tf = await initEngine(message.backend)
    const { job } = message
    let pending: EpochPoint[] = []
    let last = 0
    let position = { epoch: 0, batch: 0, batches: 0 }
    const send = (force: boolean) => {
      const now = performance.now()
      if (!force && now - last < PROGRESS_INTERVAL_MS) return
      last = now
      port.post({ type: 'progress', epochs: job.settings.epochs, ...position, points: pending })
      pending = []
    }
    const result = await trainModel(tf, job, {
      onBatch: (epoch, batch, batches) => {
        position = { epoch, batch, batches }
        send(false)
      },
      onEpoch: (point) => {
        pending.push(point)
        send(false)
      },
      cancelled: () => cancelled,
    })
    if (pending.length) send(true)
    port.post({ type: 'done', result })
  } catch (error) {
    port.post({ type: 'error', message: error instanceof Error ? error.message : String(error) })
  }
}
