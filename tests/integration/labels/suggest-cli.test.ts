import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import type { LabelInfo } from '../../../src-preload/contract/index.js'
import { localClient } from '../../../src-main/rpc/local-client.js'
import { createServices } from '../../../src-main/services.js'
import { runCli } from '../../helpers/run-cli.js'
import { seedTrainedDemo } from '../../helpers/trained-project.js'

let dir: string
let projectPath: string
let removed: LabelInfo[]
const recordingId = 2

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-suggest-cli-'))
  projectPath = seedTrainedDemo(dir, { minutes: 12, epochs: 20 })
  vi.stubEnv('TINYLOOP_USER_DATA', join(dir, 'data'))
  const services = createServices({ mode: 'cli', userDataDir: join(dir, 'data'), projectPath })
  const client = localClient(services.dispatch)
  removed = (await client.call('labels.list', { recordingId })).labels
  for (const label of removed) await client.call('labels.delete', { id: label.id })
  await services.close()
}, 240_000)

afterAll(() => {
  vi.unstubAllEnvs()
  rmSync(dir, { recursive: true, force: true })
})

test('tinyloop labels suggest lists the regions; --accept makes them labels by the model', async () => {
  expect(removed.length).toBeGreaterThan(0)
  const args = ['labels', 'suggest', '--recording', String(recordingId), '--run', '1']
  const shown = await runCli(projectPath, ...args, '--min-confidence', '0.6')
  expect(shown.code, shown.stderr).toBe(0)
  expect(shown.stdout).toMatch(/CLASS\s+START\s+END\s+DURATION\s+CONFIDENCE\s+WINDOWS/)
  expect(shown.stdout).toMatch(/(imbalance|bearing)\s+\d:\d\d\.\d{3}/)
  expect(shown.stdout).toMatch(/\d+ windows classified/)
  expect(shown.stdout).toContain('Add --accept to make them labels.')

  const json = await runCli(projectPath, '--json', ...args)
  expect(json.code).toBe(0)
  const result = JSON.parse(json.stdout) as { suggestions: { classId: number }[] }
  // One suggestion per removed fault episode, of its class.
  expect(result.suggestions.map((s) => s.classId)).toEqual(removed.map((l) => l.classId))

  // Suggesting looks only: nothing was written.
  const listed = await runCli(projectPath, '--json', 'labels', 'list', '--recording', '2')
  expect((JSON.parse(listed.stdout) as { labels: unknown[] }).labels).toEqual([])

  const accepted = await runCli(projectPath, '--json', ...args, '--accept')
  expect(accepted.code, accepted.stderr).toBe(0)
  const outcome = JSON.parse(accepted.stdout) as { accepted: { labels: LabelInfo[] } }
  expect(outcome.accepted.labels.map((l) => l.classId)).toEqual(removed.map((l) => l.classId))

  const services = createServices({ mode: 'cli', userDataDir: join(dir, 'data'), projectPath })
  const client = localClient(services.dispatch)
  const [latest] = await client.call('labels.history', { recordingId })
  expect(latest!.actor).toMatch(/^model:run 1 \(accepted by .*cli\)\)$/)
  const undone = await client.call('labels.undo', { recordingId })
  expect(undone.labels).toEqual([])
  await services.close()
})

test('usage errors exit 2 with a sentence; an unknown run exits 1', async () => {
  const bad = await runCli(projectPath, 'labels', 'suggest', '--recording', '2', '--run', 'x')
  expect(bad.code).toBe(2)
  expect(bad.stderr).toMatch(/--run takes a run id/)
  const p = await runCli(
    projectPath,
    ...['labels', 'suggest', '--recording', '2', '--run', '1', '--min-confidence', '2'],
  )
  expect(p.code).toBe(2)
  expect(p.stderr).toMatch(/probability from 0 to 1/)
  const none = await runCli(projectPath, 'labels', 'suggest', '--recording', '2', '--run', '7')
  expect(none.code).toBe(1)
  expect(none.stderr).toMatch(/no run 7/)
})
