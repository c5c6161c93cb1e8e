/**
 * Retrain and flash end to end (`tinyloop retrain-and-flash`, docs/loop.md) on 30 minutes of
 * the demo machine at 100 Hz in 4 recordings, against the firmware's host port on a pseudo-
 * terminal at 921,600 baud set to 100 Hz: a run of the dense preset on 16 spectral bands (the
 * README's config, 60 epochs at most with early stopping) is flashed first, one label is moved,
 * then the command runs as its own process. Seconds per stage as the command reports them, the
 * total, and the command's wall time (process start, project open and the trainer's start
 * included). The target: under 30 s.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { localClient } from '../src-main/rpc/local-client.js'
import { createServices } from '../src-main/services.js'
import type { LoopResult } from '../src-preload/contract/index.js'
import { buildFirmware, startHostPort, withClient } from '../tests/helpers/host-port.js'

const MINUTES = 30
const RATE_HZ = 100
const TARGET_S = 30

export async function retrainAndFlash() {
  buildFirmware()
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-bench-loop-'))
  const project = join(dir, 'bench.tinyloop')
  const env = { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') }
  const cli = (...args: string[]) => {
    const run = spawnSync(process.execPath, ['bin/tinyloop.js', '--project', project, ...args], {
      env,
      encoding: 'utf8',
    })
    if (run.status !== 0 && run.status !== 3)
      throw new Error(`tinyloop ${args.join(' ')}: ${run.stderr}`)
    return run
  }
  const board = await startHostPort({ state: join(dir, 'fw'), link: join(dir, 'ttyFW') })
  try {
    cli('demo', '--minutes', String(MINUTES), '--rate', String(RATE_HZ))
    const config = join(dir, 'train.json')
    writeFileSync(
      config,
      JSON.stringify({
        dataset: { windowMs: 1000, strideMs: 500, features: { kind: 'spectral', bands: 16 } },
        model: { preset: 'dense' },
      }),
    )
    cli('train', '--config', config)
    await withClient(board.link, (client) => client.setRate(RATE_HZ))
    cli('flash', '1', '--port', board.link)

    // A labeler's change: the first label of the first recording a second shorter.
    const services = createServices({
      mode: 'cli',
      userDataDir: join(dir, 'data'),
      projectPath: project,
    })
    await (async () => {
      const client = localClient(services.dispatch)
      const [recording] = await client.call('recordings.list', {})
      const list = await client.call('labels.list', { recordingId: recording!.id })
      const label = list.labels[0]!
      await client.call('labels.update', {
        id: label.id,
        startUs: label.startUs + 1_000_000,
        endUs: label.endUs,
      })
    })().finally(() => services.close())

    const started = performance.now()
    const run = cli('--json', 'retrain-and-flash', '--port', board.link)
    const wallS = (performance.now() - started) / 1000
    const result = JSON.parse(run.stdout) as LoopResult
    const round = (s: number) => Math.round(s * 1000) / 1000
    const after = createServices({
      mode: 'cli',
      userDataDir: join(dir, 'data'),
      projectPath: project,
    })
    const windows = await localClient(after.dispatch)
      .call('dataset.get', { id: result.datasetVersionId ?? 0 })
      .then((v) => v.byClass)
      .finally(() => after.close())
    return {
      data: { minutes: MINUTES, rateHz: RATE_HZ, recordings: 4, windows },
      outcome: result.outcome,
      stages: Object.fromEntries(result.stages.map((s) => [s.stage, round(s.seconds)])),
      totalS: round(result.seconds),
      commandWallS: round(wallS),
      targetS: TARGET_S,
      underTarget: wallS < TARGET_S,
      oldTestAccuracy: result.old?.testAccuracy ?? null,
      newTestAccuracy: result.new?.testAccuracy ?? null,
      newRunId: result.new?.runId ?? null,
      activeCrc32: result.activeCrc32,
      imageCrc32: result.imageCrc32,
      runtimes: result.runtimes,
    }
  } finally {
    await board.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
