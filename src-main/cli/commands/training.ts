import type { Command } from 'commander'
import type {
  AnomalyReport,
  EventPayload,
  RunDetail,
  RunSummary,
  TrainConfigInput,
} from '../../../src-preload/contract/index.js'
import { formatDuration } from '../../../src-preload/format.js'
import { InputFileError, readInputFile } from '../../input-file.js'
import type { EventBus } from '../../rpc/events.js'
import { CliError, table, type CliContext } from '../context.js'

/** Training configs are small; anything near this is not one. */
const MAX_CONFIG_BYTES = 1024 ** 2

export function registerTraining(program: Command, ctx: CliContext): void {
  program
    .command('train')
    .description('train a model on a dataset (progress on stderr); see docs/training.md')
    .requiredOption('--config <file>', 'training config, JSON: dataset, model, training')
    .action((cmd: { config: string }) =>
      ctx.withServices(async (services, client) => {
        const config = await readConfig(cmd.config)
        // An autoencoder's epochs say its reconstruction error (it has no accuracy).
        const progress = new ProgressLines(services.events, config.model?.kind === 'anomaly')
        let run: RunSummary
        try {
          run = await client.call('training.start', config)
        } catch (error) {
          progress.stop()
          throw error
        }
        const stop = () => void client.call('training.cancel', { runId: run.id })
        process.once('SIGINT', stop)
        try {
          await progress.until(run.id)
        } finally {
          process.off('SIGINT', stop)
          progress.stop()
        }
        const detail = await client.call('runs.get', { id: run.id })
        for (const warning of detail.estimate?.warnings ?? [])
          process.stderr.write(`Warning: ${warning}\n`)
        ctx.print({ runId: detail.id, ...detail }, () => describeRun(detail))
        if (detail.status === 'failed')
          throw new CliError(`Run ${detail.id} failed: ${detail.error}`)
        if (detail.status === 'cancelled') throw new CliError(`Run ${detail.id} was cancelled.`)
      }),
    )

  program
    .command('runs')
    .description('list the training runs, newest first')
    .action(() =>
      ctx.withServices(async (_services, client) => {
        const runs = await client.call('runs.list', {})
        ctx.print(runs, () =>
          runs.length === 0
            ? 'No training runs yet. Start one with: tinyloop train --config FILE'
            : table(
                ['ID', 'STATUS', 'MODEL', 'DATASET', 'EPOCHS', 'PARAMS', 'VAL', 'TEST', 'TIME'],
                runs.map((r) => [
                  String(r.id),
                  r.status,
                  r.preset,
                  `${r.datasetName ?? 'inline'}${r.datasetChanged ? ' (changed)' : ''}`,
                  String(r.epochs),
                  r.params.toLocaleString('en-US'),
                  r.anomaly ? 'anomaly' : percent(r.valAccuracy),
                  r.anomaly
                    ? `AUC ${r.anomaly.testAuc === null ? '–' : r.anomaly.testAuc.toFixed(3)}`
                    : percent(r.testAccuracy),
                  r.seconds === null ? '–' : formatDuration(r.seconds),
                ]),
              ),
        )
      }, 'read'),
    )
}

async function readConfig(path: string): Promise<TrainConfigInput> {
  let text: string
  try {
    text = (await readInputFile(path, MAX_CONFIG_BYTES)).toString('utf8')
  } catch (error) {
    if (error instanceof InputFileError) throw new CliError(`The training config ${error.message}`)
    throw error
  }
  try {
    return JSON.parse(text) as TrainConfigInput // checked by the contract when it is sent
  } catch {
    throw new CliError(`The training config ${path} is not valid JSON.`)
  }
}

/** Progress on stderr as the app sees it, from the training events; a line per epoch. */
class ProgressLines {
  readonly #unsubscribe: () => void
  #runId: number | null = null
  #ended: ((status: string) => void) | null = null
  /** Runs that ended before `until` was asked about them (an anomaly run ends at once). */
  readonly #endedRuns = new Map<number, string>()

  readonly #reconstruction: boolean

