import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { RunDetail } from '../../../src-preload/contract/index.js'
import { openProject } from '../../../src-main/store/open.js'
import { buildFirmware, startHostPort } from '../../helpers/host-port.js'

// An anomaly model on the firmware's host port over a real pseudo-terminal, recorded by the app:
// each window comes with the device's score, classed normal or anomaly by the run's threshold.

let dir: string
let project: string
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/tinyloop.js', '--project', project, ...args], {
    env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') },
    encoding: 'utf8',
  })

beforeAll(() => {
  buildFirmware()
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-anomaly-monitor-'))
  project = join(dir, 'p.tinyloop')
  expect(cli('demo', '--minutes', '12').status).toBe(0)
}, 120_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it("records an anomaly model's scores from the device, each window normal or anomaly by its threshold", async () => {
  const config = join(dir, 'train.json')
  writeFileSync(
    config,
    JSON.stringify({
      dataset: { windowMs: 1000, strideMs: 500, features: { kind: 'spectral', bands: 16 } },
      model: { kind: 'anomaly', method: 'gaussian' },
    }),
  )
  const run = JSON.parse(cli('--json', 'train', '--config', config).stdout) as RunDetail
  const threshold = run.anomalyReport!.threshold
  const link = join(dir, 'tty-board')
  const host = await startHostPort({ state: join(dir, 'state'), link })
  try {
    const flashed = cli('flash', String(run.id), '--port', link)
    expect(flashed.status, flashed.stderr).toBe(0)
    const monitored = cli('--json', 'monitor', '--port', link, '--duration', '3.5')
    expect(monitored.status, monitored.stderr).toBe(0)
    const lines = monitored.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { class: string; score: number; recordingId: number })
    expect(lines.length).toBeGreaterThanOrEqual(4)
    for (const line of lines) {
      expect(Number.isFinite(line.score)).toBe(true)
      expect(line.class).toBe(line.score > threshold ? 'anomaly' : 'normal')
    }
    const stored = openProject(project, { create: false, readonly: true })
    try {
      const [track] = stored.predictions.tracks(lines[0]!.recordingId)
      expect(track).toMatchObject({ runId: run.id, classes: ['normal', 'anomaly'] })
      const rows = stored.predictions.range(track!.id, 0, 1e12)
      expect(rows.map((r) => r.score)).toEqual(lines.map((l) => l.score))
      expect(rows.map((r) => r.classIndex)).toEqual(
        lines.map((l) => (l.class === 'anomaly' ? 1 : 0)),
      )
    } finally {
      stored.close()
    }
  } finally {
    await host.stop()
  }
}, 120_000)
