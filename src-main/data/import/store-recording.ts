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

/** How an import names its classes: the id of the class `name` (added if it may be). */
export type ClassIdOf = (project: Project, name: string) => number

export interface StoreOptions {
  classIdOf: ClassIdOf
  /** Who the label journal says added labeled regions. */
  actor: string
  /** One class for the whole of every file, given by the user; it wins over a listing's. */
  className?: string
}

/**
 * Writes one decoded file as a new recording with one stream, with its class (the recording's
 * own default class) and labeled regions, in one transaction: if anything fails, nothing of the
 * file is left in the project.
 */
export function storeRecording(
  project: Project,
  job: ImportJob,
  decoded: DecodedRecording,
  options: StoreOptions,
): StoredRecording {
  return project.transaction(() => {
    const whole = options.className ?? job.classes?.whole ?? null
    const recordingId = project.recordings.create({
      name: job.name ?? basename(job.file, extname(job.file)),
      device: decoded.device,
      tags: job.tags,
      startedAt: decoded.startedAt,
      status: 'imported',
      metadata: { ...decoded.metadata, ...job.metadata },
      defaultClassId: whole === null ? null : options.classIdOf(project, whole),
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
    const timeOf = (index: number) => (index * 1e6) / decoded.rateHz
    const inserts = (options.className === undefined ? (job.classes?.regions ?? []) : [])
      .filter(
        (r) => r.startIndex >= 0 && r.endIndex >= r.startIndex && r.startIndex < decoded.samples,
      )
      .map((r) => ({
        op: 'insert' as const,
        label: {
          recordingId,
          classId: options.classIdOf(project, r.name),
          startUs: timeOf(r.startIndex),
          endUs: timeOf(Math.min(r.endIndex + 1, decoded.samples)),
        },
      }))
    if (inserts.length > 0) {
      project.labels.edit(
        recordingId,
        options.actor,
        `import ${inserts.length} labeled regions`,
        inserts,
      )
    }
    return { recordingId, streamId }
  })
}
