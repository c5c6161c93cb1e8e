import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { seededRandom } from '../../../src-main/seeded-random.js'
import { PRESETS } from '../../../src-main/training/models.js'
import { exportTflite, quantizeInput } from '../../../src-main/tflite/index.js'
import { createInterpreter } from '../../../src-main/tflite/interpreter.js'
import { TfliteError, type TfliteModel } from '../../../src-main/tflite/model.js'
import { planModel } from '../../../src-main/tflite/plan.js'
import { quantizeModel } from '../../../src-main/tflite/quantize.js'
import { readTflite } from '../../../src-main/tflite/reader.js'
import { BUILTIN } from '../../../src-main/tflite/schema.js'
import { writeTflite } from '../../../src-main/tflite/writer.js'
import { armNnAvailable } from '../../../src-main/deploy/runtimes.js'
import { randomModel, windows } from '../../unit/tflite/random-model.js'
import { refusalOf } from '../../unit/tflite/refusal.js'
import { armNn, joined, liteRt, ours } from '../tflite/runtimes.js'
import { trainPresets, type TrainedRun } from '../tflite/trained-runs.js'
import { mutate } from '../../unit/tflite/mutations.js'
import { randomOperatorCase, randomStackCase, type ModelCase } from './random-cases.js'
import { buildTlInfer, runBatch, runModel, type BatchCase } from './tl-infer.js'

// The firmware core's int8 engine (native/firmware/core/tflite/, C++, built here with
// AddressSanitizer and UndefinedBehaviorSanitizer) against the app's int8 interpreter
// (src-main/tflite/interpreter.ts), byte for byte: the presets' exports on every window (and
// LiteRT.js and Arm NN on the same windows), the converter-made fixtures, thousands of random
// models, and mutated files, which it must refuse with a status or run, never crash.
// TFLITE_FUZZ_CASES=100000 runs more mutated files (TFLITE_FUZZ_SEED picks others).

const FUZZ_CASES = Number(process.env.TFLITE_FUZZ_CASES ?? 3000)
const FUZZ_SEED = Number(process.env.TFLITE_FUZZ_SEED ?? 2024)
const STACK_CASES = 1200
const OPERATOR_CASES = 2100

const fixture = (name: string) =>
  new Uint8Array(readFileSync(`tests/fixtures/tflite/${name}.tflite`))
const report = (line: string) => process.stdout.write(`inference parity: ${line}\n`)

let tool: string
beforeAll(() => {
  tool = buildTlInfer()
}, 300_000)

describe('the presets, trained on the demo machine', () => {
  let runs: TrainedRun[]
  beforeAll(async () => {
    runs = await trainPresets({ minutes: 4, epochs: 8 })
  }, 120_000)

  it.each(['dense', 'conv1d'] as const)(
    '%s: the engine gives the bytes of our interpreter, LiteRT.js and Arm NN on every window',
    async (preset) => {
      const run = runs.find((r) => r.preset === preset)!
      const exported = exportTflite(run.stored)
      const inputs = run.windows.map((w) => quantizeInput(w, exported.input))
      expect(inputs.length).toBeGreaterThanOrEqual(400)
      const engine = runModel(tool, exported.bytes, inputs)
      expect(engine.report.status).toBe('ok')
      const model = readTflite(exported.bytes)
      expect(engine.report.inputShape).toEqual(model.tensors[model.inputs[0]!]!.shape)
      expect(Math.fround(engine.report.inputScale!)).toBe(Math.fround(exported.input.scale))
      expect(engine.report.inputZeroPoint).toBe(exported.input.zeroPoint)
      const reference = joined(ours(exported.bytes, inputs))
      expect(joined(engine.outputs).equals(reference)).toBe(true)
      expect(joined(await liteRt(exported.bytes, inputs)).equals(reference)).toBe(true)
      const armNnMissing = await armNnAvailable()
      if (armNnMissing === null) {
        expect(joined(await armNn(exported.bytes, inputs)).equals(reference)).toBe(true)
      }
      // A working classifier, not a constant: the windows' top classes differ.
      const top = new Set(engine.outputs.map((o) => o.indexOf(Math.max(...o))))
      expect(top.size).toBeGreaterThan(1)
      // The arena: exactly arena_needed loads, one byte less is refused with the same figure.
      const needed = engine.report.arenaNeeded
      expect(runModel(tool, exported.bytes, inputs.slice(0, 1), needed).report.status).toBe('ok')
      const short = runModel(tool, exported.bytes, inputs.slice(0, 1), needed - 1).report
      expect(short.status).toBe('arena-too-small')
      expect(short.arenaNeeded).toBe(needed)
      // The activations are planned as plan.ts plans them (greedy first fit, largest first).
      const plan = planModel(model)
      expect(engine.report.activationBytes).toBe(plan.activationBytes)
      report(
        `${preset}: ${inputs.length} windows identical (ours, LiteRT.js${armNnMissing === null ? ', Arm NN' : ''}); ` +
          `${exported.bytes.length} B file, engine arena ${needed} B of which activations ${plan.activationBytes} B as plan.ts (` +
          `${model.tensors.length} tensors, ${model.operators.length} operators)`,
      )
    },
    120_000,
  )
})

