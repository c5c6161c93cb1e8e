import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DriftMode } from '../../src-preload/contract/capture.js'
import { ServiceError } from '../rpc/errors.js'

/**
 * The firmware running on this computer, reached over a pseudo-terminal as a board is over USB:
 * the host port (`tinyloop-fw-host`, a Linux program) or the Cortex-M4 build under QEMU
 * (`qemu-system-arm -machine mps2-an386`). Both are built by `npm run build:native` into
 * `native/build/` (docs/firmware.md).
 */
export type VirtualBoardKind = 'host' | 'qemu-m4'

export interface VirtualBoardOptions {
  /** Where the board keeps its model slots between runs (made if missing). */
  stateDir: string
  /** The demo machine's seed. */
  seed?: number
  /** How the demo machine drifts (machine-simulator.ts); none by default. */
  drift?: DriftMode
  /** A symlink to the board's pseudo-terminal, made when it starts and removed when it stops. */
  link?: string
}

export interface VirtualBoard {
  kind: VirtualBoardKind
  /** The pseudo-terminal to open as a serial port (the link, if one was asked for). */
  path: string
  pid: number
  /** Whether the process still runs. */
  alive(): boolean
  /** How it ended: its exit code, or null while it runs or if a signal ended it. */
  exitCode(): number | null
  /** Ends it (SIGTERM, then SIGKILL after 2 s) and removes the link. */
  stop(): Promise<void>
  /** Ends it at once, as a pulled cable or a crash would (SIGKILL). */
  kill(): Promise<void>
  stderr(): string
}

const here = dirname(fileURLToPath(import.meta.url))

/** The folder `npm run build:native` builds into. */
export function nativeBuildDir(): string {
  const candidates = [resolve(here, '../../native/build'), resolve(here, '../../../native/build')]
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!
}

/** The built firmware of each kind, or null where it has not been built. */
export function firmwareBinary(kind: VirtualBoardKind, buildDir = nativeBuildDir()): string | null {
  const path =
    kind === 'host'
      ? join(buildDir, 'firmware/ports/host/tinyloop-fw-host')
      : join(buildDir, 'm4/firmware/ports/qemu-mps2/tinyloop-fw-m4.elf')
  return existsSync(path) ? path : null
}

const QEMU = 'qemu-system-arm'

/** The QEMU command line of the Cortex-M4 board (exported for docs and tests). */
export function qemuArgs(
  elf: string,
  stateFile: string,
  seed: number,
  drift: DriftMode = 'none',
): string[] {
  return [
    '-machine',
    'mps2-an386',
    '-nographic',
    '-monitor',
    'none',
    '-serial',
    'pty',
    // One virtual nanosecond per instruction: INFERENCE frames carry exact instruction counts.
    // While the firmware sleeps (WFI), virtual time follows real time.
    '-icount',
    'shift=0',
    '-semihosting-config',
    'enable=on,target=native',
    '-kernel',
    elf,
    '-append',
    `state=${stateFile} seed=${seed} drift=${drift}`,
    // Faults and guest errors, for debugging the port: TINYLOOP_QEMU_LOG=/tmp/qemu.log.
    ...(process.env.TINYLOOP_QEMU_LOG
      ? ['-d', 'guest_errors,unimp,int', '-D', process.env.TINYLOOP_QEMU_LOG]
      : []),
  ]
}

export async function startVirtualBoard(
  kind: VirtualBoardKind,
  opts: VirtualBoardOptions,
): Promise<VirtualBoard> {
  const binary = firmwareBinary(kind)
  if (!binary) {
    throw new ServiceError(
      'NOT_FOUND',
      `The ${kind === 'host' ? 'host' : 'Cortex-M4'} firmware is not built. Run npm run build:native first.`,
    )
  }
  if (opts.link && existsSync(opts.link)) {
    throw new ServiceError('ALREADY_EXISTS', `${opts.link} already exists; choose another link.`)
  }
  mkdirSync(opts.stateDir, { recursive: true })
  const seed = opts.seed ?? 1
  const drift = opts.drift ?? 'none'
  const child =
    kind === 'host'
      ? spawn(
          binary,
          [
            '--state',
            opts.stateDir,
            '--seed',
            String(seed),
            '--drift',
            drift,
            ...(opts.link ? ['--link', opts.link] : []),
          ],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        )
      : spawn(QEMU, qemuArgs(binary, join(opts.stateDir, 'slots.bin'), seed, drift), {
          stdio: ['ignore', 'pipe', 'pipe'],
        })
  let output = ''
  const pty = await new Promise<string>((resolvePty, reject) => {
    const timer = setTimeout(
      () => fail('did not say which pseudo-terminal it opened in 10 s'),
      10_000,
    )
    function fail(why: string) {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(
        new ServiceError(
          'DEVICE',
          `The ${kind} firmware ${why}${output.trim() ? `: ${output.trim().slice(-400)}` : ''}.`,
        ),
      )
    }
    const onData = (data: Buffer) => {
      output += data.toString()
      const match = /(\/dev\/pts\/\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolvePty(match[1]!)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('error', (err) =>
      fail(
        kind === 'qemu-m4' && (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'needs QEMU (apt-get install qemu-system-arm)'
          : `could not start (${err.message})`,
      ),
    )
    child.once('exit', (code) => fail(`exited with code ${code} before it was ready`))
  })
  child.removeAllListeners('exit')
  // The host port makes (and removes) its link itself; QEMU's pty gets one from here.
  const ownLink = kind === 'qemu-m4' ? opts.link : undefined
  if (ownLink) symlinkSync(pty, ownLink)
  return board(kind, child, opts.link ?? pty, ownLink, () => output)
}

function board(
  kind: VirtualBoardKind,
  child: ChildProcess,
  path: string,
  link: string | undefined,
  output: () => string,
): VirtualBoard {
  let exited = child.exitCode !== null
  const gone = new Promise<void>((done) =>
    child.once('exit', () => {
      exited = true
      if (link) rmSync(link, { force: true })
      done()
    }),
  )
  const end = async (signal: NodeJS.Signals) => {
    if (exited) return
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000)
    await gone
    clearTimeout(timer)
  }
  return {
    kind,
    path,
    pid: child.pid ?? -1,
    alive: () => !exited,
    exitCode: () => child.exitCode,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    stderr: output,
  }
}
