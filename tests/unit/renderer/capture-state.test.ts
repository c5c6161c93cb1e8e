import { describe, expect, it } from 'vitest'
import type { CaptureStatus, DeviceInfo } from '../../../src-preload/contract/index'
import { CaptureState } from '../../../src-renderer/lib/state/capture.svelte'
import { FakeBridge, ServiceFailure, settle } from './fake-bridge'

const demo: DeviceInfo = {
  id: 'demo',
  kind: 'demo',
  path: null,
  label: 'Demo device',
  manufacturer: null,
  vendorId: null,
  productId: null,
  serialNumber: null,
  settings: null,
  busy: false,
}
const board: DeviceInfo = {
  ...demo,
  id: '/dev/ttyACM0',
  kind: 'serial',
  path: '/dev/ttyACM0',
  label: 'Nano 33 BLE',
  serialNumber: 'A1B2',
  settings: { baudRate: 921600, format: 'plotter', rateHz: 400 },
}

function status(change: Partial<CaptureStatus> = {}): CaptureStatus {
  return {
    recordingId: 4,
    deviceId: board.id,
    state: 'recording',
    device: board.label,
    connection: 'connected',
    problem: null,
    format: 'plotter',
    channels: ['ax', 'ay'],
    rateHz: 400,
    measuredHz: 399.8,
    samples: 0,
    rejected: 0,
    rejectedBy: {},
    gaps: 0,
    lostFrames: 0,
    durationS: 0,
    elapsedS: 0,
    ...change,
  }
}

function captureOn(bridge: FakeBridge) {
  const state = new CaptureState(bridge.client())
  const stopWatching = state.watchDevices()
  return { state, stopWatching }
}