describe.each(['hello_world_int8', 'micro_speech_quantized'])('the converter-made %s', (name) => {
  it("gives our interpreter's bytes, and LiteRT.js's and Arm NN's, on 300 seeded random inputs", async () => {
    const bytes = fixture(name)
    const model = readTflite(bytes)
    const size = model.tensors[model.inputs[0]!]!.shape.reduce((a, b) => a * b, 1)
    const random = seededRandom(11)
    const inputs = Array.from({ length: 300 }, () =>
      Int8Array.from({ length: size }, () => Math.floor(random() * 256) - 128),
    )
    const engine = runModel(tool, bytes, inputs)
    expect(engine.report.status).toBe('ok')
    expect(engine.report.activationBytes).toBe(planModel(model).activationBytes)
    const reference = joined(ours(bytes, inputs))
    expect(joined(engine.outputs).equals(reference)).toBe(true)
    // LiteRT.js refuses hello_world's open batch: the same model with the batch fixed at 1.
    const staticBatch = writeTflite({
      ...model,
      tensors: model.tensors.map((t) => ({ ...t, shapeSignature: null })),
    })
    expect(joined(await liteRt(staticBatch, inputs)).equals(reference)).toBe(true)
    if ((await armNnAvailable()) === null) {
      expect(joined(await armNn(bytes, inputs)).equals(reference)).toBe(true)
    }
    expect(new Set(engine.outputs.map((o) => o.join(','))).size).toBeGreaterThan(10)
    report(
      `${name}: 300 inputs identical, arena ${engine.report.arenaNeeded} B (activations ${engine.report.activationBytes} B)`,
    )
  }, 60_000)
})

/** Runs each case in our interpreter and in one batch of the engine; both must give the same bytes. */
function compare(cases: ModelCase[]) {
  const results = runBatch(
    tool,
    cases.map((c) => ({ model: c.bytes, inputs: new Int8Array(joined(c.inputs)) })),
  )
  let varied = 0
  cases.forEach((c, i) => {
    const result = results[i]!
    expect(result.status, c.name).toBe('ok')
    expect(result.activationBytes, c.name).toBe(planModel(readTflite(c.bytes)).activationBytes)
    const reference = joined(ours(c.bytes, c.inputs))
    expect(Buffer.from(result.outputs.buffer).equals(reference), c.name).toBe(true)
    const size = reference.length / c.inputs.length
    const distinct = new Set(
      c.inputs.map((_, k) => reference.subarray(k * size, (k + 1) * size).toString('hex')),
    )
    if (distinct.size > 1) varied++
  })
  return { varied, inputs: cases.reduce((sum, c) => sum + c.inputs.length, 0) }
}

