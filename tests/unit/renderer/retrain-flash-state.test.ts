import { describe, expect, it } from 'vitest'
import type { LoopProgress, LoopResult } from '../../../src-preload/contract/index'
import { RetrainFlashState } from '../../../src-renderer/lib/state/retrain-flash.svelte'
import { FakeBridge, ServiceFailure, deferred, settle, type Answers } from './fake-bridge'

const PORT = 'virtual:host'

function result(change: Partial<LoopResult> = {}): LoopResult {
  return {
    outcome: 'flashed',
    port: PORT,
    stoppedAt: null,
    datasetVersionId: 2,
    old: { runId: 1, testAccuracy: 0.9, testWindows: 82 },
    new: { runId: 2, testAccuracy: 0.95, testWindows: 82 },
    imageCrc32: '05d60df9',
    activeCrc32: '05d60df9',
    live: { windowEndUs: 2_000_000, latencyUs: 30, className: 'normal' },
    runtimes: [
      { runtime: 'LiteRT.js', status: 'identical' },
      { runtime: 'Arm NN', status: 'identical' },
    ],
    stages: [
      { stage: 'dataset', seconds: 0.2 },
      { stage: 'training', seconds: 4 },
      { stage: 'quantizing', seconds: 0.2 },
      { stage: 'verifying', seconds: 0.5 },
      { stage: 'comparing', seconds: 0 },
      { stage: 'flashing', seconds: 0.1 },
      { stage: 'confirming', seconds: 1 },
    ],
    seconds: 6,
    ...change,
  }
}

const progress = (change: Partial<LoopProgress>): LoopProgress => ({
  port: PORT,
  stage: 'dataset',
  fraction: 0,
  done: [],
  runId: null,
  detail: '',
  ...change,
})

function setup(answers: Answers = {}, port: { value: string | null } = { value: PORT }) {
  const bridge = new FakeBridge(answers)
  const clock = { ms: 0 }
  const ended: (LoopResult | null)[] = []
  const state = new RetrainFlashState(bridge.client(), {
    port: () => port.value,
    now: () => clock.ms,
    onEnded: (r) => ended.push(r),
  })
  return { bridge, state, clock, ended, port }
}

describe('Retrain and flash: the staged progress', () => {
  it('follows the stages of its port as one bar, each with its time, then shows the result', async () => {
    const answer = deferred<LoopResult>()
    const { bridge, state, clock, ended } = setup({
      'loop.retrainAndFlash': () => answer.promise,
    })
    expect(state.canStart).toBe(true)
    const started = state.start()
    await settle()
    expect(bridge.argsOf('loop.retrainAndFlash')).toEqual([{ port: PORT, force: false }])
    expect(state.running).toBe(true)
    expect(state.canStart).toBe(false)
    expect(state.rows.map((r) => r.state)).toEqual([
      'running',
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
    ])

    clock.ms = 1000
    bridge.emit(
      'loop.onProgress',
      progress({
        stage: 'training',
        fraction: 0.5,
        done: [{ stage: 'dataset', seconds: 0.25 }],
        runId: 2,
        detail: 'epoch 15 of 30',
      }),
    )
    // Another port's pipeline is not this one's.
    bridge.emit('loop.onProgress', progress({ port: '/dev/ttyACM0', stage: 'flashing' }))
    clock.ms = 3000
    state.tick()
    const [dataset, training] = state.rows
    expect(dataset).toMatchObject({ state: 'done', seconds: 0.25 })
    expect(training).toMatchObject({ state: 'running', fraction: 0.5, detail: 'epoch 15 of 30' })
    expect(training?.seconds).toBe(2)
    expect(state.stage).toBe('training')
    expect(state.fraction).toBeCloseTo(1.5 / 7)

    answer.resolve(result())
    await started
    expect(state.phase).toBe('flashed')
    expect(state.fraction).toBe(1)
    expect(state.rows.every((r) => r.state === 'done')).toBe(true)
    expect(state.seconds).toBeCloseTo(6)
    expect(state.result?.activeCrc32).toBe(state.result?.imageCrc32)
    expect(ended).toHaveLength(1)
  })

  it('needs a port, and runs one pipeline at a time', async () => {
    const answer = deferred<LoopResult>()
    const port = { value: null as string | null }
    const { bridge, state } = setup({ 'loop.retrainAndFlash': () => answer.promise }, port)
    expect(state.canStart).toBe(false)
    await state.start()
    expect(bridge.argsOf('loop.retrainAndFlash')).toHaveLength(0)
    port.value = PORT
    void state.start()
    void state.start()
    await settle()
    expect(bridge.argsOf('loop.retrainAndFlash')).toHaveLength(1)
    answer.resolve(result())
  })
})

