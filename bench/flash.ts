/**
 * Flash throughput through the firmware's host port, which paces its pseudo-terminal at 921,600
 * baud both ways (10 bits a byte: a line rate of 92,160 bytes/s): the images of both presets'
 * runs trained on the demo project and a large one near the slot's size, each flashed several
 * times by the app's DeviceClient (what `tinyloop flash` uses) with the device's window of
 * unacknowledged chunks, and with one chunk at a time (stop-and-wait) side by side. Seconds are
 * the whole flash: hello, MODEL_BEGIN, the chunks, and MODEL_COMMIT with the device's CRC check.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32 } from '../src-main/device/protocol/crc32.js'
import {
  buildFirmware,
  HOST_PORT_BINARY,
  startHostPort,
  withClient,
} from '../tests/helpers/host-port.js'
import { seedTrainedDemo } from '../tests/helpers/trained-project.js'

const BAUD = 921_600
const LINE_BYTES_PER_SECOND = BAUD / 10
const RUNS = 5

interface Image {
  name: string
  bytes: Uint8Array
}

/** The model image of each run of a freshly seeded project, exported by the CLI. */
function imagesOf(
  dir: string,
  name: string,
  opts: Parameters<typeof seedTrainedDemo>[1],
  names: string[],
): Image[] {
  const folder = join(dir, name)
  mkdirSync(folder, { recursive: true })
  const project = seedTrainedDemo(folder, opts)
  return names.map((imageName, i) => {
    const out = join(folder, `run-${i + 1}.tlmi`)
    const exported = spawnSync(
      process.execPath,
      [
        'bin/tinyloop.js',
        '--project',
        project,
        'export',
        String(i + 1),
        '--format',
        'image',
        '-o',
        out,
      ],
      { env: { ...process.env, TINYLOOP_USER_DATA: join(folder, 'data') }, encoding: 'utf8' },
    )
    if (exported.status !== 0) throw new Error(exported.stderr)
    return { name: imageName, bytes: new Uint8Array(readFileSync(out)) }
  })
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}
const round = (x: number, digits = 3) => Number(x.toFixed(digits))

export async function flash() {
  if (!existsSync(HOST_PORT_BINARY)) buildFirmware()
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-bench-flash-'))
  try {
    const images = [
      ...imagesOf(dir, 'dense', { preset: 'dense', epochs: 10 }, ['dense']),
      ...imagesOf(dir, 'conv1d', { preset: 'conv1d', epochs: 3 }, ['conv1d']),
      // 48 → 1024 → 196 → 3: about 256 KB, near the host port's 256 KiB slot.
      ...imagesOf(
        dir,
        'large',
        {
          preset: 'dense',
          runs: 0,
          extraRuns: [
            {
              layers: [
                { type: 'dense', units: 1024 },
                { type: 'dense', units: 196 },
              ],
              epochs: 1,
            },
          ],
        },
        ['large (near the slot size)'],
      ),
    ]
    const link = join(dir, 'tty')
    const host = await startHostPort({ state: join(dir, 'state'), link, baud: BAUD })
    const report: Record<string, unknown> = {
      baud: BAUD,
      lineBytesPerSecond: LINE_BYTES_PER_SECOND,
      runsEach: RUNS,
      targetShareOfLine: 0.8,
    }
    try {
      await withClient(link, async (client) => {
        const hello = await client.hello()
        report.slotBytes = hello.modelCapacity
        report.deviceWindow = hello.window
        for (const image of images) {
          const crc = crc32(image.bytes)
          const measure = async (window: number | undefined) => {
            const seconds: number[] = []
            let verified = true
            let resent = 0
            for (let i = 0; i < RUNS; i++) {
              const result = await client.flash(image.bytes, { modelId: i + 1, window })
              verified &&= result.slots[result.active - 1]?.crc32 === crc
              resent += result.resentChunks
              seconds.push(result.seconds)
            }
            const s = median(seconds)
            return {
              window: window ?? hello.window,
              medianSeconds: round(s),
              bytesPerSecond: Math.round(image.bytes.length / s),
              shareOfLine: round(image.bytes.length / s / LINE_BYTES_PER_SECOND),
              crcVerified: verified,
              resentChunks: resent,
            }
          }
          process.stderr.write(`  flashing ${image.name} (${image.bytes.length} bytes)…\n`)
          report[image.name] = {
            bytes: image.bytes.length,
            crc32: crc.toString(16).padStart(8, '0'),
            goBackN: await measure(undefined),
            stopAndWait: await measure(1),
          }
        }
      })
    } finally {
      await host.stop()
    }
    return report
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
