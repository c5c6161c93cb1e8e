/**
 * Full-int8 TensorFlow Lite export (docs/tflite.md): what the services, the CLI and the Deploy
 * view call. The parts: `reader.ts` (any .tflite, untrusted), `writer.ts`, `quantize.ts` (a run's
 * float model to int8), `interpreter.ts` (runs the exported bytes with TFLite's integer
 * arithmetic), `plan.ts` (flash, arena, MACs, latency per board).
 */
import type { StoredModel } from '../training/run-record.js'
import {
  floatForward,
  floatModelOf,
  resolveLayers,
  windowsOf,
  type FloatModel,
} from './float-model.js'
import { createInterpreter, type Int8Interpreter } from './interpreter.js'
import type { ParsedTflite } from './model.js'
import { planModel, type MemoryPlan } from './plan.js'
import { quantizeInput, quantizeModel, type QuantParams } from './quantize.js'
import { readTflite } from './reader.js'
import { writeTflite } from './writer.js'

export { TfliteError } from './model.js'
export type { ParsedTflite, TfliteModel } from './model.js'
export type { MemoryPlan } from './plan.js'
export type { QuantParams } from './quantize.js'
export { readTflite, writeTflite, createInterpreter, planModel, quantizeInput }

export interface TfliteExport {
  /** The `.tflite` file. */
  bytes: Uint8Array
  /** The int8 input (`[1, features]` or `[1, 1, time, channels]`) and its quantization. */
  input: QuantParams & { shape: number[] }
  /** The int8 class scores: scale 1/256, zero point -128. */
  output: QuantParams & { shape: number[] }
  classNames: string[]
  calibrationWindows: number
  plan: MemoryPlan
}

/** A run's trained model (as `readStoredModel` gives it), quantized to int8 and written. */
export function exportTflite(run: {
  model: StoredModel
  weights: Float32Array
  calibration: Float32Array
}): TfliteExport {
  const float = floatModelOf(run.model, run.weights)
  const int8 = quantizeModel(float, windowsOf(run.calibration, run.model.inputShape))
  const bytes = writeTflite(int8.model)
  return {
    bytes,
    input: int8.input,
    output: int8.output,
    classNames: [...run.model.classNames],
    calibrationWindows: int8.calibrationWindows,
    plan: planModel(readTflite(bytes)),
  }
}

export interface Prediction {
  /** The model's int8 output bytes. */
  output: Int8Array
  /** The class with the highest score (the first of equal ones). */
  classIndex: number
}

/** One normalized float window through the int8 model: quantized as the device does it, run. */
export function predict(interpreter: Int8Interpreter, window: Float32Array): Prediction {
  const output = interpreter.run(quantizeInput(window, interpreter.input))
  let classIndex = 0
  output.forEach((v, i) => {
    if (v > (output[classIndex] as number)) classIndex = i
  })
  return { output, classIndex }
}

export interface Int8Evaluation {
  windows: number
  floatAccuracy: number
  int8Accuracy: number
  /** The share of windows where the float and the int8 model pick the same class. */
  agreement: number
}

/**
 * The float model against the int8 file on labeled normalized windows (the held-out ones): the
 * accuracy of each and how often their top-1 classes agree. The int8 side runs the bytes.
 */
export function evaluateInt8(
  float: FloatModel,
  bytes: Uint8Array,
  windows: readonly Float32Array[],
  labels: ArrayLike<number>,
): Int8Evaluation {
  const layers = resolveLayers(float)
  const interpreter = createInterpreter(readTflite(bytes))
  let floatHits = 0
  let int8Hits = 0
  let agree = 0
  windows.forEach((window, i) => {
    const probabilities = floatForward(layers, window)
    const floatClass = probabilities.indexOf(Math.max(...probabilities))
    const int8Class = predict(interpreter, window).classIndex
    if (floatClass === labels[i]) floatHits++
    if (int8Class === labels[i]) int8Hits++
    if (floatClass === int8Class) agree++
  })
  const n = Math.max(windows.length, 1)
  return {
    windows: windows.length,
    floatAccuracy: floatHits / n,
    int8Accuracy: int8Hits / n,
    agreement: agree / n,
  }
}

/** What `tinyloop inspect` shows: the reader's view of a file, without the weights' bytes. */
export function inspectTflite(bytes: Uint8Array) {
  const model: ParsedTflite = readTflite(bytes)
  return {
    version: model.version,
    description: model.description,
    sizeBytes: model.sizeBytes,
    subgraphs: model.subgraphCount,
    operatorCodes: model.operatorCodes,
    inputs: model.inputs,
    outputs: model.outputs,
    tensors: model.tensors,
    operators: model.operators.map((op) => ({
      ...op,
      name: model.operatorCodes[op.opcodeIndex]?.name ?? '',
    })),
    bufferBytes: model.buffers.map((b) => b.length),
  }
}

export { floatModelOf, windowsOf }
