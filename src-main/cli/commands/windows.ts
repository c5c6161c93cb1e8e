import type { Command } from 'commander'
import { DatasetConfig } from '../../../src-preload/contract/index.js'
import { InputFileError, readInputFile } from '../../input-file.js'
import { CliError, table, type CliContext } from '../context.js'

export function registerWindows(program: Command, ctx: CliContext): void {
  program
    .command('windows')
    .description('cut recordings into labelled windows with features and splits (a dataset)')
    .requiredOption('--config <file>', 'dataset config, JSON (see docs/dataset.md)')
    .option('--out <file>', 'write one row per window: .csv, or .npz with a .json sidecar')
    .action((cmd: { config: string; out?: string }) =>
      ctx.withServices(async (_services, client) => {
        const config = await readConfig(cmd.config)
        // --out replaces the file it names: a dataset export is made again from the project.
        const preview =
          cmd.out === undefined
            ? await client.call('dataset.preview', { config })
            : (await client.call('dataset.export', { config, path: cmd.out, overwrite: true }))
                .preview
        ctx.print(preview, () => {
          const classNames = Object.keys(preview.byClass)
          return [
            `${preview.windows.length} windows, ${preview.featureNames.length} features, ` +
              `split by ${preview.splitMethod}` +
              (cmd.out !== undefined ? `; written to ${cmd.out}` : ''),
            '',
            table(
              ['CLASS', 'TRAIN', 'VAL', 'TEST'],
              classNames.map((name) => [
                name,
                String(preview.bySplit.train[name] ?? 0),
                String(preview.bySplit.val[name] ?? 0),
                String(preview.bySplit.test[name] ?? 0),
              ]),
            ),
            '',
            `Dropped: ${Object.entries(preview.dropped)
              .map(([reason, n]) => `${reason} ${n}`)
              .join(', ')}`,
            ...preview.warnings.map((warning) => `Warning: ${warning}`),
          ].join('\n')
        })
      }, 'read'),
    )
}

/** Dataset configs are a few hundred bytes; anything near this is not one. */
const MAX_CONFIG_BYTES = 1024 ** 2

async function readConfig(path: string): Promise<DatasetConfig> {
  let text: string
  try {
    text = (await readInputFile(path, MAX_CONFIG_BYTES)).toString('utf8')
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error
    throw new CliError(`The dataset config ${error.message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new CliError(`The dataset config ${path} is not valid JSON.`)
  }
  const parsed = DatasetConfig.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
    throw new CliError(`The dataset config ${path} is not valid${where}: ${issue?.message ?? ''}`)
  }
  return parsed.data
}
