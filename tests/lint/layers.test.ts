import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

// The layer rules are enforced by ESLint (eslint.config.js); these cases prove each rule fires on a
// violation, and stays quiet for the allowed form, using the project's real configuration.
const eslint = new ESLint({ cwd: process.cwd() })

async function restrictedImportErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? [])
    .filter(
      (m) =>
        m.ruleId === '@typescript-eslint/no-restricted-imports' ||
        m.ruleId === 'no-restricted-globals',
    )
    .map((m) => m.message)
}

describe('layer rules', () => {
  it('refuses Electron in the core outside src-main/electron', async () => {
    const errors = await restrictedImportErrors(
      'src-main/store/leak.ts',
      "import { app } from 'electron'\nexport const p = app.getPath('userData')\n",
    )
    expect(errors.join()).toMatch(/Only src-main\/electron/)
  })

  it('allows Electron in the Electron shell', async () => {
    const errors = await restrictedImportErrors(
      'src-main/electron/extra.ts',
      "import { app } from 'electron'\nexport const p = app.getPath('userData')\n",
    )
    expect(errors).toEqual([])
  })

  it('refuses Node built-ins, Electron, native packages and main code in the renderer', async () => {
    for (const source of [
      'node:fs',
      'fs',
      'electron',
      'better-sqlite3',
      'serialport',
      '../../src-main/services',
    ]) {
      const errors = await restrictedImportErrors(
        'src-renderer/lib/leak.ts',
        `import * as m from '${source}'\nexport const x = m\n`,
      )
      expect(errors.length, source).toBeGreaterThan(0)
    }
  })

  it('refuses Node globals in the renderer', async () => {
    const errors = await restrictedImportErrors(
      'src-renderer/lib/leak.ts',
      'export const home = process.env.HOME\n',
    )
    expect(errors.join()).toMatch(/process/)
  })

  it('lets the renderer take only types from the contract', async () => {
    const valueImport = await restrictedImportErrors(
      'src-renderer/lib/x.ts',
      "import { methods } from '../../src-preload/contract/index'\nexport const m = methods\n",
    )
    expect(valueImport.join()).toMatch(/only types/)
    const typeImport = await restrictedImportErrors(
      'src-renderer/lib/x.ts',
      "import type { ProjectInfo } from '../../src-preload/contract/index'\nexport type P = ProjectInfo\n",
    )
    expect(typeImport).toEqual([])
  })

  it('refuses Node modules in the sandboxed preload', async () => {
    const errors = await restrictedImportErrors(
      'src-preload/leak.ts',
      "import { readFileSync } from 'node:fs'\nexport const r = readFileSync\n",
    )
    expect(errors.join()).toMatch(/sandboxed preload/)
  })

  it('refuses Svelte components that import Node', async () => {
    const errors = await restrictedImportErrors(
      'src-renderer/components/Leak.svelte',
      '<script lang="ts">\n  import { readFileSync } from \'node:fs\'\n  const r = readFileSync\n</script>\n<p>{String(r)}</p>\n',
    )
    expect(errors.length).toBeGreaterThan(0)
  })

  it('lets the preload take only types from the contract, so no schemas are bundled', async () => {
    const value = await restrictedImportErrors(
      'src-preload/index.ts',
      "import { methodNames } from './contract/index.js'\nexport const m = methodNames\n",
    )
    expect(value.join()).toMatch(/only types from the contract/)
    const zod = await restrictedImportErrors(
      'src-preload/index.ts',
      "import { z } from 'zod'\nexport const s = z.string()\n",
    )
    expect(zod.join()).toMatch(/only types from the contract/)
    const types = await restrictedImportErrors(
      'src-preload/index.ts',
      "import type { RpcResponse } from './contract/index.js'\nexport type R = RpcResponse\n",
    )
    expect(types).toEqual([])
  })
})
