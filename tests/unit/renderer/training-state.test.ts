import { describe, expect, it } from 'vitest'
import {
  TrainingSettings,
  type DatasetVersionInfo,
  type EpochPoint,
  type ModelEstimate,
  type RunDetail,
  type RunSummary,
  type TrainingProgress,
} from '../../../src-preload/contract/index'
import { PRESETS, presetFor as corePresetFor } from '../../../src-main/training/models'
import { TrainingState } from '../../../src-renderer/lib/state/training.svelte'
import {
  PRESET_LAYERS,
  TRAINING_DEFAULTS,
  presetFor,
} from '../../../src-renderer/lib/training/model-spec'
import { FakeBridge, ServiceFailure, deferred, settle, type Answers } from './fake-bridge'

function version(id: number, kind: 'raw' | 'stats', change: Partial<DatasetVersionInfo> = {}) {
  return {
    id,
    name: 'pumps',
    version: id,
    createdAt: id,
    config: {
      recordings: { all: true },
      windowMs: 1000,
      strideMs: 500,
      labelPolicy: 'majority',
      features: { kind, bands: 8 },
      normalization: { kind: 'standard', stdFloor: 1e-6 },
      split: { method: 'auto', ratios: [0.6, 0.2, 0.2], seed: 1 },
    },
    snapshot: { recordings: [] },
    featureNames: [],
    normalization: null,
    byClass: { normal: 90, bearing: 10 },
    bySplit: { train: {}, val: {}, test: {} },
    changed: false,
    ...change,
  } satisfies DatasetVersionInfo
}

function summary(id: number, change: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    createdAt: id,
    status: 'running',
    preset: 'dense',
    datasetVersionId: 2,
    datasetName: 'pumps v2',
    epochs: 0,
    bestEpoch: null,
    params: 0,
    valAccuracy: null,
    testAccuracy: null,
    seconds: null,
    error: null,
    datasetChanged: false,
    kind: 'classifier',
    anomaly: null,
    ...change,
  }
}

function point(epoch: number): EpochPoint {
  return {
    epoch,
    loss: 1 / epoch,
    accuracy: 0.5,
    valLoss: 1.1 / epoch,
    valAccuracy: 0.5,
    seconds: 0.1,
  }
}

function detail(id: number, change: Partial<RunDetail> = {}): RunDetail {
  return {
    ...summary(id, { status: 'complete', testAccuracy: 0.9 }),
    config: {
      dataset: { version: 2 },
      model: {},
      training: TrainingSettings.parse({}),
      board: 'nano33ble',
    },
    classes: ['normal', 'bearing'],
    classWeights: null,
    estimate: null,
    curves: [point(1), point(2), point(3)],
    diagnosis: { kind: 'learning', message: 'Learning: the validation loss is still falling.' },
    metrics: { val: null, test: null },
    misclassified: [],
    anomalyReport: null,
    ...change,
  }
}

function progress(runId: number, points: EpochPoint[]): TrainingProgress {
  const epoch = points.at(-1)?.epoch ?? 0
  return {
    runId,
    stage: 'training',
    epoch,
    epochs: 60,
    batch: 3,
    batches: 10,
    elapsedS: epoch,
    etaS: 60 - epoch,
    points,
    diagnosis: null,
  }
}

const estimate = (params: number): ModelEstimate => ({
  inputShape: [15],
  classes: ['normal', 'bearing'],
  layers: [],
  params,
  flashBytes: 50_000,
  ramBytes: 12_000,
  boards: [],
  problems: [],
  warnings: [],
})

/**
 * A project with two dataset versions, newest (raw windows) first, and no runs yet; a run asked
 * for is still running, with no epoch stored.
 */
function trainingWith(answers: Answers = {}) {
  const versions = [version(2, 'raw'), version(1, 'stats')]
  const bridge = new FakeBridge({
    'runs.list': () => [],
    'runs.get': ({ id }) => detail(id, { status: 'running', curves: [] }),
    'training.start': () => summary(5),
    'training.cancel': ({ runId }) => summary(runId),
    ...answers,
  })
  return { bridge, state: new TrainingState(bridge.client(), () => versions) }
}

