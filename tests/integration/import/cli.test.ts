import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Command } from 'commander'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { registerData } from '../../../src-main/cli/commands/data.js'
import { cliContext } from '../../../src-main/cli/context.js'
import { fixture, useTempProject } from './helpers.js'

const { dir } = useTempProject()
let stdout: string[]

beforeEach(() => {
  stdout = []
  vi.stubEnv('TINYLOOP_USER_DATA', join(dir(), 'data'))
  vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
    stdout.push(String(text))
    return true
  })
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
})
afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

/** Runs `tinyloop --project <temp> ...args` in-process with the data commands. */
async function tinyloop(...args: string[]): Promise<void> {
  const program = new Command().option('--project <file>').option('--json').exitOverride()
  registerData(program, cliContext(program))
  await program.parseAsync(['--project', join(dir(), 'cli.tinyloop'), ...args], { from: 'user' })
}

describe('tinyloop import and export-data', () => {
  test('import --json prints every outcome and fails when one file failed', async () => {
    await expect(
      tinyloop('--json', 'import', fixture('ei-accel.json'), fixture('not-a-number.csv')),
    ).rejects.toThrow('1 of 2 files could not be imported')
    const outcomes = JSON.parse(stdout.join(''))
    expect(outcomes).toMatchObject([
      { ok: true, file: fixture('ei-accel.json'), recordingId: 1, samples: 4, rateHz: 100 },
      { ok: false, file: fixture('not-a-number.csv'), line: 3 },
    ])
  })

  test('import --rate for a CSV without times, then export-data refuses to overwrite', async () => {
    await tinyloop('import', '--rate', '2', fixture('no-header.csv'))
    expect(stdout.join('')).toMatch(/Imported no-header\.csv as recording 1: 4 samples, 3 channels/)
    const out = join(dir(), 'out.csv')
    await tinyloop('export-data', '1', '--format', 'csv', '-o', out)
    expect(readFileSync(out, 'utf8').split('\n')[1]).toBe('0,1,2,3')
    await expect(tinyloop('export-data', '1', '--format', 'ei', '-o', out)).rejects.toThrow(
      /already exists/,
    )
    await tinyloop('export-data', 'no-header', '--format', 'ei', '-o', out, '--force')
    expect(JSON.parse(readFileSync(out, 'utf8')).payload.interval_ms).toBe(500)
  })

  test('a rate that is not a positive number is a usage error', async () => {
    await expect(tinyloop('import', '--rate', 'fast', fixture('no-header.csv'))).rejects.toThrow(
      /positive number/,
    )
  })
})
