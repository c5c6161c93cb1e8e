import { basename, extname } from 'node:path'
import type { Project } from '../../store/index.js'
import type { DecodedRecording } from './decoded-recording.js'
import type { ImportJob } from './expand-paths.js'
import { CHUNKS_PER_APPEND } from './limits.js'

/** An imported file is one stream: CSV and Edge Impulse files hold one rate of samples. */
const STREAM_NAME = 'imported'

/** Where an imported file went. */
export interface StoredRecording {
  recordingId: number
  streamId: number
}

/**
 * Writes one decoded file as a new recording with one stream, in one transaction: if anything
 * fails, nothing of the file is left in the project.
 */
export function storeRecording(
  project: Project,
  job: ImportJob,
  decoded: DecodedRecording,
): StoredRecording {
  return project.transaction(() => {
    const recordingId = project.recordings.create({
      name: job.name ?? basename(job.file, extname(job.file)),
      device: decoded.device,
      tags: job.tags,
      startedAt: decoded.startedAt,
      status: 'imported',
      metadata: { ...decoded.metadata, ...job.metadata },
    })
    const streamId = project.streams.create(recordingId, {
      name: STREAM_NAME,
      rateHz: decoded.rateHz,
      channels: decoded.channels,
    })
    for (let i = 0; i < decoded.chunks.length; i += CHUNKS_PER_APPEND) {
      project.samples.appendChunks(streamId, decoded.chunks.slice(i, i + CHUNKS_PER_APPEND))
    }
    project.samples.finish(streamId)
    return { recordingId, streamId }
  })
}
