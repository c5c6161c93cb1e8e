import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InvalidArgumentError, type Command } from 'commander'
import { userDataDir } from '../../paths.js'
import { createServices } from '../../services.js'
import { CliError, type CliContext } from '../context.js'
import { startWebServer, type WebServer } from '../serve.js'

function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('Give a port number from 0 to 65535 (0 picks a free one).')
  }
  return port
}

function builtRendererDir(): string {
  // out/main/cli.js -> out/renderer
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer')
  if (!existsSync(join(dir, 'index.html'))) {
    throw new CliError('The web UI is not built yet. Run `npm run build` first.')
  }
  return dir
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('serve the TinyLoop UI to a browser; prints the URL with a fresh access token')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 5170)
    .action(async (cmd: { host: string; port: number }) => {
      const services = createServices({
        mode: 'web',
        userDataDir: userDataDir(),
        projectPath: ctx.projectPath(),
      })
      let server: WebServer
      try {
        server = await startWebServer({
          services,
          rendererDir: builtRendererDir(),
          host: cmd.host,
          port: cmd.port,
        })
      } catch (err) {
        await services.close()
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
        void server
          .close()
          .then(() => services.close())
          .finally(() => process.exit(0))
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
}
