import { describe, expect, test } from 'vitest'
import { ImportService } from '../../../src-main/data/import/import-service.js'
import type { ImportProgress } from '../../../src-main/data/import/progress.js'
import { EventBus } from '../../../src-main/rpc/events.js'
import { fixture, useTempProject } from './helpers.js'

const { project } = useTempProject()

describe('ImportService', () => {
  test('reports progress up to the last byte and tells the UIs the recordings changed', async () => {
    const events = new EventBus()
    const heard: unknown[] = []
    events.subscribe((event, payload) => heard.push({ event, payload }))
    const progress: ImportProgress[] = []
    const service = new ImportService({ project, events, onProgress: (p) => progress.push(p) })
    const outcomes = await service.import({
      paths: [fixture('ei-export'), fixture('seconds.csv')],
    })
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true])
    const last = progress[progress.length - 1]
    expect(last).toMatchObject({ filesDone: 3, filesTotal: 3 })
    expect(last?.bytesDone).toBe(last?.bytesTotal)
    expect(heard).toEqual([{ event: 'recordings.onChanged', payload: { reason: 'import' } }])
  })

  test('says nothing changed when nothing was imported', async () => {
    const events = new EventBus()
    const heard: unknown[] = []
    events.subscribe((event) => heard.push(event))
    const service = new ImportService({ project, events })
    const [outcome] = await service.import({ paths: [fixture('not-a-number.csv')] })
    expect(outcome?.ok).toBe(false)
    expect(heard).toEqual([])
  })

  test('cancelling stops the import: the file being read is not stored, the rest are not read', async () => {
    // Cancel at the first progress report, while the first file is being read.
    const service: ImportService = new ImportService({
      project,
      onProgress: () => service.cancel(),
    })
    const outcomes = await service.import({
      paths: [fixture('seconds.csv'), fixture('ei-accel.json'), fixture('ei-accel.cbor')],
    })
    expect(outcomes).toHaveLength(3)
    expect(outcomes.every((o) => !o.ok && /cancelled/.test(o.error))).toBe(true)
    expect(project().recordings.list()).toHaveLength(0)
    expect(service.cancel()).toBe(0) // nothing is running any more
  })
})