describe('what the Train view trains', () => {
  it('needs nothing but a dataset: the newest, its preset, the default settings', async () => {
    const { bridge, state } = trainingWith()
    expect(state.config).toEqual({
      dataset: { version: 2 },
      model: { preset: 'conv1d' },
      training: TRAINING_DEFAULTS,
      board: 'nano33ble',
    })
    state.datasetId = 1
    expect(state.config?.model).toEqual({ preset: 'dense' })
    await state.start()
    const [sent] = bridge.argsOf('training.start')
    expect(sent).toEqual(state.config)
    // The desktop bridge clones what it sends: no reactive proxies in it.
    expect(() => structuredClone(sent)).not.toThrow()
  })

  it('sends edited layers as layers, and the preset again once they match it', () => {
    const { state } = trainingWith()
    state.datasetId = 1
    state.setLayer(0, { units: 8 })
    state.addLayer('dropout')
    state.moveLayer(3, -1)
    state.removeLayer(0)
    expect(state.edited).toBe(true)
    expect(state.model).toEqual({
      layers: [
        { type: 'dropout', rate: 0.1 },
        { type: 'dropout', rate: 0.2 },
        { type: 'dense', units: 16, activation: 'relu', l2: 0 },
      ],
    })
    // Another preset shows its own layers; coming back finds the edits again.
    state.usePreset('conv1d')
    expect(state.model).toEqual({ preset: 'conv1d' })
    state.usePreset('dense')
    expect(state.edited).toBe(true)
    state.resetLayers()
    expect(state.model).toEqual({ preset: 'dense' })
    state.setLayer(0, { units: 8 })
    state.setLayer(0, { units: 32 })
    expect(state.model).toEqual({ preset: 'dense' })
  })

  it('sends an anomaly model: its method, the normal classes ticked (else none), its threshold', async () => {
    const { bridge, state } = trainingWith()
    state.kind = 'gaussian'
    expect(state.model).toEqual({
      kind: 'anomaly',
      method: 'gaussian',
      threshold: { kind: 'percentile', percentile: 99 },
    })
    state.kind = 'autoencoder'
    state.normalClasses = ['normal', 'idle']
    state.thresholdKind = 'f1'
    expect(state.model).toEqual({
      kind: 'anomaly',
      method: 'autoencoder',
      normalClasses: ['normal', 'idle'],
      threshold: { kind: 'f1' },
    })
    await state.start()
    expect((bridge.argsOf('training.start')[0] as { model: unknown }).model).toEqual(state.model)
    // Back to a classifier: its preset again.
    state.kind = 'classifier'
    expect(state.model).toEqual({ preset: 'conv1d' })
  })

  it('shows the estimate of the latest model, whatever order the answers come in', async () => {
    const answers = [deferred<ModelEstimate>(), deferred<ModelEstimate>()]
    const { bridge, state } = trainingWith({
      'training.estimate': () =>
        (answers.shift() as ReturnType<typeof deferred<ModelEstimate>>).promise,
    })
    const pending = [...answers]
    const older = state.refreshEstimate()
    state.setLayer(0, { filters: 4 })
    const newer = state.refreshEstimate()
    pending[1]?.resolve(estimate(200))
    await newer
    pending[0]?.resolve(estimate(900))
    await older
    expect(state.estimate?.params).toBe(200)
    expect(state.estimating).toBe(false)
    expect(bridge.argsOf('training.estimate').map((a) => a.model)).toEqual([
      { preset: 'conv1d' },
      { layers: [{ ...PRESET_LAYERS.conv1d[0], filters: 4 }, ...PRESET_LAYERS.conv1d.slice(1)] },
    ])
  })

  it('says why the model cannot be sized', async () => {
    const { state } = trainingWith({
      'training.estimate': () => {
        throw new ServiceFailure('NOT_FOUND', 'There is no dataset version 2 in this project.')
      },
    })
    await state.refreshEstimate()
    expect(state.estimateError).toBe('There is no dataset version 2 in this project.')
  })
})

