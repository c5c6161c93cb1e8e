import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { EventName } from '../../../src-preload/contract/index.js'
import { localClient } from '../../../src-main/rpc/local-client.js'
import { createServices, type Services } from '../../../src-main/services.js'
import type { Project } from '../../../src-main/store/project.js'

export interface LabelWorld {
  dir: () => string
  projectPath: () => string
  services: () => Services
  client: () => ReturnType<typeof localClient>
  project: () => Project
  /** Events emitted since the services were built, in order. */
  events: () => { event: EventName; payload: unknown }[]
  /** Closes the services (and the project file) and builds them again on the same file. */
  reopen: () => Promise<void>
}

/** The real service graph on a project file in a fresh temporary folder, per test. */
export function useLabelWorld(): LabelWorld {
  let dir: string | undefined
  let services: Services | undefined
  let events: { event: EventName; payload: unknown }[] = []
  const tempDir = () => (dir ??= mkdtempSync(join(tmpdir(), 'tinyloop-labels-')))
  const projectPath = () => join(tempDir(), 'labels.tinyloop')
  const build = () => {
    services = createServices({
      mode: 'web',
      userDataDir: join(tempDir(), 'data'),
      projectPath: projectPath(),
    })
    events = []
    services.events.subscribe((event, payload) => events.push({ event, payload }))
    return services
  }
  afterEach(async () => {
    await services?.close()
    services = undefined
    if (dir) rmSync(dir, { recursive: true, force: true })
    dir = undefined
  })
  const get = () => services ?? build()
  return {
    dir: tempDir,
    projectPath,
    services: get,
    client: () => localClient(get().dispatch),
    project: () => get().projects.project(),
    events: () => events,
    async reopen() {
      await services?.close()
      services = undefined
      build()
    },
  }
}

/** A recording with one stream of `n` samples every `dtUs` from `t0Us` (one channel). */
export function uniformRecording(
  project: Project,
  options: { n?: number; dtUs?: number; t0Us?: number; name?: string } = {},
): number {
  const { n = 1000, dtUs = 10_000, t0Us = 0, name = 'fan' } = options
  const rateHz = 1e6 / dtUs
  const recordingId = project.recordings.create({ name, status: 'complete' })
  const streamId = project.streams.create(recordingId, {
    name: 'accel',
    rateHz,
    channels: [{ name: 'x' }],
  })
  project.samples.appendChunks(streamId, [
    { t0Us, dtUs, data: Float32Array.from({ length: n }, (_, i) => Math.sin(i / 10)) },
  ])
  project.samples.finish(streamId)
  return recordingId
}

/** A recording with one device-timestamped stream at nominally `rateHz`. */
export function timestampedRecording(
  project: Project,
  timestampsUs: number[],
  rateHz = 100,
): number {
  const recordingId = project.recordings.create({ name: 'pump', status: 'complete' })
  const streamId = project.streams.create(recordingId, {
    name: 'accel',
    rateHz,
    channels: [{ name: 'x' }],
  })
  project.samples.appendChunks(streamId, [
    {
      timestampsUs: Float64Array.from(timestampsUs),
      data: new Float32Array(timestampsUs.length),
    },
  ])
  project.samples.finish(streamId)
  return recordingId
}

/** The id of the class named `name`. */
export async function classId(world: LabelWorld, name: string): Promise<number> {
  const found = (await world.client().call('classes.list', {})).find((c) => c.name === name)
  if (!found) throw new Error(`No class ${name}`)
  return found.id
}

/** Labels without ids, for comparing what is labelled. */
export function spans(labels: { classId: number; startUs: number; endUs: number }[]) {
  return labels.map(({ classId, startUs, endUs }) => ({ classId, startUs, endUs }))
}
