import { DatasetConfig, type DatasetConfigInput } from '../../../src-preload/contract/index.js'
import type { StreamData } from '../../../src-main/dataset/build.js'

export const config = (input: Omit<DatasetConfigInput, 'recordings'> = {}) =>
  DatasetConfig.parse({ recordings: { all: true }, ...input })

/** A stream at a nominal rate: `n` samples from `t0Us`, channel c of sample i = value(i, c). */
export function uniformStream(
  name: string,
  rateHz: number,
  n: number,
  channels: string[],
  value: (i: number, c: number) => number,
  t0Us = 0,
): StreamData {
  const t = Float64Array.from({ length: n }, (_, i) => t0Us + (i * 1e6) / rateHz)
  const data = new Float32Array(n * channels.length)
  for (let i = 0; i < n; i++)
    channels.forEach((_, c) => (data[i * channels.length + c] = value(i, c)))
  return { name, rateHz, channels, t, data }
}
