import { resolve } from 'node:path'
import type { Command } from 'commander'
import { defaultProjectPath, userDataDir } from '../paths.js'
import type { ProjectAccess } from '../project/project-service.js'
import { localClient, type LocalClient } from '../rpc/local-client.js'
import { createServices, type Services } from '../services.js'

export interface GlobalOptions {
  project?: string
  json?: boolean
}

/** What every command module gets: the global options and the shared service graph. */
export interface CliContext {
  globals(): GlobalOptions
  /** `--project`, else `TINYLOOP_PROJECT`, else the default project in the user data folder. */
  projectPath(): string
  /**
   * Builds the services for the chosen project, runs `work`, and closes them. Commands that only
   * look at the project say `read`: they open it read-only and never wait for the write lock.
   */
  withServices<T>(
    work: (services: Services, client: LocalClient) => Promise<T>,
    access?: ProjectAccess,
  ): Promise<T>
  /** JSON with --json, the human text otherwise. */
  print(value: unknown, human: () => string): void
}

export function cliContext(program: Command): CliContext {
  const globals = () => program.opts<GlobalOptions>()
  const projectPath = () => {
    const chosen = globals().project ?? process.env.TINYLOOP_PROJECT
    return chosen ? resolve(chosen) : defaultProjectPath(userDataDir())
  }
  return {
    globals,
    projectPath,
    async withServices(work, access = 'write') {
      const services = createServices({
        mode: 'cli',
        userDataDir: userDataDir(),
        projectPath: projectPath(),
        access,
      })
      try {
        return await work(services, localClient(services.dispatch))
      } finally {
        await services.close()
      }
    },
    print(value, human) {
      process.stdout.write(globals().json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`)
    },
  }
}

/** A failure the user can fix: printed as one line on stderr, exit code 1 (or the one given). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

/** A recording given by id, or by its name when that is unique. */
export async function recordingIdOf(client: LocalClient, given: string): Promise<number> {
  if (/^\d+$/.test(given)) return Number(given)
  const recordings = await client.call('recordings.list', {})
  const matches = recordings.filter((recording) => recording.name === given)
  if (matches.length === 1) return (matches[0] as (typeof matches)[number]).id
  throw new CliError(
    matches.length === 0
      ? `There is no recording named "${given}". List them with: tinyloop recordings`
      : `${matches.length} recordings are named "${given}". Give its id instead (tinyloop recordings).`,
  )
}

/** Fixed-width columns for human output. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}
