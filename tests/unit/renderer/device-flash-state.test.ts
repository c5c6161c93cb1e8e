import { describe, expect, it } from 'vitest'
import type {
  DeviceHello,
  DeviceInfo,
  FlashResult,
  MethodArgs,
} from '../../../src-preload/contract/index'
import { DeviceFlashState } from '../../../src-renderer/lib/state/device-flash.svelte'
import { FakeBridge, ServiceFailure, deferred, settle, type Answers } from './fake-bridge'

function device(id: string, kind: DeviceInfo['kind']): DeviceInfo {
  return {
    id,
    kind,
    path: kind === 'demo' ? null : id,
    label: id,
    manufacturer: null,
    vendorId: null,
    productId: null,
    serialNumber: null,
    settings: null,
    busy: false,
  }
}
const DEVICES = [
  device('/dev/ttyACM0', 'serial'),
  device('demo', 'demo'),
  device('virtual:host', 'virtual'),
]

function hello(port: string, activeCrc: string | null, runId?: number): DeviceHello {
  const slot = {
    slot: 'A' as const,
    state: activeCrc ? ('valid' as const) : ('empty' as const),
    bytes: 4880,
    crc32: activeCrc ?? '00000000',
    modelId: 1,
    arenaBytes: 1616,
  }
  return {
    port,
    board: 'host',
    firmware: '0.1.0',
    protocol: 1,
    deviceId: '0011223344556677',
    channels: ['ax', 'ay', 'az'],
    rateHz: 400,
    rates: [400],
    streaming: false,
    maxBody: 2048,
    window: 4,
    slotBytes: 262144,
    arenaCapacity: 262144,
    slots: [slot, { ...slot, slot: 'B', state: 'empty', crc32: '00000000' }],
    active: activeCrc ? slot : null,
    image:
      runId === undefined
        ? null
        : { runId, bytes: 4880, crc32: '3ac4d8b5', active: activeCrc === '3ac4d8b5' },
    dropped: { crc: 0, cobs: 0, oversize: 0, short: 0 },
  }
}

const flashed = (runId: number, port: string): FlashResult => ({
  ok: true,
  runId,
  port,
  bytes: 4880,
  crc32: '3ac4d8b5',
  seconds: 0.07,
  activeCrc32: '3ac4d8b5',
  arenaBytes: 1616,
  slot: 'A',
  resentChunks: 0,
})

function setup(answers: Answers = {}, runId: { value: number | null } = { value: 1 }) {
  const bridge = new FakeBridge({
    'devices.list': () => DEVICES,
    'device.info': ({ port, runId }) => hello(port, null, runId),
    ...answers,
  })
  const state = new DeviceFlashState(bridge.client(), { runId: () => runId.value })
  return { bridge, state, runId }
}

describe('the Device card: ports and hello', () => {
  it('lists the ports a model can go to (not the demo device), proposes the virtual board and asks it', async () => {
    const { bridge, state } = setup()
    await state.refreshPorts()
    await settle()
    expect(state.ports.map((p) => p.id)).toEqual(['/dev/ttyACM0', 'virtual:host'])
    expect(state.portId).toBe('virtual:host')
    expect(bridge.argsOf('device.info')).toEqual([{ port: 'virtual:host', runId: 1 }])
    expect(state.hello?.board).toBe('host')
    expect(state.runIsActive).toBe(false)
    expect(state.canFlash).toBe(true)
  })

  it("says the run's model is active only when the device's active CRC is the run's image", async () => {
    let active: string | null = '3ac4d8b5'
    const { state, runId } = setup({
      'device.info': ({ port, runId }) => hello(port, active, runId),
    })
    await state.choose('virtual:host')
    expect(state.runIsActive).toBe(true)
    active = 'deadbeef'
    await state.ask()
    expect(state.runIsActive).toBe(false)
    // Another run chosen: the hello asked about run 1 does not speak for it.
    active = '3ac4d8b5'
    await state.ask()
    runId.value = 2
    expect(state.runIsActive).toBe(false)
  })

  it('drops a hello that answers a port no longer chosen, and keeps errors to their port', async () => {
    const slow = deferred<DeviceHello>()
    const { state } = setup({
      'device.info': ({ port }) =>
        port === '/dev/ttyACM0'
          ? slow.promise
          : Promise.reject(new ServiceFailure('DEVICE', 'No device at virtual:host.')),
    })
    const first = state.choose('/dev/ttyACM0')
    await state.choose('virtual:host')
    slow.resolve(hello('/dev/ttyACM0', null, 1))
    await first
    expect(state.hello).toBeNull()
    expect(state.helloError).toBe('No device at virtual:host.')
    state.portId = '/dev/ttyACM0'
    expect(state.helloError).toBeNull()
  })
})

