/**
 * The firmware on the emulated Cortex-M4 (QEMU mps2-an386, native/firmware/ports/qemu-mps2),
 * per preset trained on the demo project: the firmware's flash and RAM from its ELF, the model
 * image's bytes and the arena the engine needs on the device, and instructions per inference
 * (counted exactly under -icount shift=0), beside the export's estimates for the same model
 * (the arena plan, MACs, and the cycles behind the card's latency estimate for the Nano 33 BLE
 * Sense). The model goes the way a user's does: `tinyloop train`, then `tinyloop flash`.
 * The anomaly models too (docs/firmware-inference.md, "Anomaly models"): a Gaussian and an
 * autoencoder on the same spectral features, exported as images by `tinyloop export`, their
 * instructions per INPUT (the model and its score) and per window of the device's own (the
 * features too).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DeviceClient, openSerialLink } from '../src-main/device/device-client.js'
import { readModelImage } from '../src-main/device/model-image.js'
import type { FrameOf } from '../src-main/device/protocol/frames.js'
import { readTflite } from '../src-main/tflite/index.js'
import { planModel } from '../src-main/tflite/plan.js'
import { firmwareBinary, startVirtualBoard } from '../src-main/device/virtual-board.js'
import { seededRandom } from '../src-main/seeded-random.js'

const DEMO_MINUTES = 4
const EPOCHS = 10
const INFERENCES = 20
/** The Nano 33 BLE Sense's nRF52840 runs at 64 MHz: the card's latency estimate in cycles. */
const NANO_HZ = 64e6

const PRESETS = [
  { preset: 'dense', features: { kind: 'spectral', bands: 16 } },
  { preset: 'conv1d', features: { kind: 'raw' } },
] as const
const ANOMALY_METHODS = ['gaussian', 'autoencoder'] as const
/** Windows of the device's own (streamed) measured per anomaly model. */
const WINDOWS = 4

