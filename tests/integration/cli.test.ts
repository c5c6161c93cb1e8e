import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const exec = promisify(execFile)
let dir: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-cli-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** Runs the real `tinyloop` command (bin/tinyloop.js over the built CLI). */
async function tinyloop(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['bin/tinyloop.js', ...args], {
      env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data'), TINYLOOP_PROJECT: '', ...env },
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

describe('tinyloop CLI', () => {
  it('lists its commands', async () => {
    const { code, stdout } = await tinyloop(['--help'])
    expect(code).toBe(0)
    for (const command of ['serve', 'project', 'recordings']) expect(stdout).toContain(command)
    expect(stdout).toContain('--project <file>')
    expect(stdout).toContain('--json')
  })

  it('creates and describes the default project in the user data folder', async () => {
    const { code, stdout } = await tinyloop(['--json', 'project', 'info'])
    expect(code).toBe(0)
    const info = JSON.parse(stdout)
    expect(info).toMatchObject({
      path: join(dir, 'data', 'default.tinyloop'),
      schemaVersion: expect.any(Number),
      recordings: 0,
    })
  })

  it('takes the project from --project, else TINYLOOP_PROJECT', async () => {
    const fromEnv = await tinyloop(['--json', 'project', 'info'], {
      TINYLOOP_PROJECT: join(dir, 'env.tinyloop'),
    })
    expect(JSON.parse(fromEnv.stdout).path).toBe(join(dir, 'env.tinyloop'))
    const fromFlag = await tinyloop(
      ['--project', join(dir, 'flag.tinyloop'), '--json', 'project', 'info'],
      {
        TINYLOOP_PROJECT: join(dir, 'env.tinyloop'),
      },
    )
    expect(JSON.parse(fromFlag.stdout).path).toBe(join(dir, 'flag.tinyloop'))
  })

  it('lists recordings as JSON and as text', async () => {
    const project = join(dir, 'p.tinyloop')
    const json = await tinyloop(['--project', project, '--json', 'recordings'])
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual([])
    const text = await tinyloop(['--project', project, 'recordings'])
    expect(text.stdout).toContain('No recordings yet')
  })

  it('fails with one clear line and a non-zero exit on a file that is not a project', async () => {
    const notProject = join(dir, 'notes.tinyloop')
    writeFileSync(notProject, 'shopping list\n')
    const before = statSync(notProject).mtimeMs
    const { code, stdout, stderr } = await tinyloop(['--project', notProject, 'project', 'info'])
    expect(code).not.toBe(0)
    expect(stdout).toBe('')
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(/^tinyloop: .*notes\.tinyloop/)
    expect(readFileSync(notProject, 'utf8')).toBe('shopping list\n')
    expect(statSync(notProject).mtimeMs).toBe(before)
  })

  it('rejects unknown commands and bad options with a usage error', async () => {
    const unknown = await tinyloop(['frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('tinyloop:')
    const badPort = await tinyloop(['serve', '--port', 'seventy'])
    expect(badPort.code).toBe(2)
    expect(badPort.stderr).toContain('port number')
  })

  it('finishes quietly when the reader of its output goes away (| head)', async () => {
    const child = spawn(
      process.execPath,
      ['bin/tinyloop.js', '--project', join(dir, 'p.tinyloop'), '--json', 'project', 'info'],
      { env: { ...process.env, TINYLOOP_PROJECT: '' } },
    )
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(stderr).not.toContain('EPIPE')
    expect(code).toBe(0)
    expect(statSync(join(dir, 'p.tinyloop')).size).toBeGreaterThan(0)
  })
})
