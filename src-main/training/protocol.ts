import type { EpochPoint } from '../../src-preload/contract/index.js'
import type { TrainJob, TrainResult } from './train-loop.js'
import type { Backend } from './engine.js'

/** What the host sends the trainer process. */
export type ToTrainer = { type: 'start'; job: TrainJob; backend: Backend } | { type: 'cancel' }

/** What the trainer process sends back. Progress comes at most 4 times a second. */
export type FromTrainer =
  | {
      type: 'progress'
      epoch: number
      epochs: number
      batch: number
      batches: number
      /** Epochs that ended since the last message. */
      points: EpochPoint[]
    }
  | { type: 'done'; result: TrainResult }
  | { type: 'error'; message: string }

/** Messages at most this often, but an epoch's end is never held back longer. */
export const PROGRESS_INTERVAL_MS = 250
