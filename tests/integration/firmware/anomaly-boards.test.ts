import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { int8ReconstructionScore } from '../../../src-main/anomaly/autoencoder-score.js'
import { gaussianScore, type GaussianModel } from '../../../src-main/anomaly/gaussian.js'
import { spectralOf, SpectralScratch } from '../../../src-main/dataset/features.js'
import { normalize } from '../../../src-main/dataset/normalization.js'
import { readModelImage, type ModelImage } from '../../../src-main/device/model-image.js'
import { crc32 } from '../../../src-main/device/protocol/crc32.js'
import type { FrameOf } from '../../../src-main/device/protocol/frames.js'
import {
  firmwareBinary,
  startVirtualBoard,
  type VirtualBoardKind,
} from '../../../src-main/device/virtual-board.js'
import { createInterpreter, quantizeInput, readTflite } from '../../../src-main/tflite/index.js'
import { Board, infer, SEED } from './board.js'

// Anomaly models on the firmware (docs/firmware-inference.md, "Anomaly models"): a Gaussian and
// an autoencoder trained by the CLI on the demo project, exported as model images, flashed by
// `tinyloop flash` to the Linux host port and to the Cortex-M4 under QEMU over their real
// pseudo-terminals. The score each INFERENCE carries is the app's score of the same window, to
// the bit (Math.fround of the double the app computes): on given windows (INPUT) and on the
// device's own windows of the demo machine.
const BOARDS: VirtualBoardKind[] = ['host', 'qemu-m4']
const METHODS = ['gaussian', 'autoencoder'] as const
type Method = (typeof METHODS)[number]
/** Windows sent by INPUT per model and board. */
const INPUTS = 24

let dir: string
let project: string
let env: NodeJS.ProcessEnv

interface Trained {
  runId: number
  file: string
  image: ModelImage
  crc: number
  /** The app's score of a normalized window. */
  score: (window: Float32Array) => number
  /** What the device is sent by INPUT for a normalized window. */
  input: (window: Float32Array) => Int8Array
  /** The app interpreter's outputs (autoencoder), none for the Gaussian. */
  outputs: (window: Float32Array) => number[]
}
const trained = new Map<Method, Trained>()
/** Normalized windows of the demo's recordings (every kind of label), and the CLI's scores. */
const windows = new Map<Method, { window: Float32Array; cliScore: number; label: string }[]>()

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['bin/tinyloop.js', '--project', project, ...args], {
    env,
    encoding: 'utf8',
  })
}

