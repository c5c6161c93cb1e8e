import { describe, expect, it } from 'vitest'
import type { AppInfo, ProjectInfo, RecordingSummary } from '../../../src-preload/contract/index'
import { AppState } from '../../../src-renderer/lib/state/app.svelte'
import { FakeBridge, ServiceFailure, settle, type Answers } from './fake-bridge'

const webMode: AppInfo = {
  version: '0.1.0',
  mode: 'web',
  platform: 'linux',
  nativeDialogs: false,
  userDataDir: '/home/tech/.config/TinyLoop',
  defaultProjectPath: '/home/tech/.config/TinyLoop/default.tinyloop',
}

function project(name: string): ProjectInfo {
  return {
    path: `/data/${name}.tinyloop`,
    name,
    schemaVersion: 3,
    recordings: 1,
    createdAt: 0,
    readOnly: false,
  }
}

const pumpRecording: RecordingSummary = {
  id: 1,
  name: 'Pump P-101',
  device: 'demo',
  notes: '',
  tags: [],
  startedAt: 0,
  status: 'complete',
  streams: 1,
  channels: ['ax', 'ay', 'az'],
  samples: 9000,
  durationS: 90,
  rateHz: 100,
  labels: 3,
}

/** A project with one labeled recording, served in web mode. */
function appWith(answers: Answers = {}) {
  const bridge = new FakeBridge({
    'app.info': () => webMode,
    'project.current': () => project('Pump station'),
    'project.recent': () => [],
    'recordings.list': () => [pumpRecording],
    'dataset.list': () => [],
    'runs.list': () => [],
    ...answers,
  })
  return { bridge, app: new AppState(() => bridge.client()) }
}

describe('the application state', () => {
  it('opens on the current project with its recordings, and the loop shows where it stands', async () => {
    const { app } = appWith()
    await app.start()
    expect(app.loaded).toBe(true)
    expect(app.project?.name).toBe('Pump station')
    expect(app.stepStatus).toEqual({
      capture: '1 recording',
      label: '3 labels',
      dataset: 'not built',
      train: 'no runs',
      deploy: 'no model',
    })
  })

  it('adds the demo recordings from an empty state and says what to do next', async () => {
    const { bridge, app } = appWith({
      'data.demo': () => ({
        recordingIds: [2, 3, 4],
        labels: 9,
        seconds: { normal: 300, imbalance: 40, bearing: 20 },
      }),
      'classes.list': () => [],
    })
    await app.start()
    bridge.answers['recordings.list'] = () => [1, 2, 3, 4].map((id) => ({ ...pumpRecording, id }))
    await app.addDemo()
    expect(bridge.argsOf('data.demo')).toEqual([{}])
    expect(app.recordings).toHaveLength(4)
    expect(app.notice).toEqual({
      kind: 'info',
      text:
        'Added 3 demo recordings with 9 labeled faults (imbalance, bearing). ' +
        'Next: save a dataset in Dataset, then train.',
    })
    expect(app.addingDemo).toBe(false)
  })

  it('opens a window of a run on the Label view, at its place', async () => {
    const { app } = appWith()
    await app.start()
    app.view = 'train'
    app.showOnTimeline(1, 30e6, 31e6)
    expect([app.view, app.labelRecordingId]).toEqual(['label', 1])
    expect(app.timeline.focusSpan).toEqual({ startUs: 30e6, endUs: 31e6 })
  })

  it('shows the last run in the rail', async () => {
    const run = {
      id: 4,
      createdAt: 0,
      status: 'complete' as const,
      preset: 'dense',
      datasetVersionId: 1,
      datasetName: 'pumps v1',
      epochs: 30,
      bestEpoch: 22,
      params: 1091,
      valAccuracy: 0.97,
      testAccuracy: 0.9712,
      seconds: 3,
      error: null,
      datasetChanged: true,
      kind: 'classifier' as const,
      anomaly: null,
    }
    const { app } = appWith({ 'runs.list': () => [run] })
    await app.start()
    expect(app.stepStatus.train).toBe('run 4: 97.1%, data changed')
    // Trained on a config given whole (the CLI's): no saved version, not 'not built'.
    expect(app.stepStatus.dataset).toBe('no saved version')
  })

  it('names the version retrain and flash saves, once it leaves its dataset stage', async () => {
    const { bridge, app } = appWith()
    await app.start()
    const version = { id: 2, name: 'pumps', version: 2, changed: false }
    bridge.answers['dataset.list'] = () => [version] as never
    const progress = (stage: string) =>
      bridge.emit('loop.onProgress', {
        port: 'virtual:host',
        stage,
        fraction: 0,
        done: [],
        runId: null,
        detail: '',
      } as never)
    progress('dataset')
    await settle()
    expect(app.stepStatus.dataset).toBe('not built')
    progress('training')
    await settle()
    expect(app.stepStatus.dataset).toBe('pumps v2')
  })

  it('says why the project cannot be opened, instead of showing its data', async () => {
    const { app } = appWith({
      'project.current': () => {
        throw new ServiceFailure('PROJECT_FILE', 'pump.tinyloop is not a TinyLoop project.')
      },
    })
    await app.start()
    expect(app.project).toBe(null)
    expect(app.projectError).toBe('pump.tinyloop is not a TinyLoop project.')
    expect(app.recordings).toEqual([])
    expect(app.stepStatus.capture).toBe('no data yet')
  })

  it('keeps the open project when another cannot be opened, and says why', async () => {
    const { app } = appWith({
      'project.open': () => {
        throw new ServiceFailure('PROJECT_FILE', 'package.json is not a TinyLoop project.')
      },
    })
    await app.start()
    app.switcher = 'open'
    expect(await app.openProject('/data/package.json')).toBe(false)
    expect(app.project?.name).toBe('Pump station')
    expect(app.switcher).toBe('open')
    expect(app.notice).toEqual({ kind: 'error', text: 'package.json is not a TinyLoop project.' })
  })

  it('switches to a new project, closes the switcher and says so', async () => {
    const { app } = appWith({ 'project.create': () => project('Compressor B') })
    await app.start()
    app.switcher = 'create'
    expect(await app.createProject('/data/Compressor B')).toBe(true)
    expect(app.project?.name).toBe('Compressor B')
    expect(app.switcher).toBe(null)
    expect(app.notice).toEqual({ kind: 'info', text: 'Opened Compressor B.' })
  })

  it('asks for a path in the page when the host has no file dialogs (web mode)', async () => {
    const { bridge, app } = appWith()
    await app.start()
    await app.chooseProject('open')
    expect(app.switcher).toBe('open')
    expect(bridge.argsOf('project.pickFile')).toEqual([])
  })

  it('follows the menu, and the project and recordings changing elsewhere', async () => {
    const { bridge, app } = appWith()
    await app.start()
    bridge.emit('app.onCommand', { command: 'project.new' })
    await settle()
    expect(app.switcher).toBe('create')
    bridge.emit('app.onCommand', { command: 'palette.open' })
    expect(app.paletteOpen).toBe(true)

    bridge.answers['recordings.list'] = () => [pumpRecording, { ...pumpRecording, id: 2 }]
    bridge.emit('recordings.onChanged', { reason: 'import' })
    await settle()
    expect(app.stepStatus.capture).toBe('2 recordings')

    bridge.emit('project.onChanged', project('Fans'))
    expect(app.project?.name).toBe('Fans')
  })
})
