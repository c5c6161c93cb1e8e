import { vi } from 'vitest'
import { main } from '../../src-main/cli/tinyloop.js'

/** Runs `tinyloop --project <projectPath> ...args` in this process: exit code, stdout, stderr. */
export async function runCli(projectPath: string, ...args: string[]) {
  let stdout = ''
  let stderr = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk)
    return true
  })
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk)
    return true
  })
  try {
    const code = await main(['node', 'tinyloop', '--project', projectPath, ...args])
    return { code, stdout, stderr }
  } finally {
    vi.restoreAllMocks()
  }
}
