import type { deviceMethods } from '../../src-preload/contract/index.js'
import type { DomainHandlers } from '../rpc/dispatcher.js'
import type { DeviceService } from './device-service.js'

/** Boards running TinyLoop firmware: their hello, flashing a run's model (contract/device.ts). */
export function deviceHandlers(deps: {
  device: DeviceService
}): DomainHandlers<typeof deviceMethods> {
  const { device } = deps
  return {
    'device.info': ({ port, runId }) => device.info(port, runId),
    'device.flash': ({ runId, port }) => device.flash(runId, port),
    'device.cancelFlash': ({ port }) => device.cancelFlash(port),
  }
}
