import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { test as base, expect, type Page } from '@playwright/test'

export interface Served {
  /** The tokened URL `tinyloop serve` printed on its first line. */
  url: string
  origin: string
  token: string
  /** The temporary user data folder (settings, default project). */
  dataDir: string
  projectPath: string
}

/** Starts the real CLI (`bin/tinyloop.js serve`) on a free port with a fresh project. */
export async function startServe(
  projectPath?: string,
): Promise<Served & { stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tinyloop-e2e-'))
  const project = projectPath ?? join(dataDir, 'Pump station.tinyloop')
  const child: ChildProcess = spawn(
    process.execPath,
    ['bin/tinyloop.js', '--project', project, 'serve', '--port', '0'],
    { env: { ...process.env, TINYLOOP_USER_DATA: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)))
  })
  const url = new URL(firstLine)
  return {
    url: firstLine,
    origin: url.origin,
    token: url.searchParams.get('token') ?? '',
    dataDir,
    projectPath: project,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Collects console errors and CSP violations; a clean page has none. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
  return problems
}

export const test = base.extend<{ served: Served }>({
  // eslint-disable-next-line no-empty-pattern
  served: async ({}, use) => {
    const server = await startServe()
    await use(server)
    await server.stop()
  },
})

export { expect }
