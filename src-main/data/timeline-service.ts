import type { RecordingDetail, TimelineSlice } from '../../src-preload/contract/index.js'
import type { ProjectService } from '../project/project-service.js'
import { ServiceError } from '../rpc/errors.js'

/**
 * What the timeline draws: a recording's streams with their extents, and any stretch of a stream
 * thinned to the chart's width from the envelope levels (raw samples when zoomed in far enough).
 */
export class TimelineService {
  readonly #projects: ProjectService

  constructor(projects: ProjectService) {
    this.#projects = projects
  }

  recording(id: number): RecordingDetail {
    const project = this.#projects.project()
    const recording = project.recordings.get(id)
    if (!recording)
      throw new ServiceError('NOT_FOUND', `There is no recording ${id} in this project.`)
    const streams = project.streams.list(id).map((stream) => {
      const stats = project.samples.stats(stream.id)
      return {
        id: stream.id,
        name: stream.name,
        rateHz: stream.rateHz,
        channels: stream.channels.map((c) => ({ name: c.name, unit: c.unit ?? null })),
        samples: stats.samples,
        firstUs: stats.firstUs,
        lastUs: stats.lastUs,
      }
    })
    const { createdAt: _createdAt, metadata: _metadata, ...summary } = recording
    return { ...summary, streams }
  }

  view(streamId: number, fromUs: number, toUs: number, pixels: number): TimelineSlice {
    const project = this.#projects.project()
    if (!project.streams.get(streamId)) {
      throw new ServiceError('NOT_FOUND', `There is no stream ${streamId} in this project.`)
    }
    const slice = project.envelopes.query(streamId, fromUs, toUs, pixels)
    return {
      streamId,
      level: slice.level,
      channelCount: slice.channelCount,
      t0: Array.from(slice.t0),
      t1: Array.from(slice.t1),
      min: Array.from(slice.min),
      max: Array.from(slice.max),
      mean: Array.from(slice.mean),
    }
  }
}
