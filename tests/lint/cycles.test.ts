import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

// Import cycles are refused by ESLint (import-x/no-cycle in eslint.config.js). A cycle needs real
// files to resolve, so these cases lint the fixtures in tests/lint/fixtures/cycle/, which the
// normal lint run ignores, with the project's real configuration.
const eslint = new ESLint({ cwd: process.cwd(), ignore: false })

async function cycleErrors(fixture: string): Promise<string[]> {
  const [result] = await eslint.lintFiles([`tests/lint/fixtures/cycle/${fixture}`])
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'import-x/no-cycle')
    .map((m) => m.message)
}

describe('import cycles', () => {
  it('refuses two modules that import each other, with or without a .js extension', async () => {
    expect(await cycleErrors('a.ts')).toEqual(['Dependency cycle detected'])
    expect(await cycleErrors('b.ts')).toEqual(['Dependency cycle detected'])
  })

  it('follows runes modules imported without their .ts, as the renderer imports them', async () => {
    expect(await cycleErrors('app.svelte.ts')).toEqual(['Dependency cycle detected'])
    expect(await cycleErrors('labels.svelte.ts')).toEqual(['Dependency cycle detected'])
  })

  it('allows a type-only import back, since it is erased', async () => {
    expect(await cycleErrors('type-only/state.ts')).toEqual([])
    expect(await cycleErrors('type-only/label.ts')).toEqual([])
  })

  it('applies to the renderer, its components, the preload and the core', async () => {
    for (const file of [
      'src-renderer/lib/state/x.svelte.ts',
      'src-renderer/components/X.svelte',
      'src-preload/x.ts',
      'src-main/store/x.ts',
      'src-main/electron/x.ts',
    ]) {
      const config = (await eslint.calculateConfigForFile(file)) as {
        rules: Record<string, unknown[]>
      }
      expect(config.rules['import-x/no-cycle']?.[0], file).toBe(2)
    }
  })
})
