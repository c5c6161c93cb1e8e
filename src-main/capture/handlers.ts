import type { captureMethods } from '../../src-preload/contract/index.js'
import type { DomainHandlers } from '../rpc/dispatcher.js'
import type { CaptureService } from './capture-service.js'

/** Devices and recordings in progress (contract/capture.ts). */
export function captureHandlers(deps: {
  capture: CaptureService
}): DomainHandlers<typeof captureMethods> {
  const { capture } = deps
  return {
    'devices.list': () => capture.devices(),
    'capture.start': (request) => capture.start(request),
    'capture.stop': ({ recordingId }) => capture.stop(recordingId),
    'capture.sessions': () => capture.sessions(),
  }
}
