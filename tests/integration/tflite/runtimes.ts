import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { loadLiteRtModel } from '../../../scripts/litert-node.js'
import { createInterpreter } from '../../../src-main/tflite/interpreter.js'
import { readTflite } from '../../../src-main/tflite/reader.js'

/** The three runtimes a model's int8 outputs are compared in, each given the file's bytes. */

const PYTHON = '/usr/bin/python3'
const ARMNN_SCRIPT = resolve('scripts/armnn-infer.py')

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

/** Arm NN 20.08's CpuRef backend through Debian's python3-pyarmnn, all inputs in one process. */
export function armNn(bytes: Uint8Array, inputs: readonly Int8Array[]): Int8Array[] {
  if (!existsSync(PYTHON)) throw new Error(`Arm NN runs through ${PYTHON} (python3-pyarmnn).`)
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-armnn-'))
  try {
    const model = join(dir, 'model.tflite')
    writeFileSync(model, bytes)
    writeFileSync(
      join(dir, 'inputs.bin'),
      Buffer.concat(inputs.map((i) => Buffer.from(i.buffer, i.byteOffset, i.length))),
    )
    execFileSync(PYTHON, [ARMNN_SCRIPT, model, join(dir, 'inputs.bin'), join(dir, 'outputs.bin')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    const out = readFileSync(join(dir, 'outputs.bin'))
    const size = out.length / inputs.length
    return inputs.map((_, i) => new Int8Array(out.buffer, out.byteOffset + i * size, size).slice())
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The model's input tensors back to back as one array of bytes, for a byte-exact comparison. */
export function joined(outputs: readonly Int8Array[]): Buffer {
  return Buffer.concat(outputs.map((o) => Buffer.from(o.buffer, o.byteOffset, o.length)))
}
