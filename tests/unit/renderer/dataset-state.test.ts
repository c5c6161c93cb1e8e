import { afterEach, describe, expect, it, vi } from 'vitest'
import type { DatasetPreview } from '../../../src-preload/contract/index'
import { DatasetState } from '../../../src-renderer/lib/state/dataset.svelte'
import { FakeBridge, ServiceFailure, deferred, type Deferred } from './fake-bridge'

function preview(warnings: string[], featureNames = ['rms_ax', 'rms_ay']): DatasetPreview {
  return {
    windows: [],
    classes: [],
    byClass: {},
    bySplit: { train: {}, val: {}, test: {} },
    dropped: {},
    splitMethod: 'recordings',
    featureNames,
    warnings,
  }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('the dataset preview', () => {
  it('shows the answer to the latest settings, dropping an older answer that comes later', async () => {
    const older = deferred<DatasetPreview>()
    const newer = deferred<DatasetPreview>()
    const answers = [older, newer]
    const bridge = new FakeBridge({
      'dataset.preview': () => (answers.shift() as Deferred<DatasetPreview>).promise,
    })
    const state = new DatasetState(bridge.client())
    state.windowMs = 1000
    const first = state.refresh()
    state.windowMs = 2000
    const second = state.refresh()
    newer.resolve(preview(['for 2000 ms']))
    await second
    older.resolve(preview(['for 1000 ms']))
    await first
    expect(state.preview?.warnings).toEqual(['for 2000 ms'])
    expect(state.loading).toBe(false)
    expect(bridge.argsOf('dataset.preview').map((a) => a.config.windowMs)).toEqual([1000, 2000])
  })

  it('ignores the failure of settings already replaced, and shows the current one’s', async () => {
    const gate = deferred<void>()
    let calls = 0
    const bridge = new FakeBridge({
      'dataset.preview': async () => {
        calls++
        if (calls === 1) {
          await gate.promise
          throw new ServiceFailure('INVALID_ARGUMENT', 'old settings')
        }
        throw new ServiceFailure('INVALID_ARGUMENT', 'The stride must be at most the window.')
      },
    })
    const state = new DatasetState(bridge.client())
    const first = state.refresh()
    await state.refresh()
    gate.resolve()
    await first
    expect(state.error).toBe('The stride must be at most the window.')
  })

  it('asks once for a burst of changes, a moment after the last', async () => {
    vi.useFakeTimers()
    const bridge = new FakeBridge({ 'dataset.preview': () => preview([]) })
    const state = new DatasetState(bridge.client())
    state.featureX = 'rms_ax'
    for (const windowMs of [500, 750, 1000]) {
      state.windowMs = windowMs
      state.schedule()
      await vi.advanceTimersByTimeAsync(50)
    }
    expect(state.loading).toBe(true)
    expect(bridge.argsOf('dataset.preview')).toEqual([])
    await vi.advanceTimersByTimeAsync(500)
    expect(bridge.argsOf('dataset.preview').map((a) => a.config.windowMs)).toEqual([1000])
    expect(state.loading).toBe(false)
  })

  it('shows the first feature until one is picked, then asks for its histogram', async () => {
    vi.useFakeTimers()
    const bridge = new FakeBridge({ 'dataset.preview': () => preview([]) })
    const state = new DatasetState(bridge.client())
    await state.refresh()
    expect(state.featureX).toBe('rms_ax')
    await vi.advanceTimersByTimeAsync(500)
    expect(bridge.argsOf('dataset.preview').map((a) => a.feature)).toEqual([
      undefined,
      { histogram: 'rms_ax', bins: 24 },
    ])
  })

  it('sends the settings as a dataset configuration', async () => {
    const bridge = new FakeBridge({ 'dataset.preview': () => preview([]) })
    const state = new DatasetState(bridge.client())
    state.selectBy = 'tag'
    state.tag = 'pump'
    state.policy = 'minOverlap'
    state.minOverlap = 0.4
    state.ratios = [70, 15, 15]
    await state.refresh()
    const [args] = bridge.argsOf('dataset.preview')
    expect(args?.config).toMatchObject({
      recordings: { tag: 'pump' },
      labelPolicy: { minOverlap: 0.4 },
      split: { method: 'auto', ratios: [0.7, 0.15, 0.15], seed: 1 },
    })
  })
})
