import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

export interface Served {
  /** The tokened URL `tinyloop serve` printed on its first line. */
  url: string
  origin: string
  host: string
  port: number
  token: string
  /** The temporary user data folder (settings, default project). */
  dataDir: string
  projectPath: string
  pid: number
  /** Whether the server process is still running. */
  alive(): boolean
  /** Resident memory now and at its peak (VmRSS, VmHWM), in bytes. */
  memory(): { rss: number; peak: number }
  stderr(): string
  stop(): Promise<void>
}

/**
 * Starts the real CLI (`bin/tinyloop.js serve`) on a free port with a fresh project.
 * `unprivileged`: as a user who cannot override file permissions (root drops that power).
 */
export async function startServe(
  projectPath?: string,
  opts: { unprivileged?: boolean } = {},
): Promise<Served> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tinyloop-serve-'))
  const project = projectPath ?? join(dataDir, 'Pump station.tinyloop')
  const args = ['bin/tinyloop.js', '--project', project, 'serve', '--port', '0']
  const [command, ...prefix] = unprivilegedPrefix(opts.unprivileged ?? false)
  const child: ChildProcess = spawn(command ?? process.execPath, [...prefix, ...args], {
    env: { ...process.env, TINYLOOP_USER_DATA: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  let exited = false
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  child.once('exit', () => (exited = true))
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)))
  })
  const url = new URL(firstLine)
  const status = (field: string) => {
    const text = readFileSync(`/proc/${child.pid}/status`, 'utf8')
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024
  }
  return {
    url: firstLine,
    origin: url.origin,
    host: url.host,
    port: Number(url.port),
    token: url.searchParams.get('token') ?? '',
    dataDir,
    projectPath: project,
    pid: child.pid ?? -1,
    alive: () => !exited,
    memory: () => ({ rss: status('VmRSS'), peak: status('VmHWM') }),
    stderr: () => stderr,
    stop: async () => {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await gone
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * The command that runs Node as a user without the power to override file permissions: Node
 * itself for anyone but root, which `setpriv` starts without CAP_DAC_OVERRIDE.
 */
export function unprivilegedPrefix(unprivileged: boolean): string[] {
  if (!unprivileged || process.getuid?.() !== 0) return [process.execPath]
  return ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--', process.execPath]
}
