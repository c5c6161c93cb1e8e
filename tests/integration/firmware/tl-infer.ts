/**
 * Builds the firmware core's int8 engine and its host tool (native/firmware/core/tflite/, cmake,
 * with AddressSanitizer and UndefinedBehaviorSanitizer) into native/build/tflite-tests/, and runs
 * `tl_infer` in its two modes (described at the top of tools/tl_infer.cpp).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const SOURCE = 'native/firmware/core/tflite'
const BUILD = 'native/build/tflite-tests'

/** `tl::LoadStatus`, by value. */
export const LOAD_STATUS = [
  'ok',
  'bad-file',
  'unsupported-version',
  'unsupported-op',
  'unsupported-type',
  'bad-shape',
  'arena-too-small',
] as const
export type LoadStatusName = (typeof LOAD_STATUS)[number]

function run(command: string, args: string[]): string {
  const result = spawnSync('nice', [command, ...args], { encoding: 'utf8' })
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`The engine's test needs ${command} (Debian: apt-get install cmake g++).`)
  }
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`)
  }
  return result.stdout
}

/** Configures and builds the tool with the sanitizers on; returns its path. */
export function buildTlInfer(): string {
  run('cmake', ['-S', SOURCE, '-B', BUILD, '-DTL_TFLITE_SANITIZE=ON', '-DCMAKE_BUILD_TYPE=Release'])
  run('cmake', ['--build', BUILD, '-j2', '--target', 'tl_infer'])
  return join(BUILD, 'tl_infer')
}

/** What `tl_infer run` prints. */
export interface RunReport {
  status: LoadStatusName
  message: string
  detail: number
  arenaNeeded: number
  arenaUsed?: number
  activationBytes?: number
  inputBytes?: number
  outputBytes?: number
  inputShape?: number[]
  outputShape?: number[]
  inputScale?: number
  inputZeroPoint?: number
  outputScale?: number
  outputZeroPoint?: number
  windows?: number
}

const concat = (parts: readonly Int8Array[]) =>
  Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.length)))

/** Loads `bytes` and runs every input; the outputs, one per input, if it loaded. */
export function runModel(
  tool: string,
  bytes: Uint8Array,
  inputs: readonly Int8Array[],
  arenaBytes?: number,
): { report: RunReport; outputs: Int8Array[] } {
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-tl-infer-'))
  try {
    writeFileSync(join(dir, 'model.tflite'), bytes)
    writeFileSync(join(dir, 'inputs.bin'), concat(inputs))
    const args = ['run', join(dir, 'model.tflite'), join(dir, 'inputs.bin'), join(dir, 'out.bin')]
    if (arenaBytes !== undefined) args.push('--arena', String(arenaBytes))
    const result = spawnSync(tool, args, { encoding: 'utf8', env: sanitizerEnv() })
    if (result.status !== 0 && result.status !== 2) {
      throw new Error(`tl_infer exited with ${result.status ?? result.signal}:\n${result.stderr}`)
    }
    const report = JSON.parse(result.stdout) as RunReport
    if (report.status !== 'ok') return { report, outputs: [] }
    const out = new Int8Array(readFileSync(join(dir, 'out.bin')))
    const size = report.outputBytes ?? 0
    return {
      report,
      outputs: inputs.map((_, i) => out.slice(i * size, (i + 1) * size)),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface BatchCase {
  model: Uint8Array
  /** Input tensors, concatenated; empty for one run on an all-zero input. */
  inputs: Int8Array
}

export interface BatchResult {
  status: LoadStatusName
  arenaNeeded: number
  /** The planned activation area (0 when refused). */
  activationBytes: number
  /** The outputs, concatenated (empty when refused). */
  outputs: Int8Array
}

/** Many models in one process of the tool; one result per case, in order. */
export function runBatch(tool: string, cases: readonly BatchCase[]): BatchResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'tinyloop-tl-batch-'))
  try {
    const parts: Buffer[] = []
    for (const c of cases) {
      const header = Buffer.alloc(4)
      header.writeUInt32LE(c.model.length)
      const inputsHeader = Buffer.alloc(4)
      inputsHeader.writeUInt32LE(c.inputs.length)
      parts.push(header, Buffer.from(c.model), inputsHeader, concat([c.inputs]))
    }
    writeFileSync(join(dir, 'cases.bin'), Buffer.concat(parts))
    const result = spawnSync(tool, ['batch', join(dir, 'cases.bin'), join(dir, 'results.bin')], {
      encoding: 'utf8',
      env: sanitizerEnv(),
      maxBuffer: 64 * 1024 * 1024,
    })
    if (result.status !== 0) {
      throw new Error(
        `tl_infer batch exited with ${result.status ?? result.signal}:\n${result.stderr}`,
      )
    }
    const bytes = readFileSync(join(dir, 'results.bin'))
    const results: BatchResult[] = []
    let at = 0
    while (at < bytes.length) {
      const status = LOAD_STATUS[bytes[at]!]
      if (status === undefined) throw new Error(`tl_infer returned status ${bytes[at]}.`)
      const arenaNeeded = bytes.readUInt32LE(at + 1)
      const activationBytes = bytes.readUInt32LE(at + 5)
      const length = bytes.readUInt32LE(at + 9)
      const outputs = new Int8Array(bytes.subarray(at + 13, at + 13 + length))
      results.push({ status, arenaNeeded, activationBytes, outputs })
      at += 13 + length
    }
    if (results.length !== cases.length) {
      throw new Error(`tl_infer returned ${results.length} results for ${cases.length} cases.`)
    }
    return results
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Any sanitizer report fails the run (a non-zero exit), never just a line on stderr. */
function sanitizerEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ASAN_OPTIONS: 'abort_on_error=0:exitcode=99:detect_leaks=1',
    UBSAN_OPTIONS: 'halt_on_error=1:exitcode=98:print_stacktrace=1',
  }
}