describe('random models', () => {
  it(`${STACK_CASES} random stacks of the app's layers give our interpreter's bytes`, () => {
    const random = seededRandom(5)
    const cases: ModelCase[] = []
    for (let seed = 1; cases.length < STACK_CASES; seed++) {
      const c = randomStackCase(random, seed)
      if (c) cases.push(c)
    }
    const { varied, inputs } = compare(cases)
    // The outputs depend on the inputs: the comparison is not of constants.
    expect(varied).toBeGreaterThan(STACK_CASES * 0.8)
    report(
      `${STACK_CASES} random stacks, ${inputs} inputs identical (${varied} with varying outputs)`,
    )
  }, 120_000)

  it(`${OPERATOR_CASES} random single operators (every padding, stride, dilation, activation) give our interpreter's bytes`, () => {
    const random = seededRandom(6)
    const cases: ModelCase[] = []
    const perKind = new Map<string, number>()
    for (let index = 0; cases.length < OPERATOR_CASES; index++) {
      const c = randomOperatorCase(random, index)
      if (!c) continue
      cases.push(c)
      const kind = c.name.split(' ')[0]!
      perKind.set(kind, (perKind.get(kind) ?? 0) + 1)
    }
    const { varied, inputs } = compare(cases)
    expect(varied).toBeGreaterThan(OPERATOR_CASES * 0.7)
    expect(perKind.size).toBe(7)
    report(
      `${OPERATOR_CASES} random operators (${[...perKind].map(([k, n]) => `${k} ${n}`).join(', ')}), ` +
        `${inputs} inputs identical (${varied} with varying outputs)`,
    )
  }, 120_000)
})

/** A model of one operator, for refusals. */
function oneOperatorModel(name: keyof typeof BUILTIN | 'TANH', code: number): TfliteModel {
  const q = { scale: [0.1], zeroPoint: [0], quantizedDimension: 0 }
  return {
    version: 3,
    description: '',
    operatorCodes: [
      { builtinCode: code, name, deprecatedBuiltinCode: code, version: 1, customCode: null },
    ],
    tensors: [
      { name: 'in', shape: [1, 4], shapeSignature: null, type: 'INT8', buffer: 0, quantization: q },
      {
        name: 'out',
        shape: [1, 4],
        shapeSignature: null,
        type: 'INT8',
        buffer: 0,
        quantization: q,
      },
    ],
    inputs: [0],
    outputs: [1],
    operators: [{ opcodeIndex: 0, inputs: [0], outputs: [1], options: { kind: 'none' } }],
    buffers: [new Uint8Array(0)],
  }
}

