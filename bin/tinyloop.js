#!/usr/bin/env node
// The `tinyloop` command. The CLI is bundled with the app by `npm run build` (run by npm install).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cli = new URL('../out/main/cli.js', import.meta.url)
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write(
    'tinyloop: the CLI is not built yet. Run `npm run build` in the TinyLoop folder.\n',
  )
  process.exit(1)
}
const { main } = await import(cli.href)
process.exitCode = await main(process.argv)
