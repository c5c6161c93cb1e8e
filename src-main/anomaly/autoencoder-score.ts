import type { Int8Interpreter } from '../tflite/interpreter.js'
import { quantizeInput } from '../tflite/index.js'

/**
 * An int8 autoencoder's anomaly score of one normalized window (docs/anomaly.md), as the device
 * computes it: the window quantized to the model's input, run, and the mean of the squared
 * differences between the dequantized reconstruction and the dequantized input, in double:
 *
 *   score = (1/n) Σᵢ ( s_out·(y_i − z_out) − s_in·(x_i − z_in) )²
 *
 * with x the int8 input, y the int8 output, s and z their scales (float32 in the file) and zero
 * points. The exported C and the firmware core compute the same expression in the same order.
 */
export function int8ReconstructionScore(
  interpreter: Int8Interpreter,
  window: Float32Array,
): number {
  const input = quantizeInput(window, interpreter.input)
  const output = interpreter.run(input)
  const { scale: si, zeroPoint: zi } = interpreter.input
  const { scale: so, zeroPoint: zo } = interpreter.output
  let sum = 0
  for (let i = 0; i < input.length; i++) {
    const d = so * ((output[i] as number) - zo) - si * ((input[i] as number) - zi)
    sum += d * d
  }
  return sum / input.length
}
