import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { registerConv2DBackpropFilter } from './conv2d-backprop-filter.js'

export type Backend = 'wasm' | 'cpu'

let ready: Promise<void> | null = null

/**
 * TensorFlow.js on its WebAssembly backend (SIMD, one thread), loaded from the package's own
 * .wasm files, with no network. `cpu` (plain JavaScript) is the reference the benchmark and the
 * gradient check compare with. The first call decides the backend for the process.
 */
export function initEngine(backend: Backend = 'wasm'): Promise<typeof tf> {
  ready ??= (async () => {
    if (backend === 'wasm') {
      const require = createRequire(import.meta.url)
      const dist = join(
        dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
        'dist',
      )
      // Read from disk (not fetched); in Node the backend picks its SIMD build, on one thread
      // (the threaded build needs blob workers, which Node lacks).
      setWasmPaths(`${dist}/`)
    }
    if (!(await tf.setBackend(backend))) throw new Error(`The ${backend} backend did not start.`)
    await tf.ready()
    if (backend === 'wasm') registerConv2DBackpropFilter()
  })()
  return ready.then(() => tf)
}
