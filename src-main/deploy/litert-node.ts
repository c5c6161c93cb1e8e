/**
 * LiteRT.js (@litertjs/core 2.5.3) in Node, for the TFLite tests and benchmark. The package is
 * written for browsers: its loader adds a <script> tag (or calls `importScripts` in a worker) to
 * run its Emscripten glue, which then finds `self.ModuleFactory`. This shim gives it `self` and
 * an `importScripts` that runs the glue with Node's `require` and `__dirname`, so the glue reads
 * its .wasm file from the package folder (no network). INT8 tensors need the dtype patch that
 * `npm install` applies (scripts/patch-litertjs.js).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import vm from 'node:vm'
import type * as LiteRt from '@litertjs/core'

type LiteRtModule = typeof LiteRt
type CompiledModel = Awaited<ReturnType<LiteRtModule['loadAndCompile']>>

let loading: Promise<LiteRtModule> | null = null

function loadLiteRt(): Promise<LiteRtModule> {
  loading ??= (async () => {
    const scope = globalThis as { self?: unknown; importScripts?: (file: string) => void }
    scope.self ??= globalThis
    scope.importScripts = (file: string) => {
      const glue = vm.runInThisContext(
        `(function (require, __dirname, __filename) {${readFileSync(file, 'utf8')}\nreturn ModuleFactory\n})`,
        { filename: file },
      ) as (require: NodeJS.Require, dir: string, filename: string) => unknown
      const factory = glue(createRequire(file), dirname(file), file) as (
        moduleArg: object | undefined,
      ) => unknown
      // Its runtime logs each model it compiles (INFO and WARNING lines on stderr), which would
      // clutter the CLI's output; errors still get through.
      ;(globalThis as { ModuleFactory?: unknown }).ModuleFactory = (moduleArg?: object) =>
        factory({
          ...moduleArg,
          printErr: (line: string) => {
            if (!/^(INFO|WARNING): /.test(line)) console.error(line)
          },
        })
    }
    const litert = await import('@litertjs/core')
    const require = createRequire(import.meta.url)
    const wasmDir = join(dirname(require.resolve('@litertjs/core/package.json')), 'wasm')
    // It probes for WebGPU, which Node lacks, and warns when it finds none: not news here.
    const warn = console.warn
    console.warn = (...args: unknown[]) => {
      if (!String(args[0]).startsWith('Failed to create default WebGPU device')) warn(...args)
    }
    try {
      await litert.loadLiteRt(`${wasmDir}/`)
    } finally {
      console.warn = warn
    }
    return litert
  })()
  return loading
}

/** A model compiled by LiteRT.js for its CPU (WebAssembly, XNNPACK) accelerator. */
export interface LiteRtModel {
  /** Runs one int8 input tensor through the model; the int8 output bytes. */
  run(input: Int8Array): Promise<Int8Array>
  delete(): void
}

export async function loadLiteRtModel(bytes: Uint8Array): Promise<LiteRtModel> {
  const litert = await loadLiteRt()
  const model: CompiledModel = await litert.loadAndCompile(bytes, { accelerator: 'wasm' })
  const [details] = model.getInputDetails()
  if (!details) throw new Error('LiteRT.js found no input in the model.')
  const shape = [...details.shape]
  return {
    async run(input) {
      // The package's types predate the INT8 entry the install-time patch adds.
      const tensor = new litert.Tensor(input as unknown as Uint8Array<ArrayBuffer>, shape)
      const outputs = await model.run([tensor])
      tensor.delete()
      const data: unknown = outputs[0]?.toTypedArray()
      const result = data instanceof Int8Array ? data.slice() : null
      for (const output of outputs) output.delete()
      if (!result)
        throw new Error('LiteRT.js gave no int8 output: is scripts/patch-litertjs.js applied?')
      return result
    },
    delete: () => model.delete(),
  }
}