beforeAll(() => {
  const build = spawnSync('npm', ['run', 'build:native'], { encoding: 'utf8' })
  expect(build.status, build.stdout + build.stderr).toBe(0)
  for (const kind of BOARDS) expect(firmwareBinary(kind), `${kind} firmware built`).not.toBeNull()
  dir = mkdtempSync(join(tmpdir(), 'tinyloop-fw-anomaly-'))
  project = join(dir, 'demo.tinyloop')
  env = { ...process.env, TINYLOOP_USER_DATA: join(dir, 'data') }
  expect(cli('demo', '--minutes', '4').status).toBe(0)
  const dataset = { windowMs: 1000, strideMs: 500, features: { kind: 'spectral', bands: 16 } }
  writeFileSync(join(dir, 'windows.json'), JSON.stringify(dataset))
  const csv = join(dir, 'windows.csv')
  expect(cli('windows', '--config', join(dir, 'windows.json'), '--out', csv).status).toBe(0)
  const rows = readFileSync(csv, 'utf8').trim().split('\n')
  const header = rows[0]!.split(',')

  for (const [i, method] of METHODS.entries()) {
    const config = join(dir, `${method}.json`)
    writeFileSync(config, JSON.stringify({ dataset, model: { kind: 'anomaly', method } }))
    const result = cli('--json', 'train', '--config', config)
    expect(result.status, result.stderr).toBe(0)
    const runId = i + 1
    const file = join(dir, `${method}.tlmi`)
    const exported = cli('export', String(runId), '--format', 'image', '-o', file)
    expect(exported.status, exported.stderr).toBe(0)
    const bytes = new Uint8Array(readFileSync(file))
    const image = readModelImage(bytes)
    const anomaly = image.anomaly!
    expect(image.modelKind).toBe(method === 'gaussian' ? 2 : 1)
    expect(image.featureCount).toBe(48)
    let entry: Trained
    if (anomaly.kind === 'gaussian') {
      expect(image.tflite.length).toBe(0)
      const model: GaussianModel = {
        width: image.featureCount,
        mean: Float64Array.from(anomaly.mean),
        precision: Float64Array.from(anomaly.precision),
        shrinkage: 0,
      }
      entry = {
        runId,
        file,
        image,
        crc: crc32(bytes),
        score: (w) => gaussianScore(model, w),
        // The normalized features as f32, little-endian (docs/protocol.md, INPUT).
        input: (w) => new Int8Array(Float32Array.from(w).buffer),
        outputs: () => [],
      }
    } else {
      const interpreter = createInterpreter(readTflite(image.tflite))
      entry = {
        runId,
        file,
        image,
        crc: crc32(bytes),
        score: (w) => int8ReconstructionScore(interpreter, w),
        input: (w) => quantizeInput(w, interpreter.input),
        outputs: (w) => Array.from(interpreter.run(quantizeInput(w, interpreter.input))),
      }
    }
    trained.set(method, entry)

    // Windows spread over the CSV (normal running and both faults), normalized as the app does,
    // with the scores `tinyloop predict` gives them.
    const predicted = cli('--json', 'predict', String(runId), '--input', csv)
    expect(predicted.status, predicted.stderr).toBe(0)
    const scores = (JSON.parse(predicted.stdout) as { windows: { score: number }[] }).windows
    const { mean, std } = image.normalization!
    const columns = Array.from({ length: 48 }, (_, f) =>
      header.indexOf(`${['ax', 'ay', 'az'][Math.floor(f / 16)]}_band${f % 16}`),
    )
    const picked: { window: Float32Array; cliScore: number; label: string }[] = []
    for (let k = 0; k < INPUTS; k++) {
      const row = 1 + Math.floor((k * (rows.length - 1)) / INPUTS)
      const cells = rows[row]!.split(',')
      const window = Float32Array.from(columns, (c, f) => (Number(cells[c]) - mean[f]!) / std[f]!)
      picked.push({ window, cliScore: scores[row - 1]!.score, label: cells[3]! })
    }
    windows.set(method, picked)
  }
}, 300_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.each(BOARDS)('anomaly models on %s', (kind) => {
  it.each(METHODS)(
    'the %s: flashed by the CLI, its scores the app’s to the bit on INPUT and on its own windows',
    async (method) => {
      const model = trained.get(method)!
      const link = join(dir, `tty-${kind}-${method}`)
      const board = await startVirtualBoard(kind, {
        stateDir: join(dir, `${kind}-${method}`),
        seed: SEED,
        link,
      })
      let host: Board | null = null
      try {
        const flashed = cli('--json', 'flash', String(model.runId), '--port', link)
        expect(flashed.status, flashed.stderr).toBe(0)
        const result = JSON.parse(flashed.stdout) as { activeCrc32: string; arenaBytes: number }
        expect(result.activeCrc32).toBe(model.crc.toString(16).padStart(8, '0'))
        // A Gaussian needs no engine, so no arena.
        if (method === 'gaussian') expect(result.arenaBytes).toBe(0)
        else expect(result.arenaBytes).toBeGreaterThan(0)

        host = await Board.attach(board, link)
        const hello = await host.hello()
        expect(hello.slots[hello.active - 1]?.crc32).toBe(model.crc)

        // INPUT: the app's scores of windows of normal running and of both faults.
        const picked = windows.get(method)!
        expect(new Set(picked.map((p) => p.label)).size).toBe(3)
        const instructions: number[] = []
        for (const { window, cliScore } of picked) {
          const appScore = model.score(window)
          expect(appScore).toBe(cliScore)
          const reply = await infer(host, model.input(window))
          expect(reply.modelCrc32).toBe(model.crc)
          expect(reply.windowEndUs).toBe(0)
          expect(reply.score).toBe(Math.fround(appScore))
          expect(reply.outputs).toEqual(model.outputs(window))
          instructions.push(reply.instructions)
        }
        if (kind === 'qemu-m4') {
          instructions.sort((a, b) => a - b)
          console.log(
            `${method} on the M4: ${instructions[instructions.length >> 1]} instructions per INPUT inference (${instructions[0]} to ${instructions.at(-1)})`,
          )
          expect(instructions[0]).toBeGreaterThan(1000)
        }
        // A wrong size: the Gaussian takes 4 bytes per feature.
        const short = await host.request({
          type: 'INPUT',
          seq: host.nextSeq(),
          offset: 0,
          bytes: '00'.repeat(method === 'gaussian' ? 4 * 48 + 1 : 49),
        })
        expect(short).toMatchObject({ type: 'NAK' })

        // Its own windows of the demo machine: 400 samples every 200 (device time: QEMU's
        // clock is instructions, and may run behind the wall).
        expect((await host.request({ type: 'START', seq: host.nextSeq() })).type).toBe('ACK')
        const deadline = Date.now() + 20_000
        while (host.frames.filter((f) => f.type === 'INFERENCE').length < 4) {
          if (Date.now() > deadline) break
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
        expect((await host.request({ type: 'STOP', seq: host.nextSeq() })).type).toBe('ACK')
        const data = host.frames.filter((f): f is FrameOf<'DATA'> => f.type === 'DATA')
        const results = host.frames.filter((f): f is FrameOf<'INFERENCE'> => f.type === 'INFERENCE')
        expect(results.length).toBeGreaterThanOrEqual(3)
        const values = data.flatMap((f) => f.values)
        const times = data.flatMap((f) =>
          Array.from({ length: f.count }, (_, k) => f.timeUs + k * 2500),
        )
        const columns = [0, 1, 2].map((c) =>
          Float32Array.from(values.filter((_, i) => i % 3 === c)),
        )
        const scratch = new SpectralScratch()
        results.forEach((r, w) => {
          const from = 200 * w
          const to = from + 400
          expect(to).toBeLessThanOrEqual(times.length)
          expect(r.seq).toBe(0)
          expect(r.modelCrc32).toBe(model.crc)
          expect(r.windowEndUs).toBe((times[to - 1] as number) + 2500)
          if (w > 0) expect(r.windowEndUs - results[w - 1]!.windowEndUs).toBe(500_000)
          expect(Number.isFinite(r.score)).toBe(true)
          // The app's features of the same samples, normalized, scored.
          const row = new Float64Array(48)
          columns.forEach((column, c) => spectralOf(column, from, to, 16, scratch, row, c * 16))
          const normalized = normalize(Float32Array.from(row), model.image.normalization!)
          expect(r.score).toBe(Math.fround(model.score(normalized)))
          expect(r.outputs).toEqual(model.outputs(normalized))
        })
      } finally {
        if (host) await host.close()
        else await board.stop()
      }
    },
    60_000,
  )
})