describe('Retrain and flash: cancel, failure, a worse model', () => {
  it('cancels on its port and shows the stage it stopped in', async () => {
    const answer = deferred<LoopResult>()
    const { bridge, state } = setup({
      'loop.retrainAndFlash': () => answer.promise,
      'loop.cancel': () => {
        answer.resolve(
          result({
            outcome: 'cancelled',
            stoppedAt: 'training',
            activeCrc32: '3ac4d8b5',
            stages: [{ stage: 'dataset', seconds: 0.2 }],
          }),
        )
        return { cancelled: true }
      },
    })
    const started = state.start()
    await settle()
    bridge.emit('loop.onProgress', progress({ stage: 'training', fraction: 0.2 }))
    await state.cancel()
    await started
    expect(bridge.argsOf('loop.cancel')).toEqual([{ port: PORT }])
    expect(state.phase).toBe('cancelled')
    expect(state.rows.find((r) => r.stage === 'training')?.state).toBe('stopped')
    expect(state.result?.activeCrc32).toBe('3ac4d8b5')
  })

  it('shows a failure in the service’s words, at the stage that failed', async () => {
    const { bridge, state, ended } = setup({
      'loop.retrainAndFlash': async () => {
        bridge.emit('loop.onProgress', progress({ stage: 'flashing', fraction: 0.4 }))
        throw new ServiceFailure('DEVICE', 'The device went away (closed).')
      },
    })
    await state.start()
    expect(state.phase).toBe('error')
    expect(state.error).toBe('The device went away (closed).')
    expect(state.rows.find((r) => r.stage === 'flashing')?.state).toBe('stopped')
    expect(ended).toEqual([null])
  })

  it('asks before a worse model: Flash anyway flashes that run and keeps the earlier stages', async () => {
    const worse = result({
      outcome: 'worse',
      stoppedAt: 'flashing',
      new: { runId: 3, testAccuracy: 0.6, testWindows: 82 },
      activeCrc32: '3ac4d8b5',
      live: null,
      stages: result().stages.slice(0, 5),
    })
    const { bridge, state } = setup({
      'loop.retrainAndFlash': () => worse,
      'loop.flashAnyway': ({ runId }) =>
        result({
          new: { runId, testAccuracy: 0.6, testWindows: 82 },
          stages: result().stages.slice(5),
        }),
    })
    await state.start()
    expect(state.phase).toBe('worse')
    expect(state.result?.old?.testAccuracy).toBe(0.9)
    expect(state.result?.new?.testAccuracy).toBe(0.6)
    expect(state.rows.filter((r) => r.state === 'done')).toHaveLength(5)
    await state.flashAnyway()
    expect(bridge.argsOf('loop.flashAnyway')).toEqual([{ port: PORT, runId: 3 }])
    expect(state.phase).toBe('flashed')
    expect(state.result?.stages.map((s) => s.stage)).toHaveLength(7)
  })

  it('Keep the device’s model ends the question without a flash', async () => {
    const { bridge, state } = setup({
      'loop.retrainAndFlash': () => result({ outcome: 'worse', stoppedAt: 'flashing' }),
    })
    await state.start()
    state.keep()
    expect(state.phase).toBe('cancelled')
    await state.flashAnyway()
    expect(bridge.argsOf('loop.flashAnyway')).toHaveLength(0)
  })
})
