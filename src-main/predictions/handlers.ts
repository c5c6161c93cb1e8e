import {
  MAX_PREDICTIONS_PER_RANGE,
  type PredictionTrack,
  type predictionsMethods,
} from '../../src-preload/contract/index.js'
import { hex32 } from '../device/device-service.js'
import type { ProjectService } from '../project/project-service.js'
import { ServiceError } from '../rpc/errors.js'
import type { DomainHandlers } from '../rpc/dispatcher.js'
import type { PredictionTrack as StoredTrack } from '../store/index.js'

/** A recording's stored predictions (contract/predictions.ts). */
export function predictionsHandlers(deps: {
  projects: ProjectService
}): DomainHandlers<typeof predictionsMethods> {
  const { projects } = deps
  return {
    'predictions.tracks': ({ recordingId }) =>
      projects.project().predictions.tracks(recordingId).map(trackOut),
    'predictions.range': ({ trackId, fromUs, toUs }) => {
      const store = projects.project().predictions
      const track = store.get(trackId)
      if (!track) throw new ServiceError('NOT_FOUND', `There is no prediction track ${trackId}.`)
      const predictions = store.range(trackId, fromUs, toUs)
      const truncated = predictions.length > MAX_PREDICTIONS_PER_RANGE
      return {
        track: trackOut(track),
        predictions: truncated ? predictions.slice(0, MAX_PREDICTIONS_PER_RANGE) : predictions,
        truncated,
      }
    },
  }
}

export function trackOut(track: StoredTrack): PredictionTrack {
  return {
    id: track.id,
    recordingId: track.recordingId,
    modelCrc32: hex32(track.modelCrc32),
    runId: track.runId,
    classes: track.classes,
    windowUs: track.windowUs,
    count: track.count,
    firstEndUs: track.firstEndUs,
    lastEndUs: track.lastEndUs,
  }
}
