import type { DatasetConfig } from '../../src-preload/contract/index.js'
import type { ClassService } from '../labels/class-service.js'
import { ServiceError } from '../rpc/errors.js'
import type { Project } from '../store/project.js'
import type { RecordingData } from './build.js'

/** The ids of the recordings `selector` picks, oldest first (the order windows are listed in). */
export function selectRecordings(
  project: Project,
  selector: DatasetConfig['recordings'],
): number[] {
  const all = project.recordings.list()
  let chosen
  if ('ids' in selector) {
    const known = new Set(all.map((r) => r.id))
    const missing = selector.ids.filter((id) => !known.has(id))
    if (missing.length > 0) {
      throw new ServiceError(
        'NOT_FOUND',
        `The project has no recording ${missing.join(', ')}: see the recordings list for their ids.`,
      )
    }
    chosen = all.filter((r) => selector.ids.includes(r.id))
  } else if ('tag' in selector) chosen = all.filter((r) => r.tags.includes(selector.tag))
  else if ('device' in selector) chosen = all.filter((r) => r.device === selector.device)
  else chosen = all
  return chosen.map((r) => r.id).sort((a, b) => a - b)
}

/** Reads the samples (every stream, whole), labels and default class of each recording. */
export function loadRecordings(
  project: Project,
  classes: ClassService,
  ids: readonly number[],
): RecordingData[] {
  return ids.map((id) => {
    const recording = project.recordings.get(id)
    if (!recording) throw new ServiceError('NOT_FOUND', `Recording ${id} does not exist.`)
    return {
      id,
      tags: recording.tags,
      streams: project.streams.list(id).map((stream) => {
        const { t, data } = project.samples.read(stream.id, -Infinity, Infinity)
        return {
          name: stream.name,
          rateHz: stream.rateHz,
          channels: stream.channels.map((c) => c.name),
          t,
          data,
        }
      }),
      labels: project.labels.list(id),
      defaultClassId: classes.defaultOf(project, recording),
    }
  })
}
