import { expect } from 'vitest'
import type { DeviceClient } from '../../src-main/device/device-client.js'
import { quantizeInput, type createInterpreter } from '../../src-main/tflite/index.js'
import { windows } from '../unit/tflite/random-model.js'

export * from './host-port.js'

/** A model as a device should run it: the image's CRC and the app's interpreter of its .tflite. */
export interface ExpectedModel {
  crc: number
  interpreter: ReturnType<typeof createInterpreter>
  features: number
}

/**
 * The device runs `model`: its active slot has the image's CRC-32, and its int8 outputs on `n`
 * windows (INPUT) are the app's interpreter's.
 */
export async function expectRunning(client: DeviceClient, model: ExpectedModel, n = 3) {
  const hello = await client.hello()
  expect(hello.active).not.toBe(0)
  expect(hello.slots[hello.active - 1]?.crc32).toBe(model.crc)
  for (const window of windows(n, [model.features], 99)) {
    const input = quantizeInput(window, model.interpreter.input)
    const result = await client.infer(input)
    expect(result.modelCrc32).toBe(model.crc)
    expect(result.outputs).toEqual(Array.from(model.interpreter.run(input)))
  }
}
