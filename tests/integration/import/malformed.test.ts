import { describe, expect, test } from 'vitest'
import { importPaths } from '../../../src-main/data/import/import-paths.js'
import { rawRows } from '../store/helpers.js'
import { fixture, useTempProject } from './helpers.js'

const { project } = useTempProject()

/** Imports `paths` and expects every one to fail with `message`, leaving the project empty. */
async function expectRefused(paths: string[], message: RegExp, line: number | null = null) {
  const outcomes = await importPaths(project(), paths)
  expect(outcomes).toHaveLength(1)
  const [outcome] = outcomes
  expect(outcome?.ok).toBe(false)
  if (outcome?.ok !== false) return
  expect(outcome.error).toMatch(message)
  expect(outcome.line).toBe(line)
  expect(project().recordings.list()).toEqual([])
  for (const table of ['recordings', 'streams', 'chunks', 'envelopes']) {
    expect(rawRows(project().path, `SELECT * FROM ${table}`), table).toEqual([])
  }
}

describe('malformed files are refused whole, with a clear message', () => {
  test('truncated JSON', async () => {
    await expectRefused(
      [fixture('truncated.json')],
      /^truncated\.json, line 9: the JSON ends before the document is complete/,
      9,
    )
  })

  test('truncated CBOR', async () => {
    await expectRefused([fixture('truncated.cbor')], /^truncated\.cbor: is not a complete CBOR/)
  })

  test('a row with a missing field names its line', async () => {
    await expectRefused(
      [fixture('missing-field.csv')],
      /^missing-field\.csv, line 5: has 3 values where 4 columns were expected/,
      5,
    )
  })

  test('a value that is not a number names its line and column', async () => {
    await expectRefused(
      [fixture('not-a-number.csv')],
      /^not-a-number\.csv, line 3: "abc" in column y is not a number/,
      3,
    )
  })

  test('an info.labels path escaping its folder refuses the whole folder', async () => {
    await expectRefused(
      [fixture('escaping', 'inside')],
      /^info\.labels: entry 2 \("\.\.\/outside\.json"\) points outside its folder/,
    )
  })

  test('a missing path', async () => {
    await expectRefused([fixture('nothing-here.csv')], /^nothing-here\.csv: does not exist/)
  })

  test('one bad file does not stop the others', async () => {
    const outcomes = await importPaths(project(), [
      fixture('not-a-number.csv'),
      fixture('ei-accel.json'),
    ])
    expect(outcomes.map((o) => o.ok)).toEqual([false, true])
    expect(
      project()
        .recordings.list()
        .map((r) => r.name),
    ).toEqual(['ei-accel'])
  })
})