/** Flash and RAM of the ELF, from its sections (as the linker map has them). */
function firmwareSize(elf: string) {
  const out = execFileSync('arm-none-eabi-size', ['-A', '-d', elf], { encoding: 'utf8' })
  const sections = Object.fromEntries(
    out
      .split('\n')
      .map((line) => /^(\.\S+)\s+(\d+)\s+(\d+)/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, Number(m[2])]),
  )
  const of = (...names: string[]) => names.reduce((n, s) => n + (sections[s] ?? 0), 0)
  return {
    flashBytes: of('.vectors', '.text', '.ARM.exidx', '.init_array', '.data'),
    ramBytes: of('.data', '.bss'),
    stackBytes: 16 * 1024,
    modelSlotsBytes: of('.models'),
    limits: { flashBytes: 1024 * 1024, ramBytes: 256 * 1024 },
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

export async function firmware() {
  const build = spawnSync('npm', ['run', 'build:native'], { encoding: 'utf8' })
  if (build.status !== 0) throw new Error(`npm run build:native failed:\n${build.stderr}`)
  const elf = firmwareBinary('qemu-m4')
  if (!elf)
    throw new Error('The Cortex-M4 firmware was not built (is gcc-arm-none-eabi installed?)')
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-bench-fw-'))
  const project = join(dir, 'demo.tinyloop')
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, ['bin/tinyloop.js', '--project', project, ...args], {
      encoding: 'utf8',
      env: { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  const board = await startVirtualBoard('qemu-m4', {
    stateDir: join(dir, 'board'),
    link: join(dir, 'tty-m4'),
  })
  try {
    cli('demo', '--minutes', String(DEMO_MINUTES))
    const report: Record<string, unknown> = { firmware: firmwareSize(elf) }
    for (const [i, { preset, features }] of PRESETS.entries()) {
      const config = join(dir, `${preset}.json`)
      writeFileSync(
        config,
        JSON.stringify({
          dataset: { windowMs: 1000, strideMs: 500, features },
          model: { preset },
          training: { epochs: EPOCHS },
        }),
      )
      cli('train', '--config', config)
      const runId = i + 1
      const card = JSON.parse(cli('--json', 'card', String(runId))) as {
        file: { bytes: number }
        arena: { bytes: number; activationBytes: number }
        macs: number
        input: { shape: number[] }
        boards: { id: string; estimatedLatencyMs: number }[]
      }
      const flashed = JSON.parse(cli('--json', 'flash', String(runId), '--port', board.path)) as {
        bytes: number
        seconds: number
        activeCrc32: string
        arenaBytes: number
      }
      const link = await openSerialLink(board.path)
      const client = new DeviceClient(link)
      const random = seededRandom(runId)
      const size = card.input.shape.reduce((a, b) => a * b, 1)
      const instructions: number[] = []
      const latencyUs: number[] = []
      try {
        for (let k = 0; k < INFERENCES; k++) {
          const input = Int8Array.from({ length: size }, () => Math.floor(random() * 256) - 128)
          const result = await client.infer(input)
          instructions.push(result.instructions)
          latencyUs.push(result.latencyUs)
        }
      } finally {
        client.dispose()
        await link.close()
      }
      const nano = card.boards.find((b) => b.id === 'nano33ble')!
      const estimatedCycles = Math.round((nano.estimatedLatencyMs / 1000) * NANO_HZ)
      report[preset] = {
        modelImageBytes: flashed.bytes,
        tfliteBytes: card.file.bytes,
        flashSeconds: flashed.seconds,
        arena: {
          onDeviceBytes: flashed.arenaBytes,
          plannedBytes: card.arena.bytes,
          activationBytes: card.arena.activationBytes,
        },
        macs: card.macs,
        instructionsPerInference: {
          median: median(instructions),
          min: Math.min(...instructions),
          max: Math.max(...instructions),
          perMac: Number((median(instructions) / card.macs).toFixed(2)),
        },
        estimate: {
          description:
            "the card's latency estimate on the Nano 33 BLE Sense (64 MHz), in cycles: MACs x cycles per MAC + a fixed cost per operator",
          cycles: estimatedCycles,
          instructionsOverEstimatedCycles: Number(
            (median(instructions) / estimatedCycles).toFixed(2),
          ),
        },
      }
    }
    for (const [i, method] of ANOMALY_METHODS.entries()) {
      const config = join(dir, `${method}.json`)
      writeFileSync(
        config,
        JSON.stringify({
          dataset: {
            windowMs: 1000,
            strideMs: 500,
            features: { kind: 'spectral', bands: 16 },
          },
          model: { kind: 'anomaly', method },
        }),
      )
      cli('train', '--config', config)
      const runId = PRESETS.length + i + 1
      const file = join(dir, `${method}.tlmi`)
      cli('export', String(runId), '--format', 'image', '-o', file)
      const image = readModelImage(new Uint8Array(readFileSync(file)))
      const n = image.featureCount
      const flashed = JSON.parse(cli('--json', 'flash', String(runId), '--port', board.path)) as {
        bytes: number
        arenaBytes: number
      }
      const link = await openSerialLink(board.path)
      const client = new DeviceClient(link)
      const random = seededRandom(runId)
      const instructions: number[] = []
      const perWindow: number[] = []
      try {
        for (let k = 0; k < INFERENCES; k++) {
          // A Gaussian takes its normalized features as f32; an autoencoder its int8 input.
          const input =
            method === 'gaussian'
              ? new Int8Array(Float32Array.from({ length: n }, () => random() * 6 - 3).buffer)
              : Int8Array.from({ length: n }, () => Math.floor(random() * 256) - 128)
          instructions.push((await client.infer(input)).instructions)
        }
        const windows: FrameOf<'INFERENCE'>[] = []
        const off = client.onUnsolicited((f) => {
          if (f.type === 'INFERENCE') windows.push(f)
        })
        await client.start()
        const deadline = Date.now() + 30_000
        while (windows.length < WINDOWS && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 50))
        await client.stop()
        off()
        perWindow.push(...windows.map((w) => w.instructions))
      } finally {
        client.dispose()
        await link.close()
      }
      const macs = method === 'gaussian' ? n * n : planModel(readTflite(image.tflite)).macs
      report[method] = {
        modelImageBytes: flashed.bytes,
        tfliteBytes: image.tflite.length,
        features: n,
        arena: { onDeviceBytes: flashed.arenaBytes },
        macs,
        macsNote:
          method === 'gaussian'
            ? 'n² multiply-adds in double (software on the M4), the precision read in place from flash'
            : "the int8 model's MACs; the score adds n differences and squares in double",
        instructionsPerInference: {
          median: median(instructions),
          min: Math.min(...instructions),
          max: Math.max(...instructions),
          perMac: Number((median(instructions) / macs).toFixed(2)),
        },
        instructionsPerWindow: perWindow.length ? median(perWindow) : null,
      }
    }
    return report
  } finally {
    await board.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
