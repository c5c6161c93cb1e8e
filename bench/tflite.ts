/**
 * The int8 export of each preset, trained on the demo machine: float against int8 accuracy and
 * top-1 agreement on the held-out test windows (the int8 side runs the exported bytes), the
 * file's flash bytes, the planned arena against its lower bound, and int8 inferences per second
 * of our interpreter against LiteRT.js on the same file, side by side.
 */
import { loadLiteRtModel } from '../src-main/deploy/litert-node.js'
import {
  createInterpreter,
  exportTflite,
  quantizeInput,
  readTflite,
} from '../src-main/tflite/index.js'
import { evaluateOnTest, trainPresets } from '../tests/integration/tflite/trained-runs.js'

/** The demo project's default length, and enough epochs to converge on it. */
const DEMO_MINUTES = 12
const EPOCHS = 30
/** Each runtime runs for about this long per preset, after a warm-up. */
const SECONDS_PER_RUNTIME = 2

async function inferencesPerSecond(run: (input: Int8Array) => unknown, inputs: Int8Array[]) {
  for (const input of inputs.slice(0, 20)) await run(input)
  let count = 0
  const started = performance.now()
  while (performance.now() - started < SECONDS_PER_RUNTIME * 1000) {
    await run(inputs[count % inputs.length]!)
    count++
  }
  return Math.round(count / ((performance.now() - started) / 1000))
}

export async function tflite() {
  const runs = await trainPresets({ minutes: DEMO_MINUTES, epochs: EPOCHS })
  const report: Record<string, unknown> = {}
  for (const run of runs) {
    const exported = exportTflite(run.stored)
    const test = run.test.map((i) => run.windows[i]!)
    const evaluation = evaluateOnTest(run, exported.bytes)
    const inputs = test.map((w) => quantizeInput(w, exported.input))
    const ours = createInterpreter(readTflite(exported.bytes))
    const liteRt = await loadLiteRtModel(exported.bytes)
    const speed = {
      ours: await inferencesPerSecond((input) => ours.run(input), inputs),
      liteRt: await inferencesPerSecond((input) => liteRt.run(input), inputs),
    }
    liteRt.delete()
    const { plan } = exported
    report[run.preset] = {
      features: run.features,
      inputShape: exported.input.shape,
      windows: run.windows.length,
      testWindows: test.length,
      floatTestAccuracy: round(evaluation.floatAccuracy),
      int8TestAccuracy: round(evaluation.int8Accuracy),
      top1Agreement: round(evaluation.agreement),
      flashBytes: plan.flashBytes,
      arenaBytes: plan.arenaBytes,
      activationBytes: plan.activationBytes,
      arenaLowerBoundBytes: plan.lowerBoundBytes,
      macs: plan.macs,
      estimatedLatencyMs: Object.fromEntries(
        plan.boards.map((b) => [b.id, Number(b.estimatedLatencyMs.toFixed(3))]),
      ),
      inferencesPerSecond: {
        ...speed,
        oursOverLiteRt: Number((speed.ours / speed.liteRt).toFixed(2)),
      },
    }
  }
  return report
}

function round(x: number) {
  return Number(x.toFixed(4))
}
