import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createInterpreter } from '../tflite/interpreter.js'
import { readTflite } from '../tflite/reader.js'
import { loadLiteRtModel } from './litert-node.js'

/**
 * The three TFLite runtimes a model's int8 outputs are compared in, each given the file's bytes:
 * TinyLoop's own interpreter, LiteRT.js (WebAssembly, XNNPACK) and Arm NN (CpuRef, through
 * Debian's python3-pyarmnn). Used by `deploy.verify` and by the tests of src-main/tflite/.
 */

const PYTHON = '/usr/bin/python3'

export function ours(bytes: Uint8Array, inputs: readonly Int8Array[]): Int8Array[] {
  const interpreter = createInterpreter(readTflite(bytes))
  return inputs.map((input) => interpreter.run(input))
}

export async function liteRt(
  bytes: Uint8Array,
  inputs: readonly Int8Array[],
): Promise<Int8Array[]> {
  const model = await loadLiteRtModel(bytes)
  try {
    const outputs: Int8Array[] = []
    for (const input of inputs) outputs.push(await model.run(input))
    return outputs
  } finally {
    model.delete()
  }
}

/** The script that runs a model in Arm NN, from the source tree or beside the build. */
function armNnScript(): string | null {
  const here = dirname(fileURLToPath(import.meta.url))
  for (const up of ['..', '../..', '../../..']) {
    const script = join(here, up, 'resources', 'armnn', 'armnn-infer.py')
    if (existsSync(script)) return script
  }
  return null
}

/** Whether Arm NN can run here: Debian's python3-pyarmnn (and the script that drives it). */
export async function armNnAvailable(): Promise<string | null> {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed.`
  if (!armNnScript()) return 'The Arm NN script is missing from this installation.'
  try {
    await promisify(execFile)(PYTHON, ['-c', 'import pyarmnn'])
    return null
  } catch {
    return 'python3-pyarmnn is not installed (Debian/Ubuntu: apt-get install python3-pyarmnn libarmnn-cpuref-backend22).'
  }
}

/** Arm NN 20.08's CpuRef backend, all inputs in one process (it is slow to start). */
export async function armNn(bytes: Uint8Array, inputs: readonly Int8Array[]): Promise<Int8Array[]> {
  const script = armNnScript()
  if (!script || !existsSync(PYTHON))
    throw new Error(`Arm NN runs through ${PYTHON} (python3-pyarmnn).`)
  const dir = await mkdtemp(join(tmpdir(), 'tinyloop-armnn-'))
  try {
    const model = join(dir, 'model.tflite')
    await writeFile(model, bytes)
    await writeFile(
      join(dir, 'inputs.bin'),
      Buffer.concat(inputs.map((i) => Buffer.from(i.buffer, i.byteOffset, i.length))),
    )
    await promisify(execFile)(PYTHON, [
      script,
      model,
      join(dir, 'inputs.bin'),
      join(dir, 'outputs.bin'),
    ])
    const out = await readFile(join(dir, 'outputs.bin'))
    const size = out.length / Math.max(inputs.length, 1)
    return inputs.map((_, i) => new Int8Array(out.buffer, out.byteOffset + i * size, size).slice())
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Outputs back to back as one array of bytes, for a byte-exact comparison. */
export function joined(outputs: readonly Int8Array[]): Buffer {
  return Buffer.concat(outputs.map((o) => Buffer.from(o.buffer, o.byteOffset, o.length)))
}
