import type { Command } from 'commander'
import type { DriftReport, FeatureDrift } from '../../../src-preload/contract/index.js'
import { CliError, recordingIdOf, table, type CliContext } from '../context.js'

const number = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3)
const moments = (m: FeatureDrift['training']) => `${number(m.mean)} ± ${number(m.std)}`
const percent = (share: number) => `${(share * 100).toFixed(1)}%`

/** The report as a terminal shows it: the verdict first, then the features and the class mix. */
export function driftText(report: DriftReport): string {
  const t = report.thresholds
  const moved = report.features.filter((f) => f.state !== 'stable')
  const shown = moved.length > 0 ? moved : report.features.slice(0, 5)
  return [
    `${report.verdict.toUpperCase()}${report.cause ? ` (${report.cause})` : ''}: recording ${report.recordingId} "${report.recordingName}" against run ${report.runId}'s training split.`,
    report.summary,
    `Next: ${report.nextStep}`,
    ...(report.inTraining
      ? [
          `Note: run ${report.runId} trained on this recording, so it looks like its training data by construction.`,
        ]
      : []),
    '',
    `${report.windows.live} windows against ${report.windows.training} training windows; a feature moved at PSI >= ${t.psiMoved} and shifts at >= ${t.psiShift}, each only where KS p < ${t.ksAlpha} / ${report.features.length} features.`,
    table(
      ['FEATURE', 'PSI', 'KS D', 'KS p', 'STATE', 'TRAINING', 'RECORDING', 'SHIFT'],
      shown.map((f) => [
        f.name,
        f.psi.toFixed(3),
        f.ks.toFixed(3),
        f.ksP < 1e-4 ? '<1e-4' : f.ksP.toFixed(4),
        f.state,
        moments(f.training),
        moments(f.live),
        `${f.shiftSigmas >= 0 ? '+' : ''}${f.shiftSigmas.toFixed(1)} σ`,
      ]),
    ),
    moved.length === 0
      ? `(the ${shown.length} features with the largest PSI; all ${report.features.length} are stable)`
      : `(${moved.length} of ${report.features.length} features shown: the others are stable)`,
    ...(report.axisTotals.length > 0
      ? [
          '',
          table(
            ['STATISTIC', 'MOST MOVED', 'PSI', 'ITS ENERGY', 'TOTAL OVER AXES', 'AXES SWAPPED'],
            report.axisTotals
              .slice(0, 5)
              .map((a) => [
                a.stat || 'level',
                a.feature,
                a.psi.toFixed(3),
                `×${a.axisRatio.toPrecision(3)}`,
                `×${a.totalRatio.toPrecision(3)}`,
                a.swap ? 'yes' : 'no',
              ]),
          ),
        ]
      : []),
    '',
    table(
      ['CLASS', 'TRAINING', 'PREDICTED'],
      report.classMix.map((c) => [c.name, percent(c.training), percent(c.live)]),
    ),
    `Class mix PSI ${report.classMixPsi.toFixed(3)} (chi-square p ${report.classMixP < 1e-4 ? '<1e-4' : report.classMixP.toFixed(4)}). Checked in ${report.seconds.toFixed(2)} s.`,
  ].join('\n')
}

export function registerDrift(program: Command, ctx: CliContext): void {
  program
    .command('drift')
    .description(
      "does a recording still look like a run's training data? PSI and KS per feature, the class mix, a verdict and the next step",
    )
    .requiredOption('--recording <id>', 'recording id or name (see tinyloop recordings)')
    .requiredOption('--run <run>', 'run id, as deployed (see tinyloop runs)')
    .action((cmd: { recording: string; run: string }) =>
      ctx.withServices(async (_services, client) => {
        const runId = Number(cmd.run)
        if (!Number.isInteger(runId) || runId < 1) {
          throw new CliError(`--run takes a run id (see tinyloop runs), not "${cmd.run}".`, 2)
        }
        const recordingId = await recordingIdOf(client, cmd.recording)
        const report = await client.call('drift.check', { recordingId, runId })
        ctx.print(report, () => driftText(report))
      }, 'read'),
    )
}
