import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, expect } from 'vitest'
import type { ImportedFile, ImportOutcome } from '../../../src-main/data/import/import-paths.js'
import { openProject } from '../../../src-main/store/open.js'
import type { Project } from '../../../src-main/store/project.js'

export const FIXTURES = resolve('tests/fixtures/import')

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts)
}

/** A fresh project in a temporary folder per test; both removed after it. */
export function useTempProject(): { project: () => Project; dir: () => string } {
  let dir: string | undefined
  let project: Project | undefined
  afterEach(() => {
    project?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
    project = undefined
    dir = undefined
  })
  const tempDir = () => (dir ??= mkdtempSync(join(tmpdir(), 'tinyloop-import-')))
  return {
    dir: tempDir,
    project: () => (project ??= openProject(join(tempDir(), 'test.tinyloop'))),
  }
}

/** The one imported file of `outcomes`, failing the test with its error otherwise. */
export function onlyImported(outcomes: ImportOutcome[]): ImportedFile {
  expect(outcomes).toHaveLength(1)
  const [outcome] = outcomes
  if (!outcome?.ok) throw new Error(`Import failed: ${outcome?.error}`)
  return outcome
}

/** All samples of a recording's only stream. */
export function samplesOf(
  project: Project,
  recordingId: number,
): { t: number[]; rows: number[][] } {
  const [stream] = project.streams.list(recordingId)
  if (!stream) throw new Error(`Recording ${recordingId} has no stream`)
  const { t, data } = project.samples.read(stream.id, -1e18, 1e18)
  const channels = stream.channels.length
  const rows = Array.from({ length: t.length }, (_, i) =>
    Array.from(data.subarray(i * channels, (i + 1) * channels)),
  )
  return { t: Array.from(t), rows }
}

/** Rows as stored: samples are float32. */
export function asFloat32(rows: number[][]): number[][] {
  return rows.map((row) => row.map(Math.fround))
}