describe('the Capture view’s state', () => {
  it('picks a board over the demo device, with the settings it last used', async () => {
    const bridge = new FakeBridge({
      'devices.list': () => [demo, board],
      'capture.sessions': () => [],
    })
    const { state, stopWatching } = captureOn(bridge)
    await settle()
    stopWatching()
    expect(state.selected?.label).toBe('Nano 33 BLE')
    expect([state.baudRate, state.format, state.rate]).toEqual([921600, 'plotter', '400'])
  })

  it('records with the settings given, and shows the recording as it goes and when it stops', async () => {
    const bridge = new FakeBridge({
      'devices.list': () => [board],
      'capture.sessions': () => [],
      'capture.start': () => status({ state: 'detecting' }),
      'capture.stop': () => status({ state: 'stopped', samples: 8000 }),
    })
    const { state, stopWatching } = captureOn(bridge)
    await settle()
    stopWatching()
    state.rate = ' '
    state.name = 'Pump P-101'
    state.tags = 'pump, site-4 ,'
    await state.toggle()
    expect(bridge.argsOf('capture.start')).toEqual([
      {
        deviceId: board.id,
        baudRate: 921600,
        format: 'plotter',
        rateHz: undefined,
        name: 'Pump P-101',
        notes: undefined,
        tags: ['pump', 'site-4'],
      },
    ])
    expect(state.name).toBe('')
    expect(state.active?.state).toBe('detecting')

    bridge.emit('capture.onStatus', status({ samples: 1200 }))
    expect(state.shown?.samples).toBe(1200)

    await state.toggle()
    expect(bridge.argsOf('capture.stop')).toEqual([{ recordingId: 4 }])
    expect(state.active).toBe(null)
    expect(state.shown?.samples).toBe(8000)
  })

  it('says why a recording did not start, and can be tried again', async () => {
    const bridge = new FakeBridge({
      'devices.list': () => [board],
      'capture.sessions': () => [],
      'capture.start': () => {
        throw new ServiceFailure('DEVICE', '/dev/ttyACM0 is busy: another program has it open.')
      },
    })
    const { state, stopWatching } = captureOn(bridge)
    await settle()
    stopWatching()
    await state.start()
    expect(state.error).toBe('/dev/ttyACM0 is busy: another program has it open.')
    expect(state.starting).toBe(false)
    expect(state.active).toBe(null)
  })

  it('takes up recordings already in progress, and plots their live frames', async () => {
    const bridge = new FakeBridge({
      'devices.list': () => [board],
      'capture.sessions': () => [status()],
    })
    const { state, stopWatching } = captureOn(bridge)
    await settle()
    stopWatching()
    expect(state.active?.recordingId).toBe(4)
    const version = state.liveVersion
    bridge.emit('capture.onLive', {
      recordingId: 4,
      frame: {
        channels: 2,
        bucketSamples: 4,
        firstSample: 400,
        min: [0, 1, 2, 3],
        max: [4, 5, 6, 7],
      },
    })
    expect(state.liveVersion).toBe(version + 1)
    // Buckets of 4 samples at 400 Hz from the second 1: centred at 1.005 s and 1.015 s.
    expect(state.liveColumns(4)).toEqual([
      [1.005, 1.015],
      [4, 6],
      [0, 2],
      [5, 7],
      [1, 3],
    ])
  })

  it('drops live frames of a recording it has no status for', () => {
    const bridge = new FakeBridge()
    const state = new CaptureState(bridge.client())
    bridge.emit('capture.onLive', {
      recordingId: 9,
      frame: { channels: 1, bucketSamples: 1, firstSample: 0, min: [0], max: [1] },
    })
    expect(state.liveColumns(9)).toEqual([[]])
    expect(state.liveVersion).toBe(0)
  })

  it('asks the demo device for a drifting machine, and no other device', async () => {
    const bridge = new FakeBridge({
      'devices.list': () => [demo, board],
      'capture.sessions': () => [],
      'capture.start': () => status({ state: 'detecting' }),
    })
    const { state, stopWatching } = captureOn(bridge)
    await settle()
    stopWatching()
    state.drift = 'mount'
    state.select(demo.id)
    await state.start()
    state.select(board.id)
    await state.start()
    const [first, second] = bridge.argsOf('capture.start') as Record<string, unknown>[]
    expect(first).toMatchObject({ deviceId: 'demo', drift: 'mount' })
    expect(second).not.toHaveProperty('drift')
  })

  it("keeps a recording's live predictions, each class's probability and the latency", async () => {
    const bridge = new FakeBridge({ 'devices.list': () => [], 'capture.sessions': () => [] })
    const state = new CaptureState(bridge.client())
    const model = {
      modelCrc32: '0a1b2c3d',
      runId: 3,
      classes: ['normal', 'bearing'],
      windowUs: 1e6,
      outputScale: 1 / 256,
      outputZeroPoint: -128,
      threshold: null,
    }
    const prediction = (endUs: number, outputs: number[], latencyUs: number) => ({
      endUs,
      outputs,
      classIndex: outputs.indexOf(Math.max(...outputs)),
      probability: (Math.max(...outputs) + 128) / 256,
      score: null,
      latencyUs,
      instructions: 0,
      modelCrc32: model.modelCrc32,
    })
    expect(state.predictionsOf(4)).toBeNull()
    bridge.emit('predictions.onLive', {
      recordingId: 4,
      models: [model],
      predictions: [prediction(1e6, [127, -128], 40), prediction(1.5e6, [-64, 63], 60)],
      total: 2,
    })
    const buffer = state.predictionsOf(4)!
    expect(state.predicting[4]).toBe(true)
    const [t, normal, bearing] = buffer.columns()
    expect(t).toEqual([1, 1.5])
    expect(normal).toEqual([255 / 256, 64 / 256])
    expect(bearing).toEqual([0, 191 / 256])
    expect(buffer.classes()).toEqual([0, 1])
    expect(buffer.latest).toMatchObject({ className: 'bearing', latencyUs: 60 })
    expect(buffer.medianLatencyUs()).toBe(50)
    expect(buffer.total).toBe(2)
  })

  it("keeps an anomaly model's live scores, for the score line against its threshold", () => {
    const bridge = new FakeBridge({ 'devices.list': () => [], 'capture.sessions': () => [] })
    const state = new CaptureState(bridge.client())
    const model = {
      modelCrc32: '0a0b0c0d',
      runId: 4,
      classes: ['normal', 'anomaly'],
      windowUs: 1e6,
      outputScale: null,
      outputZeroPoint: null,
      threshold: 70,
    }
    const scored = (endUs: number, score: number) => ({
      endUs,
      outputs: [],
      classIndex: score > 70 ? 1 : 0,
      probability: null,
      score,
      latencyUs: 30,
      instructions: 0,
      modelCrc32: model.modelCrc32,
    })
    bridge.emit('predictions.onLive', {
      recordingId: 7,
      models: [model],
      predictions: [scored(1e6, 12.5), scored(1.5e6, 300)],
      total: 2,
    })
    const buffer = state.predictionsOf(7)!
    expect(buffer.model?.threshold).toBe(70)
    expect(buffer.scoreColumns()).toEqual([
      [1, 1.5],
      [12.5, 300],
    ])
    expect(buffer.classes()).toEqual([0, 1])
    expect(buffer.latest).toMatchObject({ className: 'anomaly', score: 300, probability: null })
  })
})
