import { execFileSync } from 'node:child_process'
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { InputFileError, readInputFile, streamInputFile } from '../../src-main/input-file.js'
import { useTempDir } from './store/helpers.js'

const tempDir = useTempDir()

async function problemOf(work: Promise<unknown>): Promise<string> {
  try {
    await work
  } catch (error) {
    if (error instanceof InputFileError) return `${error.problem}: ${error.reason}`
    throw error
  }
  throw new Error('expected an InputFileError')
}

describe('reading files given by a user', () => {
  it('counts bytes as they are read, not trusting the size the file had when opened', async () => {
    const file = join(tempDir(), 'growing.csv')
    writeFileSync(file, 'x\n'.repeat(50))
    const { stream } = await streamInputFile(file, 1000)
    appendFileSync(file, 'y\n'.repeat(5000)) // it grows after stat said 100 bytes
    const read = (async () => {
      for await (const _chunk of stream) void _chunk
    })()
    expect(await problemOf(read)).toMatch(/^TOO_LARGE: is larger than 1.0 kB/)
  })

  it('refuses a file over the limit whole, and reads one within it', async () => {
    const file = join(tempDir(), 'labels.json')
    writeFileSync(file, 'z'.repeat(2048))
    expect(await problemOf(readInputFile(file, 2047))).toMatch(/^TOO_LARGE/)
    expect((await readInputFile(file, 2048)).length).toBe(2048)
  })

  it('refuses folders, pipes and devices without opening them for long', async () => {
    const folder = join(tempDir(), 'folder.csv')
    mkdirSync(folder)
    const pipe = join(tempDir(), 'pipe.csv')
    execFileSync('mkfifo', [pipe])
    expect(await problemOf(readInputFile(folder, 10))).toBe(
      'NOT_A_FILE: is a folder, not a regular file. TinyLoop reads regular files only.',
    )
    expect(await problemOf(readInputFile(pipe, 10))).toMatch(/^NOT_A_FILE: is a named pipe/)
    expect(await problemOf(readInputFile('/dev/zero', 10))).toMatch(/character device/)
    expect(await problemOf(readInputFile(join(tempDir(), 'nope'), 10))).toBe(
      'NOT_FOUND: does not exist.',
    )
  })
})
