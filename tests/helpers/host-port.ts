import { spawn, spawnSync } from 'node:child_process'
import { closeSync, existsSync, openSync, writeSync } from 'node:fs'
import { DeviceClient, openSerialLink } from '../../src-main/device/device-client.js'
import { cobsDecode } from '../../src-main/device/protocol/cobs.js'
import { FRAME_TYPES, type FrameTypeName } from '../../src-main/device/protocol/frames.js'

// The firmware's host port as the flashing tests and the benchmark run it (its own process on a
// real pseudo-terminal, at a chosen line rate), spoken to with the app's own DeviceClient. No
// test framework here: bench/flash.ts uses it too (the checks are in firmware.ts).

export const HOST_PORT_BINARY = 'native/build/firmware/ports/host/tinyloop-fw-host'

/** `npm run build:native` (incremental: a second run only checks it is up to date). */
export function buildFirmware(): void {
  const build = spawnSync('npm', ['run', 'build:native'], { encoding: 'utf8' })
  if (build.status !== 0)
    throw new Error(`npm run build:native failed:\n${build.stdout}${build.stderr}`)
  if (!existsSync(HOST_PORT_BINARY)) throw new Error(`${HOST_PORT_BINARY} was not built.`)
}

export interface HostPortProcess {
  /** The link to its pseudo-terminal. */
  link: string
  pid: number
  alive(): boolean
  /** SIGTERM: it ends cleanly and removes its link. */
  stop(): Promise<void>
  /** kill -9: no chance to clean up, as a pulled plug (the link stays behind). */
  kill(): Promise<void>
}

/** Starts `tinyloop-fw-host --state --link --baud`, resolving once its pty is open. */
export async function startHostPort(opts: {
  state: string
  link: string
  baud?: number
  seed?: number
}): Promise<HostPortProcess> {
  const child = spawn(
    HOST_PORT_BINARY,
    [
      '--state',
      opts.state,
      '--link',
      opts.link,
      '--seed',
      String(opts.seed ?? 3),
      '--baud',
      String(opts.baud ?? 921_600),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let exited = false
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true
      resolve()
    }),
  )
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('\n')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`tinyloop-fw-host exited with ${code}`)))
  })
  const end = async (signal: NodeJS.Signals) => {
    if (exited) return
    child.kill(signal)
    await gone
  }
  return {
    link: opts.link,
    pid: child.pid ?? -1,
    alive: () => !exited,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  }
}

/** Opens `path` with the app's DeviceClient, runs `work`, and closes it. */
export async function withClient<T>(path: string, work: (client: DeviceClient) => Promise<T>) {
  const link = await openSerialLink(path)
  const client = new DeviceClient(link)
  try {
    return await work(client)
  } finally {
    client.dispose()
    await link.close()
  }
}

/** Writes bytes onto a pty's line beside the program that has it open (write-only: reads nothing). */
export function lineWriter(path: string) {
  const fd = openSync(path, 'w')
  return {
    write: (bytes: Uint8Array) => writeSync(fd, bytes),
    close: () => closeSync(fd),
  }
}

/**
 * A cable with a tap: a second pseudo-terminal (socat) linked at `link`, whose bytes go to the
 * device's pty at `device` and back, with `inject` putting garbage on the way to the program
 * that opened `link` (what a noisy line does to a host). With `drop`, the device's frames of
 * those types never reach that program (each frame COBS-decoded at its zero to read its type
 * byte; the others pass as they came), and `dropped` counts them.
 */
export async function startTap(
  device: string,
  link: string,
  opts: { drop?: readonly FrameTypeName[] } = {},
) {
  const socat = spawn('socat', [`pty,raw,echo=0,link=${link}`, 'STDIO'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  for (let waited = 0; !existsSync(link); waited += 20) {
    if (waited > 5000) throw new Error('socat did not make its pty (is socat installed?)')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const port = await openSerialLink(device)
  const filter = opts.drop?.length
    ? frameFilter(new Set(opts.drop.map((t) => FRAME_TYPES[t])))
    : null
  const stop = port.subscribe((bytes) => {
    const passed = filter ? filter.push(bytes) : bytes
    if (passed.length > 0) socat.stdin.write(passed)
  })
  socat.stdout.on('data', (bytes: Buffer) => void port.write(new Uint8Array(bytes)))
  return {
    inject: (bytes: Uint8Array) => socat.stdin.write(bytes),
    /** Frames of the `drop` types kept from the program, so far. */
    get dropped() {
      return filter?.dropped ?? 0
    },
    async close() {
      stop()
      await port.close()
      const exited = new Promise((resolve) => socat.once('exit', resolve))
      socat.kill('SIGTERM')
      await exited
    },
  }
}

/**
 * Passes a byte stream on frame by frame (up to each `0x00`, the zero included), leaving out
 * the frames whose type byte is in `types`; bytes not yet ended by a zero wait for it.
 */
function frameFilter(types: ReadonlySet<number>) {
  let held = new Uint8Array(0)
  let dropped = 0
  return {
    get dropped() {
      return dropped
    },
    push(bytes: Uint8Array): Uint8Array {
      const all = new Uint8Array(held.length + bytes.length)
      all.set(held)
      all.set(bytes, held.length)
      const out: Uint8Array[] = []
      let start = 0
      for (let zero = all.indexOf(0); zero >= 0; zero = all.indexOf(0, start)) {
        const decoded = cobsDecode(all.subarray(start, zero))
        const type = decoded?.[0]
        if (type !== undefined && types.has(type)) dropped++
        else out.push(all.subarray(start, zero + 1))
        start = zero + 1
      }
      held = all.slice(start)
      return Buffer.concat(out)
    },
  }
}
