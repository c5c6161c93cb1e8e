import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { seededRandom } from '../../../src-main/seeded-random.js'
import { PRESETS } from '../../../src-main/training/models.js'
import { createInterpreter } from '../../../src-main/tflite/interpreter.js'
import { TfliteError } from '../../../src-main/tflite/model.js'
import { planModel } from '../../../src-main/tflite/plan.js'
import { quantizeModel } from '../../../src-main/tflite/quantize.js'
import { readTflite } from '../../../src-main/tflite/reader.js'
import { writeTflite } from '../../../src-main/tflite/writer.js'
import { randomModel, windows } from './random-model.js'

// Mutated .tflite files (bit flips, overwritten words, truncations, splices of our exports and
// the converter-made fixtures) through the reader, the planner and the interpreter: each is
// read or refused with a TfliteError, never another exception or a hang. The default run tries
// 3,000; `TFLITE_FUZZ_CASES=100000 npx vitest run tests/unit/tflite/fuzz.test.ts` tries more,
// and TFLITE_FUZZ_SEED picks other mutations.

const CASES = Number(process.env.TFLITE_FUZZ_CASES ?? 3000)
const SEED = Number(process.env.TFLITE_FUZZ_SEED ?? 2024)
/** Models this small are also run: a mutated model's work stays bounded. */
const RUN_BELOW_MACS = 2_000_000

const seeds: Uint8Array[] = [
  ...['hello_world_int8', 'hello_world_float', 'micro_speech_quantized'].map(
    (name) => new Uint8Array(readFileSync(`tests/fixtures/tflite/${name}.tflite`)),
  ),
  writeTflite(quantizeModel(randomModel(PRESETS.dense, [12], 3), windows(8, [12])).model),
  writeTflite(quantizeModel(randomModel(PRESETS.conv1d, [40, 2], 3), windows(8, [40, 2])).model),
]

type Mutation = (bytes: Uint8Array, random: () => number, other: Uint8Array) => Uint8Array

const at = (random: () => number, length: number) => Math.floor(random() * length)
const MUTATIONS: Record<string, Mutation> = {
  flipBits(bytes, random) {
    const out = bytes.slice()
    for (let n = 1 + at(random, 8); n > 0; n--) out[at(random, out.length)]! ^= 1 << at(random, 8)
    return out
  },
  overwriteWord(bytes, random) {
    const out = bytes.slice()
    const values = [
      0,
      0xffffffff,
      0x7fffffff,
      0x80000000,
      bytes.length,
      at(random, 2 ** 32),
      at(random, 64),
    ]
    const position = at(random, Math.max(1, out.length - 4)) & ~3
    new DataView(out.buffer).setUint32(position, values[at(random, values.length)]!, true)
    return out
  },
  truncate(bytes, random) {
    return bytes.slice(0, at(random, bytes.length))
  },
  splice(bytes, random, other) {
    const cut = at(random, bytes.length)
    const from = at(random, other.length)
    return Uint8Array.from([
      ...bytes.subarray(0, cut),
      ...other.subarray(from, from + at(random, 512)),
    ])
  },
  duplicateRegion(bytes, random) {
    const start = at(random, bytes.length)
    const region = bytes.subarray(start, start + at(random, 256))
    const into = at(random, bytes.length)
    return Uint8Array.from([...bytes.subarray(0, into), ...region, ...bytes.subarray(into)])
  },
}
const names = Object.keys(MUTATIONS)

/** What happens to one file: 'read' (and maybe 'ran'), or the TfliteError's refusal. */
function attempt(bytes: Uint8Array): 'refused' | 'read' | 'ran' {
  let model
  try {
    model = readTflite(bytes)
  } catch (error) {
    if (error instanceof TfliteError) return 'refused'
    throw error
  }
  const plan = planModel(model)
  try {
    const interpreter = createInterpreter(model)
    if (plan.macs > RUN_BELOW_MACS) return 'read'
    const output = interpreter.run(new Int8Array(interpreter.input.elements))
    expect(output.length).toBe(interpreter.output.elements)
    return 'ran'
  } catch (error) {
    if (error instanceof TfliteError) return 'read'
    throw error
  }
}

test(`${CASES} mutated files are read or refused with a TfliteError, never a crash or a hang`, () => {
  const random = seededRandom(SEED)
  const seen = { refused: 0, read: 0, ran: 0 }
  const started = performance.now()
  for (let i = 0; i < CASES; i++) {
    const seed = seeds[i % seeds.length]!
    const mutation = names[at(random, names.length)]!
    const bytes = MUTATIONS[mutation]!(seed, random, seeds[at(random, seeds.length)]!)
    const caseStarted = performance.now()
    try {
      seen[attempt(bytes)]++
    } catch (error) {
      throw new Error(`Case ${i} (${mutation} of seed ${i % seeds.length}) threw`, {
        cause: error,
      })
    }
    expect(performance.now() - caseStarted, `case ${i} took too long`).toBeLessThan(2000)
  }
  // The mutations reach past the file identifier: many files are refused deep inside, and some
  // survive the reader and run.
  expect(seen.refused).toBeGreaterThan(CASES * 0.3)
  expect(seen.ran).toBeGreaterThan(CASES * 0.05)
  process.stdout.write(
    `fuzz: ${CASES} files, ${seen.refused} refused, ${seen.read} read, ${seen.ran} ran, ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  )
}, 600_000)
