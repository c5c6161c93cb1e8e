import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectWithRecording } from '../helpers/project-files.js'
import { startServe, unprivilegedPrefix, type Served } from '../helpers/serve-process.js'
import { wsClient } from '../helpers/ws-client.js'

// Project files as the operating system sees them: paths that cannot be created, a lock held by
// another program, and files the user may read but not write. Run through the real CLI and web
// server, and, for permissions, as a user without the power to override them (root keeps it
// otherwise, so the CLI is started with CAP_DAC_OVERRIDE dropped).

let dir: string
const CSV = resolve('tests/fixtures/import/accel-timestamp.csv')

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-projects-'))
})

afterAll(() => {
  chmodAll(dir)
  rmSync(dir, { recursive: true, force: true })
})

function chmodAll(folder: string) {
  chmodSync(folder, 0o755)
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) chmodAll(join(folder, entry.name))
  }
}

/** `tinyloop ...args`, as the user running the tests, or without override powers if root. */
function tinyloop(args: string[], opts: { unprivileged?: boolean } = {}) {
  const [command, ...prefix] = unprivilegedPrefix(opts.unprivileged ?? false)
  const run = spawnSync(command ?? process.execPath, [...prefix, 'bin/tinyloop.js', ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'user-data') },
  })
  return { code: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr }
}

describe('a project path that cannot be created gives the reason', () => {
  it('on the command line', () => {
    const run = tinyloop(['--project', '/proc/nope.tinyloop', 'recordings'])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^tinyloop: TinyLoop cannot create \/proc\/nope\.tinyloop: \w.+\n$/)
    expect(run.stderr).not.toMatch(/unexpectedly/)
  })

  describe('from the app', () => {
    let served: Served
    beforeAll(async () => {
      served = await startServe(join(dir, 'first.tinyloop'))
    })
    afterAll(() => served.stop())

    it.each([
      ['under /sys', '/sys/nope.tinyloop', /cannot create \/sys\/nope\.tinyloop: .+/],
      ['whose parent is a file', 'afile/x.tinyloop', /afile is a file, not a folder/],
      ['that is a dangling link', 'dangling.tinyloop', /a link to a file that does not exist/],
      ['with a NUL byte', 'a\0b.tinyloop', /NUL/],
      ['under /proc/self/x/', '/proc/self/x/y.tinyloop', /cannot create .*: .+/],
    ])('a path %s', async (_name, path, message) => {
      writeFileSync(join(dir, 'afile'), 'not a folder')
      symlinkSync(join(dir, 'missing', 'target.tinyloop'), join(dir, 'dangling.tinyloop'))
      const client = await wsClient(served.port, served.token)
      const started = Date.now()
      const reply = await client.call('project.create', { path: resolve(dir, path) })
      expect(Date.now() - started).toBeLessThan(5000) // /proc/self/x/ used to spin forever
      expect(reply).toMatchObject({ ok: false, error: { code: 'PROJECT_FILE', message } })
      expect(await client.call('project.current')).toMatchObject({ ok: true })
      client.close()
      rmSync(join(dir, 'afile'))
      rmSync(join(dir, 'dangling.tinyloop'))
    })
  })
})

describe('a busy project', () => {
  it('is tried again on the next call once the other program lets go', async () => {
    const file = join(dir, 'busy.tinyloop')
    projectWithRecording(file)
    const holder = new Database(file)
    holder.pragma('locking_mode = EXCLUSIVE')
    holder.exec('BEGIN EXCLUSIVE')
    const served = await startServe(file)
    try {
      const client = await wsClient(served.port, served.token)
      expect(await client.call('recordings.list')).toMatchObject({
        ok: false,
        error: { code: 'PROJECT_FILE', message: expect.stringMatching(/is busy/) },
      })
      holder.exec('COMMIT')
      holder.close()
      expect(await client.call('recordings.list')).toMatchObject({
        ok: true,
        value: [{ name: 'bearing 2' }],
      })
      client.close()
    } finally {
      if (holder.open) holder.close()
      await served.stop()
    }
  })
})

