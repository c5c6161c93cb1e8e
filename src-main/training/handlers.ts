import type { trainingMethods } from '../../src-preload/contract/index.js'
import type { DomainHandlers } from '../rpc/dispatcher.js'
import type { TrainingService } from './training-service.js'

/** Training runs (contract/training.ts). */
export function trainingHandlers(deps: {
  training: TrainingService
}): DomainHandlers<typeof trainingMethods> {
  const { training } = deps
  return {
    'training.estimate': (request) => training.estimate(request),
    'training.start': (config) => training.start(config),
    'training.cancel': ({ runId }) => training.cancel(runId),
    'runs.list': () => training.list(),
    'runs.get': ({ id }) => training.get(id),
  }
}
