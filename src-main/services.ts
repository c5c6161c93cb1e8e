import { join } from 'node:path'
import type { AppInfo } from '../src-preload/contract/index.js'
import { FileLogger } from './log.js'
import { defaultProjectPath } from './paths.js'
import { createDispatcher, type Dispatch, type Handlers } from './rpc/dispatcher.js'
import { EventBus } from './rpc/events.js'
import { CaptureService } from './capture/capture-service.js'
import { exportRecording } from './data/export/export-recording.js'
import { ImportService } from './data/import/import-service.js'
import { ProjectService, type FileDialogs, type ProjectAccess } from './project/project-service.js'
import { Settings } from './settings.js'
import { TimelineService } from './data/timeline-service.js'
import { ClassService } from './labels/class-service.js'
import { actorName, LabelService } from './labels/label-service.js'
import { DatasetService } from './dataset/dataset-service.js'
import packageJson from '../package.json' with { type: 'json' }

export interface ServicesOptions {
  mode: AppInfo['mode']
  userDataDir: string
  /** Project to open first; defaults to the last one opened, else `<userData>/default.tinyloop`. */
  projectPath?: string
  dialogs?: FileDialogs
  nativeBinding?: string
  /** How the project is opened; default 'auto' (read-only only where it cannot be written). */
  access?: ProjectAccess
}

/**
 * The service graph, built the same way for the desktop app, web mode, the CLI and tests. The
 * transports only ever talk to `dispatch` and `events`.
 */
export function createServices(opts: ServicesOptions) {
  const log = new FileLogger(join(opts.userDataDir, 'logs', 'tinyloop.log'))
  const settings = new Settings(join(opts.userDataDir, 'settings.json'))
  const events = new EventBus()
  const defaultProject = defaultProjectPath(opts.userDataDir)
  const projects = new ProjectService({
    initialPath: opts.projectPath ?? settings.data.lastProject ?? defaultProject,
    settings,
    events,
    dialogs: opts.dialogs,
    nativeBinding: opts.nativeBinding,
    canSwitch: () => !capture.recording,
    access: opts.access,
  })
  const capture: CaptureService = new CaptureService(projects, events, settings)
  const timeline = new TimelineService(projects)
  const classes = new ClassService({ project: () => projects.project(), events })
  const labels = new LabelService({ events, classes, actor: actorName(opts.mode) })
  const datasets = new DatasetService({ project: () => classes.project(), classes })
  const imports = new ImportService({
    project: () => projects.project(),
    events,
    onProgress: (progress) => events.emit('data.onImportProgress', progress),
  })

  const appInfo: AppInfo = {
    version: packageJson.version,
    mode: opts.mode,
    platform: process.platform,
    nativeDialogs: opts.dialogs !== undefined,
    userDataDir: opts.userDataDir,
    defaultProjectPath: defaultProject,
  }

  const handlers: Handlers = {
    'app.info': () => appInfo,
    'project.current': () => projects.info(),
    'project.recent': () => projects.recent(),
    'project.open': ({ path }) => projects.open(path),
    'project.create': ({ path }) => projects.create(path),
    'project.pickFile': ({ purpose }) => projects.pickFile(purpose),
    'project.forgetRecent': ({ path }) => projects.forgetRecent(path),
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
    'devices.list': () => capture.devices(),
    'capture.start': (request) => capture.start(request),
    'capture.stop': ({ recordingId }) => capture.stop(recordingId),
    'capture.sessions': () => capture.sessions(),
    'classes.list': () => classes.list(),
    'classes.upsert': (input) => classes.upsert(input),
    'classes.delete': ({ id }) => classes.delete(id),
    'classes.settings': () => classes.settings(),
    'classes.setSettings': (change) => classes.setSettings(change),
    'labels.list': ({ recordingId }) => labels.list(recordingId),
    'labels.create': (request) => labels.create(request),
    'labels.update': (request) => labels.update(request),
    'labels.delete': ({ id }) => labels.delete(id),
    'labels.undo': ({ recordingId }) => labels.undo(recordingId),
    'labels.redo': ({ recordingId }) => labels.redo(recordingId),
    'labels.setDefaultClass': ({ recordingId, classId }) =>
      labels.setDefaultClass(recordingId, classId),
    'labels.history': ({ recordingId, limit }) => labels.history(recordingId, limit),
    'labels.import': (request) => labels.import(request),
    'labels.export': (request) => labels.export(request),
    'labels.exportText': (request) => labels.exportText(request),
    'dataset.preview': ({ config, feature }) => datasets.preview(config, feature),
    'dataset.save': ({ name, config }) => datasets.save(name, config),
    'dataset.list': () => datasets.list(),
    'dataset.get': (which) => datasets.get(which),
  }

  const dispatch: Dispatch = createDispatcher(handlers, log)

  return {
    log,
    settings,
    events,
    projects,
    capture,
    dispatch,
    /** Ends recordings in progress (keeping what they recorded), then closes the project. */
    async close(): Promise<void> {
      await capture.stopAll()
      projects.close()
    },
  }
}

export type Services = ReturnType<typeof createServices>
