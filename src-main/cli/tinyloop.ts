import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command, InvalidArgumentError } from 'commander'
import { formatDuration, formatRate, plural } from '../../src-preload/format.js'
import { defaultProjectPath, userDataDir } from '../paths.js'
import { createServices, type Services } from '../services.js'
import { localClient } from '../rpc/local-client.js'
import { startWebServer } from './serve.js'
import packageJson from '../../package.json' with { type: 'json' }

interface GlobalOptions {
  project?: string
  json?: boolean
}

/** Thrown for failures the user can fix: printed as one line, exit code 1. */
class CliError extends Error {}

function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('Give a port number from 0 to 65535 (0 picks a free one).')
  }
  return port
}

/** `--project`, else `TINYLOOP_PROJECT`, else the default project in the user data folder. */
function projectPathFrom(opts: GlobalOptions): string {
  const chosen = opts.project ?? process.env.TINYLOOP_PROJECT
  return chosen ? resolve(chosen) : defaultProjectPath(userDataDir())
}

function withServices<T>(opts: GlobalOptions, run: (services: Services) => Promise<T>): Promise<T> {
  const services = createServices({
    mode: 'web',
    userDataDir: userDataDir(),
    projectPath: projectPathFrom(opts),
  })
  return run(services).finally(() => services.close())
}

function print(opts: GlobalOptions, value: unknown, human: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`)
}

function builtRendererDir(): string {
  // out/main/cli.js -> out/renderer
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer')
  if (!existsSync(join(dir, 'index.html'))) {
    throw new CliError('The web UI is not built yet. Run `npm run build` first.')
  }
  return dir
}

export function buildProgram(): Command {
  const program = new Command()
    .name('tinyloop')
    .description(
      'TinyLoop: capture, label, train and deploy TinyML models on sensor data, offline.',
    )
    .version(packageJson.version)
    .option(
      '--project <file>',
      'project file (default: $TINYLOOP_PROJECT, else the default project)',
    )
    .option('--json', 'print JSON on stdout')
    .showHelpAfterError('(run tinyloop --help for usage)')
    // Set before the subcommands are added, which copy these settings.
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(`tinyloop: ${text.replace(/^error: /, '')}`),
    })

  const globals = () => program.opts<GlobalOptions>()

  program
    .command('serve')
    .description('serve the TinyLoop UI to a browser; prints the URL with a fresh access token')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 5170)
    .action(async (cmd: { host: string; port: number }) => {
      const services = createServices({
        mode: 'web',
        userDataDir: userDataDir(),
        projectPath: projectPathFrom(globals()),
      })
      let server
      try {
        server = await startWebServer({
          services,
          rendererDir: builtRendererDir(),
          host: cmd.host,
          port: cmd.port,
        })
      } catch (err) {
        services.close()
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new CliError(`Port ${cmd.port} is in use. Pick another with --port (0 = any).`)
        }
        throw err
      }
      process.stdout.write(`${server.url}\n`)
      if (cmd.host !== '127.0.0.1' && cmd.host !== 'localhost') {
        process.stderr.write(
          `Listening on ${cmd.host}: anyone on your network with the token can reach this project.\n`,
        )
      }
      process.stderr.write('Press Ctrl+C to stop.\n')
      const stop = () => {
        void server.close().then(() => {
          services.close()
          process.exit(0)
        })
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })

  const project = program.command('project').description('the project file')
  project
    .command('info')
    .description('show the project file: path, schema version, recordings')
    .action(() =>
      withServices(globals(), async (services) => {
        const info = await localClient(services.dispatch).call('project.current', {})
        print(globals(), info, () =>
          [
            `Project   ${info.name}`,
            `Path      ${info.path}`,
            `Schema    v${info.schemaVersion}`,
            `Contents  ${plural(info.recordings, 'recording')}`,
          ].join('\n'),
        )
      }),
    )

  program
    .command('recordings')
    .description('list the recordings in the project')
    .action(() =>
      withServices(globals(), async (services) => {
        const client = localClient(services.dispatch)
        const recordings = await client.call('recordings.list', {})
        print(globals(), recordings, () => {
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
      }),
    )

  return program
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
    return 0
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return 0
    if (code === 'commander.help') return 0
    if (typeof code === 'string' && code.startsWith('commander.')) return 2
    const message = err instanceof Error ? err.message : String(err)
    process.stderr.write(`tinyloop: ${message}\n`)
    return 1
  }
}
