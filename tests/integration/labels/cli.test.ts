import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { runCli } from '../../helpers/run-cli.js'
import { openProject } from '../../../src-main/store/open.js'
import { uniformRecording } from './helpers.js'

let dir: string
let projectPath: string
let recordingId: number

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-labels-cli-'))
  projectPath = join(dir, 'p.tinyloop')
  vi.stubEnv('TINYLOOP_USER_DATA', join(dir, 'data'))
  vi.stubEnv('TINYLOOP_PROJECT', '')
  const project = openProject(projectPath)
  recordingId = uniformRecording(project, { name: 'fan' }) // 100 Hz, 10 s
  project.close()
})
afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
  rmSync(dir, { recursive: true, force: true })
})

/** Runs `tinyloop` on this test's project, in this process. */
function tinyloop(...args: string[]) {
  return runCli(projectPath, ...args)
}

function labelFile(name: string, content: string): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

test('classes: the list as a table and as JSON', async () => {
  const text = await tinyloop('classes')
  expect(text.code).toBe(0)
  expect(text.stdout).toMatch(/^ID\s+NAME\s+COLOR\s+KEY\s+LABELS\n1\s+normal \(default\)\s+#999999/)
  const json = await tinyloop('--json', 'classes')
  expect(json.code).toBe(0)
  expect(JSON.parse(json.stdout)).toEqual([
    expect.objectContaining({ name: 'normal', hotkey: null, isDefault: true }),
    expect.objectContaining({ name: 'anomaly', hotkey: '1', labels: 0 }),
  ])
})

describe('labels import and export', () => {
  test('imports a CSV, journaled as made by the CLI, and exports it in each format', async () => {
    const csv = labelFile('in.csv', 'start_ms,end_ms,label\n1000,2000,anomaly\n3000,4000,fault\n')
    const imported = await tinyloop('labels', 'import', csv, '--recording', String(recordingId))
    expect(imported).toMatchObject({ code: 0, stderr: '' })
    expect(imported.stdout).toBe(
      `Imported 2 labels from in.csv into recording ${recordingId} ` +
        '(added 1 class: fault); it now has 2 labels.\n',
    )

    const stdout = await tinyloop('labels', 'export', '--recording', 'fan')
    expect(stdout).toMatchObject({ code: 0, stderr: '' })
    expect(stdout.stdout).toBe('start_ms,end_ms,label\n1000,2000,anomaly\n3000,4000,fault\n')

    const out = join(dir, 'out.json')
    const json = await tinyloop(
      '--json',
      'labels',
      'export',
      '--recording',
      String(recordingId),
      '--format',
      'json',
      '-o',
      out,
    )
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual({ path: out, format: 'json', labels: 2 })
    expect(JSON.parse(readFileSync(out, 'utf8')).labels).toHaveLength(2)
    const exists = await tinyloop('labels', 'export', '--recording', 'fan', '-o', out)
    expect(exists.code).toBe(1)
    expect(exists.stderr).toMatch(/^tinyloop: .*out\.json already exists/)

    const ei = await tinyloop('labels', 'export', '--recording', 'fan', '--format', 'ei')
    expect(JSON.parse(ei.stdout).files[0].label.labels).toEqual([
      { label: 'normal', startIndex: 0, endIndex: 99 },
      { label: 'anomaly', startIndex: 100, endIndex: 199 },
      { label: 'normal', startIndex: 200, endIndex: 299 },
      { label: 'fault', startIndex: 300, endIndex: 399 },
      { label: 'normal', startIndex: 400, endIndex: 999 },
    ])

    const list = await tinyloop('--json', 'labels', 'list', '--recording', 'fan')
    expect(JSON.parse(list.stdout)).toMatchObject({
      recordingId,
      labels: [
        { startUs: 1e6, endUs: 2e6 },
        { startUs: 3e6, endUs: 4e6 },
      ],
      canUndo: true,
    })
    const project = openProject(projectPath, { readonly: true })
    const actors = new Set(project.labels.journal(recordingId).map((entry) => entry.actor))
    project.close()
    expect([...actors]).toEqual([expect.stringMatching(/\(cli\)$/)])
  })

  test('an invalid file: every problem on stderr, exit 1, nothing imported', async () => {
    const csv = labelFile(
      'bad.csv',
      'start_ms,end_ms,label\n1000,2000,anomaly\n3000,2500,anomaly\n9000,11000,anomaly\n',
    )
    const result = await tinyloop('labels', 'import', csv, '--recording', String(recordingId))
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toEqual([
      'tinyloop: bad.csv: line 3: it ends (2500 ms) before it starts (3000 ms).',
      'tinyloop: bad.csv: line 4: 9000–11000 ms is outside the recording, which runs from 0 to 10000 ms.',
      'tinyloop: Nothing was imported: bad.csv has 2 problems.',
    ])
    const json = await tinyloop(
      '--json',
      'labels',
      'import',
      csv,
      '--recording',
      String(recordingId),
    )
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      format: 'csv',
      problems: [{ line: 3 }, { line: 4 }],
    })
    const list = await tinyloop('--json', 'labels', 'list', '--recording', String(recordingId))
    expect(JSON.parse(list.stdout).labels).toEqual([])
  })

  test('usage errors exit with 2; a missing recording with 1', async () => {
    const csv = labelFile('in.csv', 'start_ms,end_ms,label\n')
    expect((await tinyloop('labels', 'import', csv)).code).toBe(2)
    expect((await tinyloop('labels', 'export', '--recording', '1', '--format', 'xml')).code).toBe(2)
    const missing = await tinyloop('labels', 'export', '--recording', 'pump')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toBe(
      'tinyloop: There is no recording named "pump". List them with: tinyloop recordings\n',
    )
    const noId = await tinyloop('labels', 'list', '--recording', '99')
    expect(noId).toMatchObject({
      code: 1,
      stderr: 'tinyloop: There is no recording 99 in this project.\n',
    })
  })
})