describe('commands that only look at a project', () => {
  const readOnlyCommands = (file: string, config: string) =>
    [
      ['recordings'],
      ['project', 'info'],
      ['classes'],
      ['labels', 'list', '--recording', '1'],
      ['labels', 'export', '--recording', '1', '--format', 'csv'],
      ['windows', '--config', config],
    ].map((args) => ['--project', file, '--json', ...args])

  function datasetConfig(folder: string): string {
    const config = join(folder, 'dataset.json')
    writeFileSync(
      config,
      JSON.stringify({ windowMs: 1000, strideMs: 1000, features: { kind: 'stats' } }),
    )
    return config
  }

  it('never wait for the write lock another program holds', () => {
    const file = join(dir, 'locked.tinyloop')
    projectWithRecording(file)
    const writer = new Database(file)
    writer.exec("BEGIN IMMEDIATE; UPDATE meta SET value = 'x' WHERE key = 'never'")
    try {
      for (const args of readOnlyCommands(file, datasetConfig(dir))) {
        const run = tinyloop(args)
        expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0)
      }
    } finally {
      writer.exec('ROLLBACK')
      writer.close()
    }
  })

  it.each([
    ['a read-only file', false],
    ['a read-only file in a read-only folder', true],
  ])('work on %s, for a user who may not write it, and leave it as it was', (_name, folderToo) => {
    const folder = join(dir, folderToo ? 'ro-folder' : 'ro-file')
    mkdirSync(folder)
    const file = join(folder, 'shared.tinyloop')
    projectWithRecording(file)
    const config = datasetConfig(folder)
    chmodSync(file, 0o444)
    if (folderToo) chmodSync(folder, 0o555)
    const before = { files: readdirSync(folder), bytes: readFileSync(file) }
    try {
      for (const args of readOnlyCommands(file, config)) {
        const run = tinyloop(args, { unprivileged: true })
        expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0)
      }
      const info = JSON.parse(
        tinyloop(['--project', file, '--json', 'project', 'info'], { unprivileged: true }).stdout,
      )
      expect(info).toMatchObject({ readOnly: true, recordings: 1 })
      const recordings = JSON.parse(
        tinyloop(['--project', file, '--json', 'recordings'], { unprivileged: true }).stdout,
      )
      expect(recordings).toMatchObject([{ name: 'bearing 2', samples: 500 }])
      const write = tinyloop(['--project', file, 'import', CSV], { unprivileged: true })
      expect(write.code).toBe(1)
      expect(write.stderr).toMatch(/cannot write to shared\.tinyloop/)
      expect(readFileSync(file).equals(before.bytes)).toBe(true)
      // SQLite gives readers of a WAL-mode file an empty -wal and a -shm where it may.
      const added = readdirSync(folder)
        .filter((name) => !before.files.includes(name))
        .sort()
      expect(added).toEqual(folderToo ? [] : ['shared.tinyloop-shm', 'shared.tinyloop-wal'])
      if (!folderToo) expect(statSync(`${file}-wal`).size).toBe(0)
    } finally {
      chmodSync(folder, 0o755)
    }
  })

  it('leave no new files beside a file they refuse, even one they may not write', () => {
    const folder = join(dir, 'refused')
    mkdirSync(folder)
    const foreign = join(folder, 'contacts.tinyloop')
    const db = new Database(foreign)
    db.pragma('journal_mode = WAL')
    db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada')")
    db.close()
    const damaged = join(folder, 'damaged.tinyloop')
    projectWithRecording(damaged)
    // Its first page intact, the pages after it overwritten.
    const head = readFileSync(damaged).subarray(0, 4096)
    writeFileSync(damaged, Buffer.concat([head, Buffer.alloc(3 * 4096, 0x5a)]))
    for (const [file, message] of [
      [foreign, /not a TinyLoop project/],
      [damaged, /is damaged/],
    ] as const) {
      for (const mode of [0o644, 0o444]) {
        chmodSync(file, mode)
        const before = readdirSync(folder)
        const run = tinyloop(['--project', file, 'recordings'], { unprivileged: true })
        expect(run.code).toBe(1)
        expect(run.stderr).toMatch(message)
        expect(readdirSync(folder), `${file} ${mode.toString(8)}`).toEqual(before)
      }
    }
  })
})
