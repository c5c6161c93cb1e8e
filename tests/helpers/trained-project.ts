import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import type { LayerSpecInput } from '../../src-preload/contract/index.js'

export interface TrainedProjectOptions {
  /** Minutes of the demo machine (the project's recordings). */
  minutes?: number
  epochs?: number
  preset?: 'dense' | 'conv1d'
  /** Runs trained one after the other, each a run of its own (ids 1, 2, ...). */
  runs?: number
  /** Then one more run of each of these layer lists (ids after those). */
  extraRuns?: { layers: LayerSpecInput[]; epochs: number }[]
}

/**
 * The demo project with runs trained by the CLI (`tinyloop demo`, `tinyloop train`): the dense
 * preset on spectral features by default, a few seconds a run. Returns the project's path.
 */
export function seedTrainedDemo(dir: string, opts: TrainedProjectOptions = {}): string {
  const file = join(dir, 'Pump station.tinyloop')
  const config = join(dir, 'train.json')
  const preset = opts.preset ?? 'dense'
  const configure = (model: object, epochs: number) =>
    writeFileSync(
      config,
      JSON.stringify({
        dataset: {
          windowMs: 1000,
          strideMs: 500,
          features: preset === 'dense' ? { kind: 'spectral', bands: 16 } : { kind: 'raw' },
        },
        model,
        training: { epochs },
      }),
    )
  configure({ preset }, opts.epochs ?? 15)
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, ['bin/tinyloop.js', '--project', file, ...args], {
      env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') },
      stdio: 'pipe',
    })
  cli('demo', '--minutes', String(opts.minutes ?? 4))
  for (let i = 0; i < (opts.runs ?? 1); i++) cli('train', '--config', config)
  for (const extra of opts.extraRuns ?? []) {
    configure({ preset, layers: extra.layers }, extra.epochs)
    cli('train', '--config', config)
  }
  return file
}
