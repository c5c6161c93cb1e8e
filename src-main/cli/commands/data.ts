import { basename } from 'node:path'
import { InvalidArgumentError, Option, type Command } from 'commander'
import { formatDuration, formatRate, plural } from '../../../src-preload/format.js'
import {
  DriftMode,
  type ExportFormat,
  type ImportOutcome,
  type ImportProgress,
} from '../../../src-preload/contract/index.js'
import type { ImportFormat } from '../../data/import/detect-format.js'
import { CliError, recordingIdOf, type CliContext } from '../context.js'

function parseRate(value: string): number {
  const rate = Number(value)
  if (!(Number.isFinite(rate) && rate > 0)) {
    throw new InvalidArgumentError('Give the sample rate in Hz, a positive number such as 100.')
  }
  return rate
}

const parseMinutes = (value: string): number => {
  const n = Number(value)
  if (!(n >= 0.5 && n <= 600)) throw new InvalidArgumentError('Give 0.5 to 600 minutes.')
  return n
}
const parseDemoRate = (value: string): number => {
  const n = Number(value)
  if (!(Number.isInteger(n) && n >= 50 && n <= 4000))
    throw new InvalidArgumentError('Give a whole 50 to 4000 Hz.')
  return n
}
const parseCount = (value: string): number => {
  const n = Number(value)
  if (!(Number.isInteger(n) && n >= 1 && n <= 20)) throw new InvalidArgumentError('Give 1 to 20.')
  return n
}
const parseSeed = (value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n)) throw new InvalidArgumentError('Give a whole number.')
  return n
}

export function registerData(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('import recordings: CSV, Edge Impulse JSON or CBOR, folders (with info.labels)')
    .argument('<paths...>', 'files or folders to import')
    .addOption(
      new Option('--format <format>', 'file format').choices(['auto', 'csv', 'ei']).default('auto'),
    )
    .option('--rate <hz>', 'sample rate of CSV files without a time column', parseRate)
    .option('--class <name>', 'the class of all of each file (one machine condition per file)')
    .action((paths: string[], cmd: { format: ImportFormat; rate?: number; class?: string }) =>
      ctx.withServices(async (services, client) => {
        // Progress arrives as the app sees it: as events from the import service.
        const progress = process.stderr.isTTY ? new ProgressLine() : null
        const stopListening = services.events.subscribe((event, payload) => {
          if (event === 'data.onImportProgress') progress?.show(payload as ImportProgress)
        })
        let outcomes: ImportOutcome[]
        try {
          outcomes = await client.call('data.import', {
            paths,
            format: cmd.format,
            rateHz: cmd.rate,
            className: cmd.class,
          })
        } finally {
          stopListening()
          progress?.clear()
        }
        const failures = outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome]))
        ctx.print(outcomes, () => importedLines(outcomes))
        const [firstFailure] = failures
        if (!firstFailure) return
        if (outcomes.length === 1) throw new CliError(firstFailure.error)
        if (!ctx.globals().json) {
          for (const failure of failures) process.stderr.write(`tinyloop: ${failure.error}\n`)
        }
        throw new CliError(
          `${failures.length} of ${plural(outcomes.length, 'file')} could not be imported ` +
            'and left nothing in the project.',
        )
      }),
    )

  program
    .command('demo')
    .description(
      'add labeled recordings of the demo machine, to try the whole loop without hardware',
    )
    .option('--minutes <n>', 'minutes of signal in all', parseMinutes, 12)
    .option('--recordings <n>', 'how many recordings to share them', parseCount, 4)
    .option('--seed <n>', 'the same seed gives the same project', parseSeed, 1)
    .option('--rate <hz>', 'samples per second (50 to 4000)', parseDemoRate, 400)
    .addOption(
      new Option(
        '--drift <mode>',
        'a drifting machine instead, recordings left unlabeled: wear (a bearing wearing over 5 minutes) or mount (the sensor turned 30°)',
      ).choices(DriftMode.options),
    )
    .action(
      (cmd: {
        minutes: number
        recordings: number
        seed: number
        rate: number
        drift?: DriftMode
      }) =>
        ctx.withServices(async (_services, client) => {
          const { rate, ...request } = cmd
          const result = await client.call('data.demo', { ...request, rateHz: rate })
          ctx.print(result, () => {
            const time = Object.entries(result.seconds)
              .map(([name, s]) => `${name} ${formatDuration(s)}`)
              .join(', ')
            if (cmd.drift && cmd.drift !== 'none')
              return (
                `Added ${plural(result.recordingIds.length, 'unlabeled recording')} of the demo machine drifting (${cmd.drift}): ` +
                `ids ${result.recordingIds.join(', ')}. Next: tinyloop drift --recording ${result.recordingIds[0]} --run RUN.`
              )
            return (
              `Added ${plural(result.recordingIds.length, 'demo recording')} with ` +
              `${plural(result.labels, 'labeled fault episode')} (${time}). ` +
              'Next: save a dataset (tinyloop windows, or the Dataset view), then train.'
            )
          })
        }),
    )

  program
    .command('export-data')
    .description('write a recording as CSV or as an Edge Impulse JSON file')
    .argument('<recording>', 'recording id or name (see tinyloop recordings)')
    .addOption(
      new Option('--format <format>', 'file format').choices(['csv', 'ei']).makeOptionMandatory(),
    )
    .requiredOption('-o, --output <file>', 'the file to write')
    .option('--stream <name>', 'the stream to export, for recordings with several')
    .option('--force', 'overwrite the file if it exists')
    .action(
      (
        recording: string,
        cmd: { format: ExportFormat; output: string; stream?: string; force?: boolean },
      ) =>
        ctx.withServices(async (_services, client) => {
          const result = await client.call('data.export', {
            recordingId: await recordingIdOf(client, recording),
            format: cmd.format,
            path: cmd.output,
            overwrite: cmd.force ?? false,
            stream: cmd.stream,
          })
          ctx.print(
            result,
            () =>
              `Wrote ${plural(result.samples, 'sample')} (${plural(result.channels.length, 'channel')}, ` +
              `${formatRate(result.rateHz)}) to ${result.path}`,
          )
        }, 'read'),
    )
}

function importedLines(outcomes: ImportOutcome[]): string {
  const imported = outcomes.flatMap((outcome) =>
    outcome.ok
      ? [
          `Imported ${basename(outcome.file)} as recording ${outcome.recordingId}: ` +
            `${plural(outcome.samples, 'sample')}, ${plural(outcome.channels.length, 'channel')}, ` +
            `${formatRate(outcome.rateHz)}, ${formatDuration(outcome.durationS)}`,
        ]
      : [],
  )
  return imported.length > 0 ? imported.join('\n') : 'Nothing was imported.'
}

/** One status line on a terminal, rewritten in place. */
class ProgressLine {
  show({ file, bytesDone, bytesTotal, filesDone, filesTotal }: ImportProgress): void {
    const percent = bytesTotal > 0 ? Math.floor((100 * bytesDone) / bytesTotal) : 100
    const fileNumber = Math.min(filesDone + 1, filesTotal)
    process.stderr.write(
      `\r\x1b[KImporting ${basename(file)} (${fileNumber}/${filesTotal}), ${percent}%`,
    )
  }

  clear(): void {
    process.stderr.write('\r\x1b[K')
  }
}
