#!/usr/bin/env node
// `npm test`: type-check, lint, build, unit + integration tests (Vitest), end-to-end tests
// (Playwright in Chromium against `tinyloop serve`). Every stage runs even if an earlier one
// fails, and the last line is the plain `N passed, N failed` summary CI reads.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const resultsDir = join('test-results', 'summary')
rmSync(resultsDir, { recursive: true, force: true })
mkdirSync(resultsDir, { recursive: true })

const only = process.argv.slice(2)
const wants = (stage) => only.length === 0 || only.includes(stage)

// The tests drive a real browser and real pseudo-terminals: without them a run fails in dozens
// of places, so say at once what is missing and how to get it.
const missing = []
const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0
if (wants('e2e') && !existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) {
  missing.push('Chromium')
}
if (wants('unit+integration')) {
  if (!onPath('socat')) missing.push('socat')
  // The firmware's tests build it (npm run build:native) for the host and the Cortex-M4 under QEMU.
  const firmware = [
    ['cmake', onPath('cmake')],
    ['g++', onPath('g++')],
    ['the flatbuffers headers', existsSync('/usr/include/flatbuffers/flatbuffers.h')],
    ['nlohmann-json', existsSync('/usr/include/nlohmann/json.hpp')],
    ['the Arm cross-compiler', onPath('arm-none-eabi-g++')],
    ['QEMU', onPath('qemu-system-arm')],
  ]
  for (const [name, present] of firmware) if (!present) missing.push(name)
}
if (missing.length) {
  process.stdout.write(
    `npm test needs ${missing.join(', ')}. Debian/Ubuntu: sudo apt-get install -y chromium socat ` +
      'cmake g++ make libflatbuffers-dev nlohmann-json3-dev gcc-arm-none-eabi libnewlib-arm-none-eabi ' +
      'libstdc++-arm-none-eabi-newlib qemu-system-arm' +
      ' | macOS: brew install socat && brew install --cask chromium, then CHROMIUM_PATH=' +
      '"/Applications/Chromium.app/Contents/MacOS/Chromium" (the firmware tests need Linux)' +
      ' | Windows: use WSL with Debian or Ubuntu.\n',
  )
  process.exit(1)
}

let passed = 0
let failed = 0
const stages = []

function run(name, command, args, env = {}) {
  if (only.length && !only.includes(name)) return null
  process.stdout.write(`\n== ${name}: ${command} ${args.join(' ')}\n`)
  const started = Date.now()
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } })
  const ok = result.status === 0
  stages.push({ name, ok, seconds: (Date.now() - started) / 1000 })
  return ok
}

function check(name, command, args) {
  const ok = run(name, command, args)
  if (ok === null) return
  if (ok) passed++
  else failed++
}

function tests(name, command, args, reportFile, count) {
  const ok = run(name, command, args)
  if (ok === null) return
  let counted = false
  try {
    const [p, f] = count(JSON.parse(readFileSync(reportFile, 'utf8')))
    passed += p
    failed += f
    counted = true
    if (!ok && f === 0) failed++ // the runner failed outside any test (setup, crash)
  } catch {
    // no report: the runner itself failed
  }
  if (!counted) failed += ok ? 0 : 1
}

check('typecheck', 'npm', ['run', '--silent', 'typecheck'])
check('lint', 'npm', ['run', '--silent', 'lint'])
check('build', 'npx', ['electron-vite', 'build', '--logLevel', 'warn'])

const vitestReport = join(resultsDir, 'vitest.json')
tests(
  'unit+integration',
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`],
  vitestReport,
  (r) => [r.numPassedTests, r.numFailedTests],
)

const playwrightReport = join(resultsDir, 'playwright.json')
process.env.PLAYWRIGHT_JSON_OUTPUT_NAME = playwrightReport
tests('e2e', 'npx', ['playwright', 'test', '--reporter=list,json'], playwrightReport, (r) => [
  r.stats.expected + r.stats.flaky,
  r.stats.unexpected,
])

process.stdout.write('\n')
for (const s of stages) {
  process.stdout.write(
    `${s.ok ? 'ok  ' : 'FAIL'}  ${s.name.padEnd(18)} ${s.seconds.toFixed(1)} s\n`,
  )
}
process.stdout.write(`${passed} passed, ${failed} failed\n`)
process.exit(failed === 0 && stages.every((s) => s.ok) ? 0 : 1)
