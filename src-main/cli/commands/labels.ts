import { basename } from 'node:path'
import { Option, type Command } from 'commander'
import type { LabelFileFormat } from '../../../src-preload/contract/index.js'
import { formatDuration, plural } from '../../../src-preload/format.js'
import { CliError, recordingIdOf, table, type CliContext } from '../context.js'

// Every command goes through the dispatcher like the app; the services journal label changes
// as made by "<user> (cli)".

export function registerLabels(program: Command, ctx: CliContext): void {
  const labels = program
    .command('labels')
    .description('the labels of a recording: list, export, import, suggest')

  labels
    .command('list')
    .description('list the labels of a recording, with totals per class')
    .requiredOption('--recording <id>', 'recording id or name (see tinyloop recordings)')
    .action((cmd: { recording: string }) =>
      ctx.withServices(async (_services, client) => {
        const recordingId = await recordingIdOf(client, cmd.recording)
        const list = await client.call('labels.list', { recordingId })
        const classes = await client.call('classes.list', {})
        const names = new Map(classes.map((c) => [c.id, c.name]))
        const name = (id: number | null) => (id === null ? '–' : (names.get(id) ?? String(id)))
        ctx.print(list, () => {
          const lines = [
            list.labels.length === 0
              ? `No labels yet: all of it is ${name(list.defaultClassId)}.`
              : table(
                  ['ID', 'CLASS', 'START', 'END', 'DURATION'],
                  list.labels.map((l) => [
                    String(l.id),
                    name(l.classId),
                    formatDuration(l.startUs / 1e6),
                    formatDuration(l.endUs / 1e6),
                    formatDuration((l.endUs - l.startUs) / 1e6),
                  ]),
                ),
            '',
            table(
              ['CLASS', 'LABELS', 'DURATION'],
              [
                ...list.totals.map((t) => [
                  name(t.classId),
                  String(t.count),
                  formatDuration(t.durationUs / 1e6),
                ]),
                [
                  `${name(list.defaultClassId)} (default)`,
                  '–',
                  formatDuration(list.defaultDurationUs / 1e6),
                ],
              ],
            ),
          ]
          return lines.join('\n')
        })
      }, 'read'),
    )

  labels
    .command('export')
    .description('write the labels of a recording as CSV, JSON or Edge Impulse info.labels')
    .requiredOption('--recording <id>', 'recording id or name (see tinyloop recordings)')
    .addOption(
      new Option('--format <format>', 'file format').choices(['csv', 'json', 'ei']).default('csv'),
    )
    .option('-o, --output <file>', 'the file to write (default: standard output)')
    .option('--force', 'overwrite the file if it exists')
    .option('--sample <file>', 'ei: the sample file the labels belong to (default <name>.json)')
    .action(
      (cmd: {
        recording: string
        format: LabelFileFormat
        output?: string
        force?: boolean
        sample?: string
      }) =>
        ctx.withServices(async (_services, client) => {
          const recordingId = await recordingIdOf(client, cmd.recording)
          if (cmd.output === undefined) {
            const { text } = await client.call('labels.exportText', {
              recordingId,
              format: cmd.format,
              sample: cmd.sample,
            })
            process.stdout.write(text)
            return
          }
          const result = await client.call('labels.export', {
            recordingId,
            format: cmd.format,
            path: cmd.output,
            overwrite: cmd.force ?? false,
            sample: cmd.sample,
          })
          ctx.print(result, () => `Wrote ${plural(result.labels, 'label')} to ${result.path}`)
        }, 'read'),
    )

  labels
    .command('import')
    .description('add labels to a recording from CSV, JSON or Edge Impulse labels (all or none)')
    .argument('<file>', 'the label file')
    .requiredOption('--recording <id>', 'recording id or name (see tinyloop recordings)')
    .addOption(
      new Option('--format <format>', 'file format')
        .choices(['auto', 'csv', 'json', 'ei'])
        .default('auto'),
    )
    .option('--replace', "delete the recording's labels first (one undoable action)")
    .option('--sample <name>', 'ei: the sample to read from a file that lists several')
    .action(
      (
        file: string,
        cmd: {
          recording: string
          format: 'auto' | LabelFileFormat
          replace?: boolean
          sample?: string
        },
      ) =>
        ctx.withServices(async (_services, client) => {
          const outcome = await client.call('labels.import', {
            recordingId: await recordingIdOf(client, cmd.recording),
            path: file,
            format: cmd.format,
            replace: cmd.replace ?? false,
            sample: cmd.sample,
          })
          if (outcome.ok) {
            ctx.print(outcome, () => {
              const notes = [
                outcome.skipped > 0
                  ? `${plural(outcome.skipped, 'label')} of the default class needed no label`
                  : '',
                outcome.createdClasses.length > 0
                  ? `added ${plural(outcome.createdClasses.length, 'class', 'classes')}: ` +
                    outcome.createdClasses.join(', ')
                  : '',
              ].filter(Boolean)
              return (
                `Imported ${plural(outcome.imported, 'label')} from ${basename(outcome.path)} ` +
                `into recording ${outcome.list.recordingId}` +
                (notes.length > 0 ? ` (${notes.join('; ')})` : '') +
                `; it now has ${plural(outcome.list.labels.length, 'label')}.`
              )
            })
            return
          }
          if (ctx.globals().json) ctx.print(outcome, () => '')
          else {
            for (const problem of outcome.problems) {
              process.stderr.write(`tinyloop: ${basename(outcome.path)}: ${problem.message}\n`)
            }
          }
          throw new CliError(
            `Nothing was imported: ${basename(outcome.path)} has ` +
              `${plural(outcome.problems.length, 'problem')}.`,
          )
        }),
    )

  labels
    .command('suggest')
    .description(
      "a run's int8 model over a recording: the regions it would label (never over a label)",
    )
    .requiredOption('--recording <id>', 'recording id or name (see tinyloop recordings)')
    .requiredOption('--run <run>', 'run id (see tinyloop runs)')
    .option('--min-confidence <p>', 'leave out regions the model is less sure of (0 to 1)', '0.5')
    .option('--accept', 'make them labels, in one undoable action by the model')
    .action((cmd: { recording: string; run: string; minConfidence: string; accept?: boolean }) =>
      ctx.withServices(
        async (_services, client) => {
          const runId = Number(cmd.run)
          if (!Number.isInteger(runId) || runId < 1) {
            throw new CliError(`--run takes a run id (see tinyloop runs), not "${cmd.run}".`, 2)
          }
          const minConfidence = Number(cmd.minConfidence)
          if (!(minConfidence >= 0 && minConfidence <= 1)) {
            throw new CliError(
              `--min-confidence takes a probability from 0 to 1, not "${cmd.minConfidence}".`,
              2,
            )
          }
          const recordingId = await recordingIdOf(client, cmd.recording)
          const result = await client.call('labels.suggest', { recordingId, runId, minConfidence })
          const accepted =
            cmd.accept && result.suggestions.length > 0
              ? await client.call('labels.acceptSuggestions', {
                  recordingId,
                  runId,
                  suggestions: result.suggestions,
                })
              : null
          const classes = await client.call('classes.list', {})
          const names = new Map(classes.map((c) => [c.id, c.name]))
          ctx.print(cmd.accept ? { ...result, accepted } : result, () =>
            [
              result.suggestions.length === 0
                ? `Run ${runId} suggests nothing to label in recording ${recordingId}.`
                : table(
                    ['CLASS', 'START', 'END', 'DURATION', 'CONFIDENCE', 'WINDOWS'],
                    result.suggestions.map((s) => [
                      names.get(s.classId) ?? String(s.classId),
                      formatDuration(s.startUs / 1e6),
                      formatDuration(s.endUs / 1e6),
                      formatDuration((s.endUs - s.startUs) / 1e6),
                      `${(s.confidence * 100).toFixed(1)}%`,
                      String(s.windows),
                    ]),
                  ),
              '',
              `${plural(result.windows, 'window')} classified; left out: ` +
                `${plural(result.belowConfidence, 'region')} under ${minConfidence * 100}% confidence, ` +
                `${plural(result.coveredByLabels, 'region')} under labels; ` +
                `${plural(result.cut, 'region')} cut around labels.`,
              accepted
                ? `Accepted ${plural(result.suggestions.length, 'suggestion')}: recording ` +
                  `${recordingId} now has ${plural(accepted.labels.length, 'label')} ` +
                  '(tinyloop labels list; undo in the Label view with Ctrl+Z).'
                : cmd.accept
                  ? 'Nothing to accept.'
                  : 'Add --accept to make them labels.',
            ].join('\n'),
          )
        },
        cmd.accept ? 'write' : 'read',
      ),
    )

  program
    .command('classes')
    .description('list the label classes (name, colour, key, labels)')
    .action(() =>
      ctx.withServices(async (_services, client) => {
        const list = await client.call('classes.list', {})
        const { locked } = await client.call('classes.settings', {})
        ctx.print(list, () =>
          [
            table(
              ['ID', 'NAME', 'COLOR', 'KEY', 'LABELS'],
              list.map((c) => [
                String(c.id),
                c.isDefault ? `${c.name} (default)` : c.name,
                c.color,
                c.hotkey ?? '–',
                String(c.labels),
              ]),
            ),
            ...(locked ? ['', 'Classes are locked: imports refuse classes not listed here.'] : []),
          ].join('\n'),
        )
      }, 'read'),
    )
}