describe('flashing', () => {
  it('tells the time left from the rate of the bytes acknowledged after the first', async () => {
    let now = 1000
    const bridge = new FakeBridge({
      'devices.list': () => DEVICES,
      'device.info': ({ port, runId }) => hello(port, null, runId),
      'device.flash': () => deferred<FlashResult>().promise,
    })
    const state = new DeviceFlashState(bridge.client(), { runId: () => 1, now: () => now })
    await state.choose('virtual:host')
    void state.flash()
    const progress = (stage: 'connecting' | 'sending' | 'checking', sentBytes: number) =>
      bridge.emit('device.onFlashProgress', {
        runId: 1,
        port: 'virtual:host',
        stage,
        sentBytes,
        totalBytes: 20_440,
      })
    progress('connecting', 0)
    expect(state.secondsLeft).toBeNull()
    now = 1100
    progress('sending', 2044)
    expect(state.secondsLeft).toBeNull()
    // 4,088 more bytes in 100 ms: 14,308 bytes left take 350 ms.
    now = 1200
    progress('sending', 6132)
    expect(state.secondsLeft).toBeCloseTo(0.35)
    progress('checking', 20_440)
    expect(state.secondsLeft).toBeNull()
  })

  it('shows staged progress from its events, then the result, and asks the device again', async () => {
    const answer = deferred<FlashResult>()
    const { bridge, state } = setup({ 'device.flash': () => answer.promise })
    await state.choose('virtual:host')
    const flashing = state.flash()
    expect(state.flashing).toBe(true)
    expect(state.canFlash).toBe(false)
    expect(state.outcome).toMatchObject({ state: 'flashing', stage: 'connecting' })
    bridge.emit('device.onFlashProgress', {
      runId: 1,
      port: 'virtual:host',
      stage: 'sending',
      sentBytes: 2044,
      totalBytes: 4880,
    })
    // Another port's and another run's progress are not this flash's.
    bridge.emit('device.onFlashProgress', {
      runId: 1,
      port: '/dev/ttyACM0',
      stage: 'checking',
      sentBytes: 4880,
      totalBytes: 4880,
    })
    bridge.emit('device.onFlashProgress', {
      runId: 7,
      port: 'virtual:host',
      stage: 'checking',
      sentBytes: 4880,
      totalBytes: 4880,
    })
    expect(state.outcome).toMatchObject({ stage: 'sending', sentBytes: 2044, totalBytes: 4880 })
    expect(state.progress).toBeCloseTo(2044 / 4880)
    answer.resolve(flashed(1, 'virtual:host'))
    await flashing
    expect(state.outcome).toMatchObject({ state: 'done', result: { activeCrc32: '3ac4d8b5' } })
    expect(state.flashing).toBe(false)
    expect(bridge.argsOf('device.flash')).toEqual([{ runId: 1, port: 'virtual:host' }])
    expect(bridge.argsOf('device.info')).toHaveLength(2)
  })

  it('tells a refusal, a silence and a busy port apart, with the service’s words', async () => {
    const failures: [ServiceFailure, string][] = [
      [
        new ServiceFailure(
          'DEVICE',
          'The device refused MODEL_BEGIN (TOO_LARGE): model of 310000 bytes, slot 262144.',
        ),
        'refused',
      ],
      [
        new ServiceFailure('DEVICE', 'The device stopped answering during the transfer.'),
        'no answer',
      ],
      [
        new ServiceFailure(
          'BUSY',
          'virtual:host is being recorded: stop recording on virtual:host first.',
        ),
        'busy',
      ],
      [
        new ServiceFailure(
          'DEVICE',
          'The flash was cancelled; the device keeps its previous model.',
        ),
        'cancelled',
      ],
    ]
    for (const [failure, kind] of failures) {
      const { state } = setup({
        'device.flash': () => Promise.reject(failure),
      })
      await state.choose('virtual:host')
      await state.flash()
      expect(state.outcome).toEqual({
        state: 'error',
        runId: 1,
        failure: kind,
        text: failure.message,
      })
    }
  })

  it('cancels the flash of the chosen port, flashes one at a time, and needs a run', async () => {
    const answer = deferred<FlashResult>()
    const { bridge, state, runId } = setup({
      'device.flash': () => answer.promise,
      'device.cancelFlash': () => ({ cancelled: true }),
    })
    await state.choose('virtual:host')
    void state.flash()
    await state.flash()
    expect(bridge.argsOf('device.flash')).toHaveLength(1)
    await state.cancel()
    expect(bridge.argsOf('device.cancelFlash')).toEqual([
      { port: 'virtual:host' },
    ] satisfies MethodArgs<'device.cancelFlash'>[])
    answer.resolve(flashed(1, 'virtual:host'))
    await settle()
    runId.value = null
    expect(state.canFlash).toBe(false)
    await state.flash()
    expect(bridge.argsOf('device.flash')).toHaveLength(1)
  })
})
