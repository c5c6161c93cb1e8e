import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** CLI tests run the built `tinyloop`; build once if a developer runs Vitest on a fresh tree. */
export default function setup(): void {
  if (!existsSync('out/main/cli.js')) {
    execFileSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' })
  }
}
