import type { driftMethods } from '../../src-preload/contract/index.js'
import type { DomainHandlers } from '../rpc/dispatcher.js'
import type { DriftService } from './drift-service.js'

/** The drift check (contract/drift.ts). */
export function driftHandlers(deps: { drift: DriftService }): DomainHandlers<typeof driftMethods> {
  const { drift } = deps
  return {
    'drift.check': ({ recordingId, runId }) => drift.check(recordingId, runId),
  }
}