describe('refusals', () => {
  const dense = () =>
    writeTflite(quantizeModel(randomModel(PRESETS.dense, [12], 3), windows(8, [12])).model)

  it('refuses what the app refuses, with the status that says why', () => {
    const identifier = dense()
    identifier.set([0x54, 0x46, 0x4c, 0x32], 4) // "TFL2"
    const version = writeTflite({ ...readTflite(dense()), version: 2 })
    const cases: [string, Uint8Array, string][] = [
      [
        'a file that is not a model',
        new TextEncoder().encode('timestamp,x,y,z\n0,1,2,3\n'),
        'bad-file',
      ],
      ['a wrong file identifier', identifier, 'bad-file'],
      ['schema version 2', version, 'unsupported-version'],
      ['a float model', fixture('hello_world_float'), 'unsupported-type'],
      ['TANH', writeTflite(oneOperatorModel('TANH', 28)), 'unsupported-op'],
      [
        'MEAN (the exports use AVERAGE_POOL_2D)',
        writeTflite(oneOperatorModel('MEAN', BUILTIN.MEAN)),
        'unsupported-op',
      ],
    ]
    for (const [what, bytes, status] of cases) {
      expect(runModel(tool, bytes, []).report.status, what).toBe(status)
      refusalOf(() => createInterpreter(readTflite(bytes)))
    }
  })

  it(`refuses or runs ${FUZZ_CASES} mutated files, never crashing, and runs them as our interpreter does`, () => {
    const seeds = [
      fixture('hello_world_int8'),
      fixture('hello_world_float'),
      fixture('micro_speech_quantized'),
      dense(),
      writeTflite(
        quantizeModel(randomModel(PRESETS.conv1d, [40, 2], 3), windows(8, [40, 2])).model,
      ),
    ]
    const random = seededRandom(FUZZ_SEED)
    const seen = {
      refusedByBoth: 0,
      ranInBoth: 0,
      acceptedByBoth: 0,
      onlyEngineRefused: 0,
      onlyEngineRan: 0,
    }
    const stricter = new Map<string, number>()
    const started = performance.now()
    for (let done = 0; done < FUZZ_CASES;) {
      const count = Math.min(5000, FUZZ_CASES - done)
      const files: { mutation: string; bytes: Uint8Array }[] = []
      for (let i = 0; i < count; i++) {
        files.push(
          mutate(
            seeds[(done + i) % seeds.length]!,
            seeds[Math.floor(random() * seeds.length)]!,
            random,
          ),
        )
      }
      const results = runBatch(
        tool,
        files.map((f): BatchCase => ({ model: f.bytes, inputs: new Int8Array(0) })),
      )
      files.forEach((file, i) => {
        const result = results[i]!
        const where = `case ${done + i} (${file.mutation} of seed ${(done + i) % seeds.length})`
        const app = appRun(file.bytes)
        const ran = result.status === 'ok'
        if (app === 'accepted') {
          if (ran) seen.acceptedByBoth++
          else {
            seen.onlyEngineRefused++
            stricter.set(result.status, (stricter.get(result.status) ?? 0) + 1)
          }
        } else if (ran && app !== null) {
          expect(Buffer.from(result.outputs.buffer).equals(Buffer.from(app.buffer)), where).toBe(
            true,
          )
          seen.ranInBoth++
        } else if (ran) {
          seen.onlyEngineRan++
        } else if (app !== null) {
          seen.onlyEngineRefused++
          stricter.set(result.status, (stricter.get(result.status) ?? 0) + 1)
        } else {
          seen.refusedByBoth++
        }
      })
      done += count
    }
    // The engine never runs a file the app refuses; it refuses a few more (stricter checks:
    // zero points outside int8, unaligned data, tensors read before written, ...).
    expect(seen.onlyEngineRan).toBe(0)
    expect(seen.ranInBoth).toBeGreaterThan(FUZZ_CASES * 0.05)
    expect(seen.refusedByBoth).toBeGreaterThan(FUZZ_CASES * 0.3)
    report(
      `${FUZZ_CASES} mutated files (seed ${FUZZ_SEED}): ${seen.refusedByBoth} refused by both, ${seen.ranInBoth} run ` +
        `identically, ${seen.acceptedByBoth} accepted by both (too large to run in the app here), ${seen.onlyEngineRefused} refused by the engine only (${[...stricter].map(([k, n]) => `${k} ${n}`).join(', ')}), ${seen.onlyEngineRan} run by the engine only; ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    )
  }, 900_000)
})

/** Mutated models this small are run in our interpreter too (as tests/unit/tflite/fuzz.test.ts). */
const RUN_BELOW_MACS = 2_000_000

/**
 * The app's interpreter on a file and an all-zero input: its output, 'accepted' when it takes
 * the file but the model is too large to run here, or null if it refuses the file.
 */
function appRun(bytes: Uint8Array): Int8Array | 'accepted' | null {
  try {
    const model = readTflite(bytes)
    const interpreter = createInterpreter(model)
    if (planModel(model).macs > RUN_BELOW_MACS) return 'accepted'
    return interpreter.run(new Int8Array(interpreter.input.elements))
  } catch (error) {
    if (error instanceof TfliteError) return null
    throw error
  }
}
