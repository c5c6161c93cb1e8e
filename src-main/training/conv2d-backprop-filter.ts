import * as tf from '@tensorflow/tfjs'
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs'

/**
 * The gradient of a 2-D convolution with respect to its filter, which the WebAssembly backend of
 * TensorFlow.js 4.22 lacks (so Conv1D cannot train on it): computed by the backend's own 3-D
 * kernel, with a depth of 1. Strides other than 1 are refused: the 3-D kernel gets them wrong in
 * 4.22 (FINDINGS.md), and the models pool instead.
 */
export function registerConv2DBackpropFilter(): void {
  const reshape = tf.getKernel('Reshape', 'wasm')?.kernelFunc
  const filter3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm')?.kernelFunc
  if (!reshape || !filter3d)
    throw new Error('The wasm backend lacks Reshape or Conv3DBackpropFilterV2.')
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo }
    const { strides, pad, dataFormat, dilations, filterShape } = attrs as unknown as {
      strides: number | [number, number]
      pad: 'valid' | 'same'
      dataFormat: 'NHWC' | 'NCHW'
      dilations?: number | [number, number]
      filterShape: [number, number, number, number]
    }
    const [strideH, strideW] = typeof strides === 'number' ? [strides, strides] : strides
    const dilated = dilations !== undefined && [dilations].flat().some((d) => d !== 1)
    if (dataFormat !== 'NHWC' || strideH !== 1 || strideW !== 1 || dilated) {
      throw new Error('Conv2DBackpropFilter on wasm: only NHWC, stride 1, no dilation.')
    }
    const [n, h, w, c] = x.shape as [number, number, number, number]
    const [, outH, outW, outC] = dy.shape as [number, number, number, number]
    const as5d = (input: TensorInfo, shape: number[]) =>
      reshape({ inputs: { x: input }, backend, attrs: { shape } }) as TensorInfo
    const x5 = as5d(x, [n, 1, h, w, c])
    const dy5 = as5d(dy, [n, 1, outH, outW, outC])
    const grad5 = filter3d({
      inputs: { x: x5, dy: dy5 },
      backend,
      attrs: { strides: [1, 1, 1], pad, filterShape: [1, ...filterShape] },
    }) as TensorInfo
    const grad = as5d(grad5, filterShape)
    const owner = backend as tf.KernelBackend
    for (const info of [x5, dy5, grad5]) owner.disposeData(info.dataId)
    return grad
  }
  const config: KernelConfig = {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc,
  }
  tf.registerKernel(config)
}
