import { Command } from 'commander'
import packageJson from '../../package.json' with { type: 'json' }
import { registerCapture } from './commands/capture.js'
import { registerData } from './commands/data.js'
import { registerDeploy } from './commands/deploy.js'
import { registerDevice } from './commands/device.js'
import { registerDrift } from './commands/drift.js'
import { registerLabels } from './commands/labels.js'
import { registerLoop } from './commands/loop.js'
import { registerProject } from './commands/project.js'
import { registerServe } from './commands/serve.js'
import { registerTraining } from './commands/training.js'
import { registerWindows } from './commands/windows.js'
import { CliError, cliContext } from './context.js'

/** The `tinyloop` command: global options here, each command group in `commands/`. */
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

  const ctx = cliContext(program)
  registerServe(program, ctx)
  registerProject(program, ctx)
  registerCapture(program, ctx)
  registerData(program, ctx)
  registerLabels(program, ctx)
  registerWindows(program, ctx)
  registerTraining(program, ctx)
  registerDeploy(program, ctx)
  registerDevice(program, ctx)
  registerLoop(program, ctx)
  registerDrift(program, ctx)
  return program
}

/** Runs the CLI; resolves to the exit code (0 ok, 1 failure, 2 usage error). */
export async function main(argv: string[]): Promise<number> {
  // A reader that stops early (`tinyloop predict 1 --input w.csv | head`) closes the pipe: what
  // is left to print has nowhere to go, which is not a failure, and the command finishes its
  // work (a recording is still saved whole).
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.stderr.write(`tinyloop: cannot print: ${err.message}\n`)
  })
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
    return 0
  } catch (err) {
    const code = (err as { code?: string }).code
    if (
      code === 'commander.helpDisplayed' ||
      code === 'commander.version' ||
      code === 'commander.help'
    ) {
      return 0
    }
    if (typeof code === 'string' && code.startsWith('commander.')) return 2
    const message = err instanceof Error ? err.message : String(err)
    process.stderr.write(`tinyloop: ${message}\n`)
    return err instanceof CliError ? err.exitCode : 1
  }
}
