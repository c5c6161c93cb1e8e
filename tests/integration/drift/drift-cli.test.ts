import { spawn } from 'node:child_process'
import { copyFileSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { MachineSimulator } from '../../../src-main/capture/demo/machine-simulator.js'
import { startVirtualBoard } from '../../../src-main/device/virtual-board.js'
import {
  DRIFT_THRESHOLDS,
  DriftReport,
  type DriftMode,
} from '../../../src-preload/contract/index.js'
import { buildFirmware } from '../../helpers/host-port.js'
import { runCli } from '../../helpers/run-cli.js'
import { seedTrainedDemo } from '../../helpers/trained-project.js'

// The drift check through the CLI (`tinyloop drift`, docs/drift.md) on the demo project trained
// twice: run 1 the dense preset on 16 spectral bands, run 2 on per-axis statistics. Recordings of
// the demo machine of other seeds, undrifted and drifting (wear, mount); then the firmware's host
// port on a real pseudo-terminal, recorded with `tinyloop record --format binary`.
//
// The undrifted seeds are ones whose five minutes hold about the training's share of fault
// episodes: some seeds' recordings have several times the training's bearing time, and the
// check then says so (class mix, or the bands the episodes raise). bench/drift.ts counts how
// often over many seeds.
const UNDRIFTED_SEEDS = [11, 13, 18]
const SPECTRAL = 1
const STATS = 2

let dir: string
let projectPath: string
let env: NodeJS.ProcessEnv
/** Recording ids by what they are. */
const ids = { undrifted: [] as number[], wear: 0, mount: 0, short: 0, otherChannels: 0 }

async function cli(...args: string[]) {
  const result = await runCli(projectPath, ...args)
  expect(result.code, result.stderr).toBe(0)
  return result.stdout
}

async function demo(seed: number, drift?: DriftMode): Promise<number> {
  const out = await cli(
    '--json',
    ...['demo', '--minutes', '5', '--recordings', '1', '--seed', String(seed)],
    ...(drift ? ['--drift', drift] : []),
  )
  return (JSON.parse(out) as { recordingIds: number[] }).recordingIds[0]!
}

async function importCsv(name: string, header: string[], rows: number[][]): Promise<number> {
  const file = join(dir, name)
  writeFileSync(file, `${header.join(',')}\n${rows.map((r) => r.join(',')).join('\n')}\n`)
  const out = await cli('--json', 'import', '--rate', '400', file)
  const [outcome] = JSON.parse(out) as { ok: boolean; recordingId: number }[]
  expect(outcome!.ok).toBe(true)
  return outcome!.recordingId
}

async function drift(recordingId: number, runId: number, project = projectPath) {
  const result = await runCli(
    project,
    ...['--json', 'drift', '--recording', String(recordingId), '--run', String(runId)],
  )
  expect(result.code, result.stderr).toBe(0)
  return DriftReport.parse(JSON.parse(result.stdout))
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-drift-cli-'))
  env = { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') }
  projectPath = seedTrainedDemo(dir, { minutes: 8, epochs: 15 })
  vi.stubEnv('TINYLOOP_USER_DATA', join(dir, 'data'))
  const stats = join(dir, 'stats.json')
  writeFileSync(
    stats,
    JSON.stringify({
      dataset: {
        windowMs: 1000,
        strideMs: 500,
        features: { kind: 'stats' },
        recordings: { ids: [1, 2, 3, 4] },
      },
      model: { preset: 'dense' },
      training: { epochs: 15 },
    }),
  )
  await cli('train', '--config', stats)
  for (const seed of UNDRIFTED_SEEDS) ids.undrifted.push(await demo(seed))
  ids.wear = await demo(8, 'wear')
  ids.mount = await demo(9, 'mount')
  // 10 s of the machine: 19 windows of 1 s every 0.5 s, under the 30 the check needs.
  const samples = new MachineSimulator({ seed: 5 }).next(4000)
  const rows = Array.from({ length: 4000 }, (_, i) => [0, 1, 2].map((c) => samples[i * 3 + c]!))
  ids.short = await importCsv('ten-seconds.csv', ['ax', 'ay', 'az'], rows)
  // Two other channels, a minute of them.
  const other = Array.from({ length: 24_000 }, (_, i) => [Math.sin(i / 7), Math.cos(i / 5)])
  ids.otherChannels = await importCsv('other-channels.csv', ['x', 'y'], other)
}, 120_000)

afterAll(() => {
  vi.unstubAllEnvs()
  rmSync(dir, { recursive: true, force: true })
})

describe.each([
  ['spectral', SPECTRAL],
  ['stats', STATS],
])('the %s run', (_kind, run) => {
  it('says no drift on undrifted recordings of other seeds', async () => {
    for (const id of ids.undrifted) {
      const report = await drift(id, run)
      expect(report.verdict, `recording ${id}: ${report.summary}`).toBe('no drift')
      expect(report.cause).toBeNull()
      expect(report.features.every((f) => f.state !== 'moved')).toBe(true)
      expect(report.inTraining).toBe(false)
    }
  })

  it("says drift, the machine's condition, on a wearing bearing, the model calling more of it bearing", async () => {
    const report = await drift(ids.wear, run)
    expect(report.verdict).toBe('drift')
    expect(report.cause, report.summary).toBe('condition')
    const bearing = report.classMix.find((c) => c.name === 'bearing')!
    expect(bearing.live).toBeGreaterThan(0.3)
    expect(bearing.live).toBeGreaterThan(5 * bearing.training)
    expect(report.classMixP).toBeLessThan(DRIFT_THRESHOLDS.ksAlpha)
    expect(report.nextStep).toMatch(
      /^Inspect the machine: the model calls \d+% of the windows “bearing”/,
    )
  })

  it('says drift, the mounting, on a turned sensor: an axis moved, its total over axes did not', async () => {
    const report = await drift(ids.mount, run)
    expect(report.verdict).toBe('drift')
    expect(report.cause, report.summary).toBe('mounting')
    const lead = report.axisTotals.find((a) => a.swap)!
    expect(Math.abs(Math.log(lead.axisRatio))).toBeGreaterThan(Math.log(1.5))
    expect(Math.abs(Math.log(lead.totalRatio))).toBeLessThan(0.1)
    expect(report.nextStep).toMatch(/check its mounting and orientation/)
  })

  it('says too little data on 10 s, and how much more to record', async () => {
    const report = await drift(ids.short, run)
    expect(report.windows.live).toBe(19)
    expect(report.verdict).toBe('too little data')
    expect(report.nextStep).toBe(
      'Record at least 6 s more of the machine running, then check again.',
    )
  })
})

describe('the report', () => {
  it('states its thresholds, sorts the features by PSI, and its shares sum to 1', async () => {
    for (const [run, width, stats] of [
      [SPECTRAL, 48, 16],
      [STATS, 15, 3],
    ] as const) {
      const report = await drift(ids.wear, run)
      expect(report.thresholds).toEqual(DRIFT_THRESHOLDS)
      expect(report).toMatchObject({ recordingId: ids.wear, runId: run, inTraining: false })
      expect(report.windows).toEqual({ live: 599, training: expect.any(Number) as number })
      expect(report.windows.training).toBeGreaterThan(400)
      expect(report.features).toHaveLength(width)
      const psis = report.features.map((f) => f.psi)
      expect(psis).toEqual([...psis].sort((a, b) => b - a))
      for (const f of report.features) {
        const { edges, training, live } = f.histogram
        expect(edges).toHaveLength(training.length + 1)
        expect(live).toHaveLength(training.length)
        expect(training.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
        expect(live.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
        expect(f.ksP).toBeGreaterThanOrEqual(0)
        expect(f.ksP).toBeLessThanOrEqual(1)
      }
      expect(report.axisTotals).toHaveLength(stats)
      for (const share of ['training', 'live'] as const) {
        expect(report.classMix.reduce((a, c) => a + c[share], 0)).toBeCloseTo(1, 9)
      }
      expect(report.classMix.map((c) => c.name)).toEqual(['normal', 'imbalance', 'bearing'])
      expect(report.seconds).toBeGreaterThan(0)
    }
  })

  it('prints the verdict first, the thresholds, the moved features and the class mix', async () => {
    const text = await cli('drift', '--recording', String(ids.mount), '--run', String(STATS))
    const lines = text.split('\n')
    expect(lines[0]).toMatch(
      new RegExp(
        `^DRIFT \\(mounting\\): recording ${ids.mount} ".*" against run 2's training split\\.$`,
      ),
    )
    expect(lines[2]).toMatch(/^Next: The sensor may have moved/)
    expect(text).toContain(
      'a feature moved at PSI >= 0.25 and shifts at >= 0.1, each only where KS p < 0.01 / 15 features.',
    )
    expect(text).toMatch(/FEATURE\s+PSI\s+KS D\s+KS p\s+STATE\s+TRAINING\s+RECORDING\s+SHIFT/)
    expect(text).toMatch(/ay_mean\s+8\.\d{3}\s+1\.000\s+<1e-4\s+moved/)
    expect(text).toMatch(/mean\s+ay_mean\s+8\.\d{3}\s+×[\d.e+]+\s+×1\.00\s+yes/)
    expect(text).toMatch(/CLASS\s+TRAINING\s+PREDICTED/)
    expect(text).toMatch(
      /Class mix PSI \d\.\d{3} \(chi-square p [\d.e<-]+\)\. Checked in \d\.\d\d s\./,
    )
  })

  it('notes a recording the run trained on', async () => {
    const report = await drift(1, SPECTRAL)
    expect(report.inTraining).toBe(true)
    const text = await cli('drift', '--recording', '1', '--run', String(SPECTRAL))
    expect(text).toContain('Note: run 1 trained on this recording')
  })
})

describe('errors', () => {
  it('exits 1 with a sentence on an unknown recording or run, or a recording of other channels', async () => {
    const noRecording = await runCli(projectPath, 'drift', '--recording', '99', '--run', '1')
    expect(noRecording.code).toBe(1)
    expect(noRecording.stderr).toMatch(/no recording 99/)
    const noRun = await runCli(projectPath, 'drift', '--recording', String(ids.wear), '--run', '9')
    expect(noRun.code).toBe(1)
    expect(noRun.stderr).toMatch(/There is no run 9 in this project/)
    const other = await runCli(
      projectPath,
      ...['drift', '--recording', String(ids.otherChannels), '--run', '1'],
    )
    expect(other.code).toBe(1)
    expect(other.stderr).toMatch(/it has other channels than the recordings the run trained on/)
    const usage = await runCli(projectPath, 'drift', '--recording', '1', '--run', 'latest')
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/--run takes a run id/)
  })
})

describe('the firmware on a pseudo-terminal', () => {
  /** `tinyloop --json record --port LINK --format binary --duration S` as its own process. */
  function record(project: string, link: string, seconds: number) {
    const child = spawn(
      process.execPath,
      [
        ...['bin/tinyloop.js', '--project', project, '--json', 'record'],
        ...['--port', link, '--format', 'binary', '--duration', String(seconds)],
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    return new Promise<{ recordingId: number; samples: number; lostFrames: number }>(
      (resolve, reject) =>
        child.once('exit', (code) =>
          code === 0
            ? resolve(
                JSON.parse(stdout) as { recordingId: number; samples: number; lostFrames: number },
              )
            : reject(new Error(`tinyloop record exited with ${code}: ${stderr}`)),
        ),
    )
  }

  // 20 s: enough for the statistics run (gravity moves between axes at once), not for the
  // spectral run, whose bands follow the machine's 90 s speed cycle (docs/drift.md).
  it('a turned sensor recorded from the host port says mounting; an unturned one says no drift', async () => {
    buildFirmware()
    // Two copies of the trained project, one per board, recorded at the same time.
    const projects = { none: join(dir, 'none.tinyloop'), mount: join(dir, 'mount.tinyloop') }
    for (const copy of Object.values(projects)) copyFileSync(projectPath, copy)
    const boards = await Promise.all(
      (['none', 'mount'] as const).map((mode) =>
        startVirtualBoard('host', {
          stateDir: join(dir, `board-${mode}`),
          link: join(dir, `tty-${mode}`),
          seed: 3,
          drift: mode,
        }),
      ),
    )
    try {
      for (const board of boards) expect(realpathSync(board.path)).toMatch(/^\/dev\/pts\/\d+$/)
      const [none, mount] = await Promise.all([
        record(projects.none, boards[0]!.path, 20),
        record(projects.mount, boards[1]!.path, 20),
      ])
      for (const r of [none, mount]) {
        expect(r.lostFrames).toBe(0)
        expect(r.samples).toBeGreaterThan(7000)
      }
      const turned = await drift(mount.recordingId, STATS, projects.mount)
      expect(turned.verdict).toBe('drift')
      expect(turned.cause, turned.summary).toBe('mounting')
      expect(turned.features[0]!.name).toMatch(/^a[yz]_/)
      const unturned = await drift(none.recordingId, STATS, projects.none)
      expect(unturned.verdict, unturned.summary).toBe('no drift')
      // Twenty seconds of normal running have none of the training's fault episodes: the class
      // mix differs, but not by more than so few windows can show.
      expect(unturned.classMix[0]!.live).toBeGreaterThan(0.95)
      expect(unturned.classMixP).toBeGreaterThan(DRIFT_THRESHOLDS.ksAlpha)
    } finally {
      await Promise.all(boards.map((b) => b.stop()))
    }
  }, 60_000)
})
