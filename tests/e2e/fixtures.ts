import { test as base, expect, type Page } from '@playwright/test'
import { startServe, type Served } from '../helpers/serve-process.js'

export { startServe, type Served }

/** Collects console errors and CSP violations; a clean page has none. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
  return problems
}

export const test = base.extend<{ served: Served }>({
  // eslint-disable-next-line no-empty-pattern
  served: async ({}, use) => {
    const server = await startServe()
    await use(server)
    await server.stop()
  },
})

export { expect }
