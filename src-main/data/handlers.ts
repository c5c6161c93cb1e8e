import type { dataMethods } from '../../src-preload/contract/index.js'
import type { ProjectService } from '../project/project-service.js'
import type { DomainHandlers } from '../rpc/dispatcher.js'
import { exportRecording } from './export/export-recording.js'
import type { ImportService } from './import/import-service.js'
import type { TimelineService } from './timeline-service.js'

/** Recordings, timeline views, import and export (contract/data.ts). */
export function dataHandlers(deps: {
  projects: ProjectService
  timeline: TimelineService
  imports: ImportService
}): DomainHandlers<typeof dataMethods> {
  const { projects, timeline, imports } = deps
  return {
    'recordings.list': () => projects.project().recordings.list(),
    'recordings.get': ({ id }) => timeline.recording(id),
    'timeline.view': ({ streamId, fromUs, toUs, pixels }) =>
      timeline.view(streamId, fromUs, toUs, pixels),
    'data.import': (request) => imports.import(request),
    'data.cancelImport': () => ({ cancelled: imports.cancel() }),
    'data.export': (request) => exportRecording(projects.project(), request),
    'data.pickImportPaths': () => projects.dialogs().pickImportPaths(),
    'data.pickExportPath': ({ format, suggestedName }) =>
      projects.dialogs().pickExportPath(format, suggestedName),
  }
}
