import { openProject } from '../../src-main/store/index.js'

/**
 * A project file with one complete recording of one 100 Hz channel (`samples` of a slow sine),
 * closed again: the smallest project a test can list, label or open read-only.
 */
export function projectWithRecording(
  file: string,
  opts: { name?: string; samples?: number } = {},
): void {
  const { name = 'bearing 2', samples = 500 } = opts
  const project = openProject(file)
  const id = project.recordings.create({ name, status: 'complete' })
  const stream = project.streams.create(id, {
    name: 'accel',
    rateHz: 100,
    channels: [{ name: 'x' }],
  })
  const data = Float32Array.from({ length: samples }, (_, i) => Math.sin(i / 9))
  project.samples.appendChunks(stream, [{ t0Us: 0, dtUs: 10_000, data }])
  project.samples.finish(stream)
  project.close()
}
