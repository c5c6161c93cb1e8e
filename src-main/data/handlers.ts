import type { dataMethods } from '../../src-preload/contract/index.js'
import type { ProjectService } from '../project/project-service.js'
import type { ClassService } from '../labels/class-service.js'
import type { DomainHandlers } from '../rpc/dispatcher.js'
import type { EventBus } from '../rpc/events.js'
import { writeDemoProject } from './demo-project.js'
import { exportRecording } from './export/export-recording.js'
import type { ImportService } from './import/import-service.js'
import type { TimelineService } from './timeline-service.js'

/** Recordings, timeline views, import and export (contract/data.ts). */
export function dataHandlers(deps: {
  projects: ProjectService
  timeline: TimelineService
  imports: ImportService
  classes: ClassService
  events: EventBus
  actor: string
}): DomainHandlers<typeof dataMethods> {
  const { projects, timeline, imports, classes, events, actor } = deps
  return {
    'recordings.list': () => projects.project().recordings.list(),
    'recordings.get': ({ id }) => timeline.recording(id),
    'timeline.view': ({ streamId, fromUs, toUs, pixels }) =>
      timeline.view(streamId, fromUs, toUs, pixels),
    'data.import': (request) => imports.import(request),
    'data.cancelImport': () => ({ cancelled: imports.cancel() }),
    'data.demo': (request) => {
      const result = writeDemoProject(projects.project(), classes, actor, request)
      events.emit('recordings.onChanged', { reason: 'demo' })
      events.emit('classes.onChanged', {})
      for (const recordingId of result.recordingIds)
        events.emit('labels.onChanged', { recordingId })
      return result
    },
    'data.export': (request) => exportRecording(projects.project(), request),
    'data.pickImportPaths': () => projects.dialogs().pickImportPaths(),
    'data.pickExportPath': ({ format, suggestedName }) =>
      projects.dialogs().pickExportPath(format, suggestedName),
  }
}
