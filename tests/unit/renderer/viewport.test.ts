import { describe, expect, it } from 'vitest'
import {
  clampViewport,
  gapsAfter,
  panBy,
  zoomAround,
  type Extent,
} from '../../../src-renderer/lib/timeline/viewport'

const day: Extent = { startUs: 0, endUs: 86_400e6, minSpanUs: 10_000 }

describe('timeline viewport', () => {
  it('zooms around the anchor, keeping it in place', () => {
    const v = zoomAround({ fromUs: 0, toUs: 1000e6 }, 0.5, 250e6, day)
    expect(v).toEqual({ fromUs: 125e6, toUs: 625e6 })
  })

  it('never leaves the recording nor goes below the narrowest window', () => {
    expect(zoomAround({ fromUs: 0, toUs: 86_400e6 }, 4, 10e6, day)).toEqual({
      fromUs: 0,
      toUs: 86_400e6,
    })
    const narrow = zoomAround({ fromUs: 0, toUs: 20_000 }, 0.001, 5_000, day)
    expect(narrow.toUs - narrow.fromUs).toBe(10_000)
    expect(panBy({ fromUs: 86_000e6, toUs: 86_300e6 }, 1, day)).toEqual({
      fromUs: 86_100e6,
      toUs: 86_400e6,
    })
    expect(panBy({ fromUs: 100e6, toUs: 400e6 }, -1, day)).toEqual({ fromUs: 0, toUs: 300e6 })
    expect(clampViewport({ fromUs: -5, toUs: -1 }, day).fromUs).toBe(0)
  })

  it('finds gaps between buckets', () => {
    expect(gapsAfter([0, 10, 20, 100, 110], [9, 19, 29, 109, 119], 10)).toEqual([2])
  })
})
