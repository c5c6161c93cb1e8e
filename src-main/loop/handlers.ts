import type { loopMethods } from '../../src-preload/contract/index.js'
import type { DomainHandlers } from '../rpc/dispatcher.js'
import type { LoopService } from './loop-service.js'

/** Retrain and flash in one click (contract/loop.ts). */
export function loopHandlers(deps: { loop: LoopService }): DomainHandlers<typeof loopMethods> {
  const { loop } = deps
  return {
    'loop.retrainAndFlash': ({ port, force }) => loop.retrainAndFlash(port, force),
    'loop.flashAnyway': ({ port, runId }) => loop.flashAnyway(port, runId),
    'loop.cancel': ({ port }) => loop.cancel(port),
  }
}
