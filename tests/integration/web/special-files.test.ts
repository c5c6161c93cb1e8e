import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServe, type Served } from '../../helpers/serve-process.js'
import { wsClient, type WsClient } from '../../helpers/ws-client.js'

// Pipes and devices given where a file is expected, against the real `tinyloop serve`: each used
// to block the whole server (a FIFO as a project), never return (a FIFO imported), or read
// without end (a .json that links to /dev/zero). Every call here must answer within seconds.

let dir: string
let served: Served
let client: WsClient
const CSV = resolve('tests/fixtures/import/accel-timestamp.csv')

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-special-'))
  served = await startServe(join(dir, 'site.tinyloop'))
  client = await wsClient(served.port, served.token)
})

afterAll(async () => {
  client.close()
  await served.stop()
  rmSync(dir, { recursive: true, force: true })
})

function fifo(path: string): string {
  execFileSync('mkfifo', [path])
  return path
}

/** The call's response, or a failure if it takes more than `ms` (it used to take forever). */
async function answered(method: string, args: unknown, ms = 5000) {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${method} did not answer in ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([client.call(method, args), late])
  } finally {
    clearTimeout(timer)
  }
}

async function importOutcomes(paths: string[]) {
  const reply = await answered('data.import', { paths })
  expect(reply.ok, JSON.stringify(reply)).toBe(true)
  return reply.value as { ok: boolean; file: string; error?: string }[]
}

describe('special files are refused before they are opened', () => {
  it('a named pipe given as a project', async () => {
    const pipe = fifo(join(dir, 'pipe.tinyloop'))
    const reply = await answered('project.open', { path: pipe })
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'PROJECT_FILE', message: expect.stringMatching(/named pipe \(FIFO\)/) },
    })
    expect(await answered('project.current', {})).toMatchObject({ ok: true })
  })

  it('a named pipe imported, alone or in a folder', async () => {
    const folder = join(dir, 'with-pipe')
    mkdirSync(folder)
    const pipe = fifo(join(folder, 'live.csv'))
    copyFileSync(CSV, join(folder, 'good.csv'))

    const [alone] = await importOutcomes([pipe])
    expect(alone).toMatchObject({ ok: false, error: expect.stringMatching(/named pipe/) })

    const outcomes = await importOutcomes([folder])
    expect(outcomes.map((o) => [o.file.slice(folder.length + 1), o.ok])).toEqual([
      ['live.csv', false],
      ['good.csv', true],
    ])
    expect(outcomes[0]?.error).toMatch(
      /live\.csv: is a named pipe \(FIFO\), not a regular file; skipped/,
    )
  })

  it('a .json that links to /dev/zero', async () => {
    const link = join(dir, 'zero.json')
    symlinkSync('/dev/zero', link)
    const [outcome] = await importOutcomes([link])
    expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/character device/) })
  })

  it('label files that are pipes or devices', async () => {
    const recording = (await importOutcomes([CSV]))[0] as unknown as { recordingId: number }
    for (const path of [fifo(join(dir, 'labels.csv')), '/dev/zero']) {
      const reply = await answered('labels.import', { recordingId: recording.recordingId, path })
      expect(reply).toMatchObject({
        ok: false,
        error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/not a regular file/) },
      })
    }
  })

  it('a dataset config that is a pipe, on the command line', () => {
    const pipe = fifo(join(dir, 'config.json'))
    const run = spawnSync(
      process.execPath,
      ['bin/tinyloop.js', '--project', join(dir, 'cli.tinyloop'), 'windows', '--config', pipe],
      { encoding: 'utf8', timeout: 10_000, env: { ...process.env, TINYLOOP_USER_DATA: dir } },
    )
    expect(run.signal).toBeNull()
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/is a named pipe \(FIFO\), not a regular file/)
  })
})

describe('links in an imported folder', () => {
  it('are followed like their files, and a link to nothing is reported as skipped', async () => {
    const folder = join(dir, 'linked')
    mkdirSync(folder)
    symlinkSync(CSV, join(folder, 'a-linked.csv'))
    symlinkSync(join(dir, 'gone.csv'), join(folder, 'b-dangling.csv'))
    mkdirSync(join(dir, 'elsewhere'))
    copyFileSync(CSV, join(dir, 'elsewhere', 'c.csv'))
    symlinkSync(join(dir, 'elsewhere'), join(folder, 'sub'))
    symlinkSync(folder, join(folder, 'loop')) // a link back up is searched once
    const outcomes = await importOutcomes([folder])
    expect(outcomes.map((o) => [o.file.slice(folder.length + 1), o.ok])).toEqual([
      ['b-dangling.csv', false],
      ['a-linked.csv', true],
      [join('sub', 'c.csv'), true],
    ])
    expect(outcomes[0]?.error).toMatch(/b-dangling\.csv: is a link to nothing; skipped/)
  })
})