  constructor(events: EventBus, reconstruction = false) {
    this.#reconstruction = reconstruction
    this.#unsubscribe = events.subscribe((event, payload) => {
      if (event === 'training.onProgress')
        this.#progress(payload as EventPayload<'training.onProgress'>)
      if (event === 'runs.onChanged') {
        const { runId, status } = payload as EventPayload<'runs.onChanged'>
        if (status === 'running') return
        this.#endedRuns.set(runId, status)
        if (runId === this.#runId) this.#ended?.(status)
      }
    })
  }

  /** Resolves when run `runId` is no longer running. */
  until(runId: number): Promise<string> {
    this.#runId = runId
    const ended = this.#endedRuns.get(runId)
    if (ended !== undefined) return Promise.resolve(ended)
    return new Promise((resolve) => (this.#ended = resolve))
  }

  stop(): void {
    this.#unsubscribe()
  }

  #progress(progress: EventPayload<'training.onProgress'>): void {
    if (this.#runId !== null && progress.runId !== this.#runId) return
    for (const p of progress.points) {
      if (this.#reconstruction) {
        const val = p.valLoss === null ? '' : `, normal validation windows ${p.valLoss.toFixed(4)}`
        process.stderr.write(
          `epoch ${p.epoch}/${progress.epochs}: reconstruction error ${p.loss.toFixed(4)}${val}\n`,
        )
        continue
      }
      const val =
        p.valLoss === null
          ? ''
          : `, validation loss ${p.valLoss.toFixed(4)} accuracy ${percent(p.valAccuracy)}`
      process.stderr.write(
        `epoch ${p.epoch}/${progress.epochs}: loss ${p.loss.toFixed(4)} accuracy ${percent(p.accuracy)}${val}\n`,
      )
    }
  }
}

/** An anomaly run: its threshold, then AUC, precision, recall, F1 and false alarms by split. */
function describeAnomalyRun(run: RunDetail, report: AnomalyReport): string {
  const auc = (v: number | null) => (v === null ? '–' : v.toFixed(3))
  const rows = (['val', 'test'] as const).map((name) => {
    const m = report[name]
    return [
      name === 'val' ? 'validation' : 'test',
      String(m.normalWindows),
      String(m.anomalousWindows),
      auc(m.auc),
      percent(m.precision),
      percent(m.recall),
      percent(m.f1),
      m.falseAlarmsPerHour.toFixed(1),
    ]
  })
  return [
    `Run ${run.id}: ${run.status}, ${report.method === 'gaussian' ? 'a Gaussian' : 'an autoencoder'} anomaly model trained on ${report.trainWindows} windows of ${report.normalClasses.join(', ')}` +
      (run.seconds === null ? '' : `, ${formatDuration(run.seconds)}`),
    `Threshold ${report.threshold.toPrecision(4)} (${report.thresholdKind === 'f1' ? 'best F1 on validation' : 'a percentile of the normal validation scores'})` +
      (report.shrinkage === null ? '' : `; covariance shrinkage ${report.shrinkage.toFixed(3)}`),
    ...(report.method === 'autoencoder'
      ? [
          `Scores of its int8 model, as a device computes them${report.floatTestAuc === null ? '' : ` (the float model's test AUC: ${auc(report.floatTestAuc)})`}.`,
        ]
      : []),
    ...(report.thresholdNote ? [report.thresholdNote] : []),
    ...(report.ambiguousWindows > 0
      ? [
          `${report.ambiguousWindows} windows labeled normal that a fault label touches were left out (neither normal nor a fault).`,
        ]
      : []),
    '',
    table(
      ['SPLIT', 'NORMAL', 'ANOMALOUS', 'AUC', 'PRECISION', 'RECALL', 'F1', 'FALSE ALARMS/H'],
      rows,
    ),
  ].join('\n')
}

function describeRun(run: RunDetail): string {
  if (run.anomalyReport) return describeAnomalyRun(run, run.anomalyReport)
  const test = run.metrics.test
  const lines = [
    `Run ${run.id}: ${run.status}, ${run.epochs} epochs (best ${run.bestEpoch ?? '–'}), ` +
      `${run.params.toLocaleString('en-US')} parameters` +
      (run.seconds === null ? '' : `, ${formatDuration(run.seconds)}`),
    `Validation accuracy ${percent(run.valAccuracy)}, test accuracy ${percent(run.testAccuracy)}`,
  ]
  if (run.diagnosis) lines.push(run.diagnosis.message)
  if (test) {
    lines.push(
      '',
      table(
        ['CLASS', 'PRECISION', 'RECALL', 'F1', 'WINDOWS'],
        test.perClass.map((c) => [
          c.className,
          percent(c.precision),
          percent(c.recall),
          percent(c.f1),
          String(c.support),
        ]),
      ),
      '',
      'Confusion (rows: true class, columns: predicted)',
      table(
        ['', ...test.confusion.classes],
        test.confusion.matrix.map((row, i) => [
          test.confusion.classes[i] ?? '',
          ...row.map(String),
        ]),
      ),
    )
  }
  return lines.join('\n')
}

function percent(value: number | null): string {
  return value === null ? '–' : `${(value * 100).toFixed(1)}%`
}
