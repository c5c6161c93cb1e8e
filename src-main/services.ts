import { join } from 'node:path'
import type { AppInfo } from '../src-preload/contract/index.js'
import { FileLogger } from './log.js'
import { defaultProjectPath } from './paths.js'
import { createDispatcher, type Dispatch, type Handlers } from './rpc/dispatcher.js'
import { EventBus } from './rpc/events.js'
import { CaptureService } from './capture/capture-service.js'
import { demoDevices } from './capture/devices/demo-device.js'
import { DeviceRegistry } from './capture/devices/device-registry.js'
import { serialPorts } from './capture/devices/serial-ports.js'
import { VirtualBoards } from './capture/devices/virtual-boards.js'
import { captureHandlers } from './capture/handlers.js'
import { dataHandlers } from './data/handlers.js'
import { ImportService } from './data/import/import-service.js'
import { TimelineService } from './data/timeline-service.js'
import { DatasetService } from './dataset/dataset-service.js'
import { datasetHandlers } from './dataset/handlers.js'
import { DeployService } from './deploy/deploy-service.js'
import { DeviceService } from './device/device-service.js'
import { deviceHandlers } from './device/handlers.js'
import { deployHandlers } from './deploy/handlers.js'
import { predictionsHandlers } from './predictions/handlers.js'
import { ModelLookup } from './predictions/model-lookup.js'
import { loopHandlers } from './loop/handlers.js'
import { LoopService } from './loop/loop-service.js'
import { ClassService } from './labels/class-service.js'
import { labelsHandlers } from './labels/handlers.js'
import { actorName, LabelService } from './labels/label-service.js'
import { SuggestionService } from './labels/suggestions.js'
import { DriftService } from './drift/drift-service.js'
import { driftHandlers } from './drift/handlers.js'
import { projectHandlers } from './project/handlers.js'
import { ProjectService, type FileDialogs, type ProjectAccess } from './project/project-service.js'
import { Settings } from './settings.js'
import type { Backend } from './training/engine.js'
import { trainingHandlers } from './training/handlers.js'
import { ForkLauncher, type TrainerLauncher } from './training/trainer-host.js'
import { TrainingService } from './training/training-service.js'
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
  /** How trainer processes start: Electron's utilityProcess in the app; fork by default. */
  trainerLauncher?: TrainerLauncher
  /** The TF.js backend the trainer uses: WebAssembly, or plain JavaScript to compare with. */
  trainingBackend?: Backend
  /**
   * How long retrain and flash streams for the new model's first live prediction before it
   * flashes the previous model back (LoopService's `confirmTimeoutMs`); default 15 s.
   */
  loopConfirmTimeoutMs?: number
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
    switchBlocker: () =>
      capture.recording
        ? 'A recording is in progress.'
        : training.running
          ? 'A training run is in progress.'
          : null,
    access: opts.access,
  })
  // The firmware built here, as boards; each keeps its slots under the user data folder.
  const virtualBoards = new VirtualBoards(join(opts.userDataDir, 'virtual-boards'))
  const capture: CaptureService = new CaptureService(
    projects,
    events,
    settings,
    new DeviceRegistry({ ports: serialPorts, named: [demoDevices, virtualBoards] }),
  )
  const timeline = new TimelineService(projects)
  const classes = new ClassService({ project: () => projects.project(), events })
  const labels = new LabelService({ events, classes, actor: actorName(opts.mode) })
  const datasets = new DatasetService({ project: () => classes.project(), classes })
  const training: TrainingService = new TrainingService({
    project: () => classes.project(),
    datasets,
    events,
    launcher: opts.trainerLauncher ?? new ForkLauncher(),
    backend: opts.trainingBackend,
    log,
  })
  const deploy = new DeployService({ project: () => classes.project(), datasets })
  const device = new DeviceService({ capture, deploy, events })
  const models = new ModelLookup(deploy)
  capture.modelFor = (project, crc) => models.find(project, crc)
  const loop = new LoopService({
    datasets,
    training,
    deploy,
    device,
    events,
    confirmTimeoutMs: opts.loopConfirmTimeoutMs,
  })
  const suggestions = new SuggestionService({ classes, labels, deploy, datasets })
  const drift = new DriftService({ classes, deploy, datasets })
  const imports = new ImportService({
    project: () => projects.project(),
    events,
    actor: actorName(opts.mode),
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
    ...projectHandlers({ appInfo, projects }),
    ...dataHandlers({ projects, timeline, imports, classes, events, actor: actorName(opts.mode) }),
    ...captureHandlers({ capture }),
    ...labelsHandlers({ classes, labels, suggestions }),
    ...datasetHandlers({ datasets }),
    ...trainingHandlers({ training }),
    ...deployHandlers({ deploy, projects }),
    ...deviceHandlers({ device }),
    ...predictionsHandlers({ projects }),
    ...driftHandlers({ drift }),
    ...loopHandlers({ loop }),
  }

  const dispatch: Dispatch = createDispatcher(handlers, log)

  return {
    log,
    settings,
    events,
    projects,
    capture,
    training,
    dispatch,
    /**
     * Ends recordings in progress (keeping what they recorded), a training run (kept as
     * cancelled) and flashes (the devices keep their previous model), stops the virtual boards,
     * then closes the project.
     */
    async close(): Promise<void> {
      await loop.close()
      await Promise.all([capture.stopAll(), training.close(), device.close()])
      await virtualBoards.close()
      projects.close()
    },
  }
}

export type Services = ReturnType<typeof createServices>
