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
import { at, MUTATIONS } from './mutations.js'
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
