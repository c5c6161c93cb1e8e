#!/usr/bin/env node
// `npm start` (and `npm run dev` for hot reload): launch the desktop app.
// 1. Make sure the Electron binary is there (the electron package fetches it on first use; that
//    needs internet once).
// 2. Make sure better-sqlite3 exists built for Electron's ABI, as a separate file in .native/
//    (node_modules keeps the Node build that the CLI and the tests use).
// 3. Run electron-vite (build + preview, or the dev server with --dev).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const root = dirname(dirname(new URL(import.meta.url).pathname))
const dev = process.argv.includes('--dev')

function fail(message) {
  process.stderr.write(`npm start: ${message}\n`)
  process.exit(1)
}

function electronBinary() {
  try {
    return require('electron') // the path of the binary; downloads it the first time
  } catch (err) {
    fail(
      `could not get the Electron binary (${err instanceof Error ? err.message : err}).\n` +
        'The first start downloads it, which needs an internet connection. Without a display or ' +
        'Electron, use the browser UI instead: npm run serve',
    )
  }
}

/** Builds better-sqlite3 for this Electron in a scratch copy, keeping node_modules untouched. */
function ensureElectronSqlite(electronVersion) {
  const target = join(root, '.native', `electron-${electronVersion}`, 'better_sqlite3.node')
  if (existsSync(target)) return
  process.stdout.write(`Building better-sqlite3 for Electron ${electronVersion} (once)…\n`)
  const scratch = mkdtempSync(join(tmpdir(), 'tinyloop-native-'))
  try {
    const pkgDir = join(scratch, 'better-sqlite3')
    cpSync(dirname(require.resolve('better-sqlite3/package.json')), pkgDir, {
      recursive: true,
      filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`),
    })
    const env = {
      ...process.env,
      npm_config_runtime: 'electron',
      npm_config_target: electronVersion,
    }
    // A prebuilt binary for this Electron if one is published, else a compile against its headers.
    const prebuilt = spawnSync(
      'npx',
      ['--no', 'prebuild-install', '--runtime', 'electron', '--target', electronVersion],
      { cwd: pkgDir, stdio: 'inherit', env },
    )
    if (prebuilt.status !== 0) {
      const compiled = spawnSync(
        'npx',
        [
          '--yes',
          'node-gyp',
          'rebuild',
          '--release',
          '--runtime=electron',
          `--target=${electronVersion}`,
          '--dist-url=https://electronjs.org/headers',
        ],
        { cwd: pkgDir, stdio: 'inherit', env },
      )
      if (compiled.status !== 0) {
        fail(
          'building better-sqlite3 for Electron failed (see above). It needs a C++ toolchain and internet once.',
        )
      }
    }
    mkdirSync(dirname(target), { recursive: true })
    cpSync(join(pkgDir, 'build', 'Release', 'better_sqlite3.node'), target)
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

const binary = electronBinary()
const version = require('electron/package.json').version
if (!existsSync(binary)) fail(`the Electron binary is missing at ${binary}.`)
ensureElectronSqlite(version)

const result = spawnSync('npx', ['electron-vite', dev ? 'dev' : 'preview'], {
  cwd: root,
  stdio: 'inherit',
})
process.exit(result.status ?? 1)
