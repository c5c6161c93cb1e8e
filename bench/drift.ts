/**
 * The drift check (`tinyloop drift`, docs/drift.md) on the demo project trained as the docs show
 * it: 8 minutes of the demo machine in 4 recordings; run 1 the dense preset on 16 spectral bands,
 * run 2 the dense preset on per-axis statistics (recordings 1 to 4), 15 epochs each.
 *
 * - recordings: 10 minutes of the machine of other seeds, undrifted (two seeds), with a wearing
 *   bearing and with the sensor turned; for each and each run, the verdict, the class mix and the
 *   top features' PSI and KS.
 * - time: checking 10 minutes (1,199 windows), median of RUNS, beside `labels.suggest` on the same
 *   recording and run, interleaved. Both cut and featurize the recording and run the int8 model
 *   over every window (modelOverRecording), so the difference is what the check adds: the training
 *   split's windows and the statistics.
 * - byLength: the verdicts on recordings of 0.5 to 10 minutes, undrifted (several seeds) and
 *   drifting, to show how long a recording the check needs on this machine.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { localClient } from '../src-main/rpc/local-client.js'
import { createServices } from '../src-main/services.js'
import type { DriftMode, DriftReport } from '../src-preload/contract/index.js'
import { seedTrainedDemo } from '../tests/helpers/trained-project.js'

const RUNS = 5
const MINUTES = 10
const TOP = 5
const RECORDINGS: { name: string; seed: number; drift: DriftMode }[] = [
  { name: 'undrifted, seed 21', seed: 21, drift: 'none' },
  { name: 'undrifted, seed 22', seed: 22, drift: 'none' },
  { name: 'bearing wearing', seed: 23, drift: 'wear' },
  { name: 'sensor turned 30°', seed: 24, drift: 'mount' },
]
const LENGTHS_MIN = [0.5, 1, 2, 3, 5, 10]
const LENGTH_SEEDS: Record<DriftMode, number[]> = {
  none: [401, 402, 403, 404, 405, 406, 407, 408],
  wear: [501, 502, 503],
  mount: [601, 602, 603],
}
const RUN_IDS = { spectral: 1, stats: 2 } as const

const round = (v: number, digits = 3) => Number(v.toPrecision(digits))
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const verdictOf = (r: DriftReport) => (r.cause ? `${r.verdict} (${r.cause})` : r.verdict)

function summary(r: DriftReport) {
  const lead = r.axisTotals[0]
  const bearing = r.classMix.find((c) => c.name === 'bearing')
  return {
    verdict: verdictOf(r),
    moved: `${r.features.filter((f) => f.state === 'moved').length}/${r.features.length}`,
    classMixPsi: round(r.classMixPsi),
    classMixP: round(r.classMixP, 2),
    bearingShare: bearing ? { training: round(bearing.training), live: round(bearing.live) } : null,
    top: r.features.slice(0, TOP).map((f) => ({
      feature: f.name,
      psi: round(f.psi),
      ksD: round(f.ks),
      ksP: round(f.ksP, 2),
      state: f.state,
    })),
    axisTotalsLead: lead
      ? {
          stat: lead.stat,
          feature: lead.feature,
          axisRatio: round(lead.axisRatio),
          totalRatio: round(lead.totalRatio),
          swap: lead.swap,
        }
      : null,
  }
}

export async function drift() {
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-bench-drift-'))
  const userDataDir = join(dir, 'data')
  try {
    const projectPath = seedTrainedDemo(dir, { minutes: 8, epochs: 15 })
    const statsConfig = join(dir, 'stats.json')
    writeFileSync(
      statsConfig,
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
    const trained = spawnSync(
      process.execPath,
      ['bin/tinyloop.js', '--project', projectPath, 'train', '--config', statsConfig],
      { env: { ...process.env, TINYLOOP_USER_DATA: userDataDir }, encoding: 'utf8' },
    )
    if (trained.status !== 0) throw new Error(`tinyloop train: ${trained.stderr}`)

    const services = createServices({ mode: 'cli', userDataDir, projectPath })
    try {
      const client = localClient(services.dispatch)
      const demo = async (minutes: number, seed: number, mode: DriftMode) =>
        (
          await client.call('data.demo', {
            minutes,
            recordings: 1,
            seed,
            rateHz: 400,
            drift: mode,
          })
        ).recordingIds[0]!
      const check = (recordingId: number, runId: number) =>
        client.call('drift.check', { recordingId, runId })

      const recordings = []
      let timed = 0
      for (const r of RECORDINGS) {
        const recordingId = await demo(MINUTES, r.seed, r.drift)
        if (r.drift === 'none' && timed === 0) timed = recordingId
        const byRun: Record<string, ReturnType<typeof summary>> = {}
        let windows = { live: 0, training: 0 }
        for (const [kind, runId] of Object.entries(RUN_IDS)) {
          const report = await check(recordingId, runId)
          windows = report.windows
          byRun[kind] = summary(report)
        }
        recordings.push({ ...r, minutes: MINUTES, recordingId, windows, byRun })
      }

      // The time of the check on 10 minutes, and of labels.suggest on the same, interleaved.
      const time: Record<string, unknown> = {}
      for (const [kind, runId] of Object.entries(RUN_IDS)) {
        const suggest = () => client.call('labels.suggest', { recordingId: timed, runId })
        await check(timed, runId)
        await suggest()
        const checkS: number[] = []
        const reportedS: number[] = []
        const suggestS: number[] = []
        for (let i = 0; i < RUNS; i++) {
          for (const which of i % 2 === 0 ? ['check', 'suggest'] : ['suggest', 'check']) {
            const started = performance.now()
            if (which === 'check') {
              const report = await check(timed, runId)
              checkS.push((performance.now() - started) / 1000)
              reportedS.push(report.seconds)
            } else {
              await suggest()
              suggestS.push((performance.now() - started) / 1000)
            }
          }
        }
        time[kind] = {
          checkMedianS: round(median(checkS)),
          checkAsReportedMedianS: round(median(reportedS)),
          suggestMedianS: round(median(suggestS)),
          checkOverSuggest: round(median(checkS) / median(suggestS)),
          addedS: round(median(checkS) - median(suggestS)),
          checkS: checkS.map((s) => round(s)),
          suggestS: suggestS.map((s) => round(s)),
        }
      }

      // Verdicts by length: how often each says what, undrifted and drifting.
      const byLength = []
      for (const minutes of LENGTHS_MIN) {
        const row: Record<string, Record<string, Record<string, number>>> = {}
        for (const [mode, seeds] of Object.entries(LENGTH_SEEDS) as [DriftMode, number[]][]) {
          const counts: Record<string, Record<string, number>> = { spectral: {}, stats: {} }
          for (const seed of seeds) {
            const recordingId = await demo(minutes, seed, mode)
            for (const [kind, runId] of Object.entries(RUN_IDS)) {
              const verdict = verdictOf(await check(recordingId, runId))
              counts[kind]![verdict] = (counts[kind]![verdict] ?? 0) + 1
            }
          }
          row[mode] = counts
        }
        byLength.push({ minutes, ...row })
      }

      return {
        setup: {
          trainingMinutes: 8,
          trainingRecordings: 4,
          runs: {
            spectral: 'run 1: dense preset, 16 spectral bands per axis (48 features)',
            stats: 'run 2: dense preset, mean/std/min/max/rms per axis (15 features)',
          },
          window: '1000 ms every 500 ms',
        },
        recordings,
        time: { minutes: MINUTES, runs: RUNS, recordingId: timed, ...time },
        byLength: {
          seeds: Object.fromEntries(Object.entries(LENGTH_SEEDS).map(([m, s]) => [m, s.length])),
          verdicts: byLength,
        },
      }
    } finally {
      await services.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
