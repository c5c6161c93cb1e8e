import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import { expect, test } from 'vitest'
import { registerConv2DBackpropFilter } from '../../../src-main/training/conv2d-backprop-filter.js'

// The wasm backend of TF.js 4.22 lacks the filter gradient of a convolution; ours computes it
// with the backend's 3-D kernel. It must match the plain-JavaScript backend's own gradient.

/** Gradients of a Conv1D's loss with respect to its filter and its input, on `backend`. */
async function gradients(backend: 'wasm' | 'cpu') {
  await tf.setBackend(backend)
  await tf.ready()
  return tf.tidy(() => {
    const x = tf.randomNormal([4, 50, 3], 0, 1, 'float32', 11)
    const filter = tf.randomNormal([5, 3, 8], 0, 0.3, 'float32', 12)
    const target = tf.randomNormal([4, 46, 8], 0, 1, 'float32', 13)
    const loss = (f: tf.Tensor, input: tf.Tensor) =>
      tf.sum(
        tf.square(tf.sub(tf.conv1d(input as tf.Tensor3D, f as tf.Tensor3D, 1, 'valid'), target)),
      )
    const [dFilter, dInput] = tf.grads(loss)([filter, x]) as [tf.Tensor, tf.Tensor]
    return { filter: dFilter.dataSync(), input: dInput.dataSync() }
  })
}

test('the Conv1D filter gradient on wasm matches the CPU backend', async () => {
  const dist = join(
    dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')),
    'dist',
  )
  setWasmPaths(`${dist}/`)
  await tf.setBackend('wasm')
  await tf.ready()
  registerConv2DBackpropFilter()
  const wasm = await gradients('wasm')
  const cpu = await gradients('cpu')
  expect(wasm.filter.length).toBe(5 * 3 * 8)
  const largest = Math.max(...Array.from(cpu.filter, Math.abs))
  const worst = Math.max(
    ...Array.from(wasm.filter, (v, i) => Math.abs(v - (cpu.filter[i] as number))),
  )
  expect(largest).toBeGreaterThan(1)
  expect(worst / largest).toBeLessThan(1e-5)
  const worstInput = Math.max(
    ...Array.from(wasm.input, (v, i) => Math.abs(v - (cpu.input[i] as number))),
  )
  expect(worstInput).toBeLessThan(1e-3)
})

test('the kernel refuses strides other than 1, which the wasm 3-D kernel gets wrong', async () => {
  await tf.setBackend('wasm')
  const run = () =>
    tf.tidy(() => {
      const x = tf.ones([1, 20, 2]) as tf.Tensor3D
      const f = tf.ones([3, 2, 4]) as tf.Tensor3D
      return tf.grad((filter: tf.Tensor) =>
        tf.sum(tf.conv1d(x, filter as tf.Tensor3D, 2, 'valid')),
      )(f)
    })
  expect(run).toThrow(/only NHWC, stride 1/)
})
