import type { Command } from 'commander'
import { formatDuration, formatRate, plural } from '../../../src-preload/format.js'
import { table, type CliContext } from '../context.js'

export function registerProject(program: Command, ctx: CliContext): void {
  const project = program.command('project').description('the project file')
  project
    .command('info')
    .description('show the project file: path, schema version, recordings')
    .action(() =>
      ctx.withServices(async (_services, client) => {
        const info = await client.call('project.current', {})
        ctx.print(info, () =>
          [
            `Project   ${info.name}`,
            `Path      ${info.path}`,
            `Schema    v${info.schemaVersion}`,
            `Contents  ${plural(info.recordings, 'recording')}`,
          ].join('\n'),
        )
      }, 'read'),
    )

  program
    .command('recordings')
    .description('list the recordings in the project')
    .action(() =>
      ctx.withServices(async (_services, client) => {
        const recordings = await client.call('recordings.list', {})
        ctx.print(recordings, () => {
          if (recordings.length === 0) {
            return 'No recordings yet. Start the app (npm start, or tinyloop serve) to record one.'
          }
          const rows = recordings.map((r) => [
            String(r.id),
            r.name,
            r.status,
            formatDuration(r.durationS),
            r.samples.toLocaleString('en-US'),
            formatRate(r.rateHz),
          ])
          return table(['ID', 'NAME', 'STATUS', 'DURATION', 'SAMPLES', 'RATE'], rows)
        })
      }, 'read'),
    )
}