describe('a training run', () => {
  it('grows by the epochs each progress event brings, each epoch once', async () => {
    const { bridge, state } = trainingWith()
    await state.start()
    bridge.emit('training.onProgress', progress(5, [point(1), point(2)]))
    bridge.emit('training.onProgress', progress(5, [point(2), point(3)]))
    expect(state.curves.map((p) => p.epoch)).toEqual([1, 2, 3])
    expect(state.live?.progress?.epoch).toBe(3)
    expect(state.running).toBe(true)
    expect(state.viewedId).toBe(5)
  })

  it('follows a run that starts elsewhere, after the epochs it had stored', async () => {
    const { bridge, state } = trainingWith({
      'runs.get': ({ id }) => detail(id, { status: 'running', curves: [point(1), point(2)] }),
    })
    bridge.emit('training.onProgress', progress(9, [point(2), point(3)]))
    await settle()
    expect(state.viewedId).toBe(9)
    expect(state.curves.map((p) => p.epoch)).toEqual([1, 2, 3])
    expect(state.liveEpochs).toBe(3)
  })

  it('refreshes the list when the run ends, and shows its evaluation', async () => {
    const { bridge, state } = trainingWith()
    await state.start()
    expect(state.running).toBe(true)
    const listsBefore = bridge.argsOf('runs.list').length
    bridge.answers['runs.list'] = () => [summary(5, { status: 'complete', testAccuracy: 0.9 })]
    bridge.answers['runs.get'] = ({ id }) => detail(id)
    bridge.emit('runs.onChanged', { runId: 5, status: 'complete' })
    await settle()
    expect(bridge.argsOf('runs.list').length).toBe(listsBefore + 1)
    expect(state.runs.map((r) => [r.id, r.status])).toEqual([[5, 'complete']])
    expect(state.running).toBe(false)
    expect(state.live).toBe(null)
    expect(state.detail?.status).toBe('complete')
    expect(state.curves.map((p) => p.epoch)).toEqual([1, 2, 3])
  })

  it('does not take a late event of a run that ended for a new run', async () => {
    const { bridge, state } = trainingWith({
      'runs.list': () => [summary(5, { status: 'complete' })],
      'runs.get': ({ id }) => detail(id),
    })
    await state.loadRuns()
    await settle()
    bridge.emit('training.onProgress', { ...progress(5, []), stage: 'done' })
    expect(state.running).toBe(false)
  })

  it('cancels the run in progress', async () => {
    const { bridge, state } = trainingWith()
    await state.start()
    await state.cancel()
    expect(bridge.argsOf('training.cancel')).toEqual([{ runId: 5 }])
    expect(state.live?.cancelling).toBe(true)
  })

  it('says why a run did not start, in the services’ words', async () => {
    const { state } = trainingWith({
      'training.start': () => {
        throw new ServiceFailure('BUSY', 'Run 4 is in progress. Wait for it to end, or cancel it.')
      },
    })
    await state.start()
    expect(state.error).toBe('Run 4 is in progress. Wait for it to end, or cancel it.')
    expect(state.running).toBe(false)
    expect(state.starting).toBe(false)
  })
})

describe('the runs kept', () => {
  it('shows the newest run when nothing is shown yet', async () => {
    const { state } = trainingWith({
      'runs.list': () => [summary(3, { status: 'complete' }), summary(2, { status: 'failed' })],
      'runs.get': ({ id }) => detail(id),
    })
    await state.loadRuns()
    await settle()
    expect(state.viewedId).toBe(3)
    expect(state.detail?.id).toBe(3)
  })

  it('shows the run asked for last, dropping an older answer that comes later', async () => {
    const slow = deferred<RunDetail>()
    const { state } = trainingWith({
      'runs.get': ({ id }) => (id === 1 ? slow.promise : detail(id)),
    })
    const first = state.open(1)
    await state.open(2)
    slow.resolve(detail(1))
    await first
    expect(state.viewedId).toBe(2)
    expect(state.detail?.id).toBe(2)
  })

  it('says why a run cannot be shown', async () => {
    const { state } = trainingWith({
      'runs.get': () => {
        throw new ServiceFailure('NOT_FOUND', 'There is no run 8 in this project.')
      },
    })
    await state.open(8)
    expect(state.error).toBe('There is no run 8 in this project.')
  })
})

describe('the page’s copy of the contract’s defaults', () => {
  it('says what the core and the schemas say', () => {
    expect(PRESET_LAYERS).toEqual(PRESETS)
    expect(TRAINING_DEFAULTS).toEqual(TrainingSettings.parse({}))
    for (const kind of ['raw', 'stats', 'spectral', 'snapshot']) {
      expect(presetFor(kind), kind).toBe(corePresetFor(kind))
    }
  })
})
