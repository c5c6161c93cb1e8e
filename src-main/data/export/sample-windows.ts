import { ServiceError } from '../../rpc/errors.js'
import type { Project, Stream } from '../../store/index.js'

/** Samples of several streams that share their times: `values[i]` is stream i's, interleaved. */
export interface SampleWindow {
  t: Float64Array
  values: Float32Array[]
}

const WINDOW_SAMPLES = 65_536

/**
 * The samples of `streams` in time order, a window of about WINDOW_SAMPLES at a time, so an
 * export of any length holds only one window in memory.
 */
export function* sampleWindows(project: Project, streams: Stream[]): Generator<SampleWindow> {
  const [first] = streams as [Stream, ...Stream[]]
  const { firstUs, lastUs } = project.samples.stats(first.id)
  if (firstUs === null || lastUs === null) return
  const windowUs = (WINDOW_SAMPLES / first.rateHz) * 1e6
  let lastWrittenUs = -Infinity
  // Reads include both ends, so a sample at a window's end comes again with the next window.
  for (let fromUs = firstUs; fromUs <= lastUs; fromUs += windowUs) {
    const ranges = streams.map((stream) =>
      project.samples.read(stream.id, fromUs, fromUs + windowUs),
    )
    const [reference] = ranges as [(typeof ranges)[number]]
    const skip = reference.t.findIndex((t) => t > lastWrittenUs)
    if (skip < 0) continue
    for (const [i, range] of ranges.entries()) {
      if (range.t.length !== reference.t.length || range.t.some((t, j) => t !== reference.t[j])) {
        throw new ServiceError(
          'INVALID_ARGUMENT',
          `Streams ${first.name} and ${streams[i]?.name} do not share their sample times. ` +
            'Export one at a time: choose it with --stream NAME.',
        )
      }
    }
    lastWrittenUs = reference.t[reference.t.length - 1] as number
    yield {
      t: reference.t.subarray(skip),
      values: ranges.map((range, i) =>
        range.data.subarray(skip * (streams[i] as Stream).channels.length),
      ),
    }
  }
}
