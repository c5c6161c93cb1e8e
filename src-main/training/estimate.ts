import type { BoardId, LayerSpec, ModelEstimate } from '../../src-preload/contract/index.js'
import { shapeModel } from './models.js'

/**
 * Boards a model is sized against: flash and RAM left for the application (the part of the
 * flash a sketch may use, the RAM after the system's own needs).
 */
export const BOARDS: { id: BoardId; name: string; flashBytes: number; ramBytes: number }[] = [
  {
    id: 'nano33ble',
    name: 'Arduino Nano 33 BLE Sense (nRF52840, Cortex-M4F)',
    flashBytes: 983_040,
    ramBytes: 262_144,
  },
  // The default partition table gives an application 1 MB of the 4 MB flash.
  { id: 'esp32', name: 'ESP32 (Xtensa LX6)', flashBytes: 1_048_576, ramBytes: 327_680 },
  {
    id: 'pico',
    name: 'Raspberry Pi Pico (RP2040, Cortex-M0+)',
    flashBytes: 2_093_056,
    ramBytes: 270_336,
  },
  {
    id: 'samd21',
    name: 'SAMD21 (Cortex-M0+, 32 KB RAM: Arduino Zero, Nano 33 IoT)',
    flashBytes: 262_144 - 8_192,
    ramBytes: 32_768,
  },
]

// What the rest of the firmware needs, besides the model: the estimate's stated assumptions.
/** The firmware's code: protocol, int8 interpreter, features, drivers. */
export const FIRMWARE_FLASH_BYTES = 48 * 1024
/** The model file's structure: header, operator list, per-tensor shapes and quantization. */
const MODEL_FILE_BASE_BYTES = 1024
const MODEL_FILE_PER_TENSOR_BYTES = 96
/** Stack, serial buffers, the firmware's own variables. */
export const FIRMWARE_RAM_BYTES = 8 * 1024

/**
 * The size of `layers` on `inputShape` for `classes` classes, as an int8 model: parameters are
 * exact; flash and RAM are estimates from parameter and activation counts (the exported file
 * gives the real figures). Flash: one byte per weight, four per bias, the file's structure, the
 * firmware. RAM: the largest input plus output of one layer (int8), the window of float samples
 * the device collects, and the firmware's own needs.
 */
export function estimateModel(opts: {
  layers: readonly LayerSpec[]
  inputShape: readonly number[]
  classNames: readonly string[]
  windowFloats: number
}): ModelEstimate {
  const { layers, inputShape, classNames, windowFloats } = opts
  const shaped = shapeModel(layers, inputShape, classNames.length)
  const problems = [...shaped.problems]
  if (classNames.length < 2) {
    problems.unshift(
      `The dataset has ${classNames.length === 0 ? 'no classes' : 'one class'}: a classifier needs two or more.`,
    )
  }
  const warnings = layers.flatMap((layer, i) =>
    'activation' in layer && layer.activation === 'tanh'
      ? [
          `Layer ${i + 1} (${layer.type}) uses tanh: it trains, but the int8 export for a ` +
            'device does not support tanh. Use relu, relu6 or linear to deploy it.',
        ]
      : [],
  )
  const params = shaped.layers.reduce((sum, l) => sum + l.params, 0)
  const biases = shaped.layers.reduce((sum, l) => sum + l.biases, 0)
  const weightTensors = shaped.layers.filter((l) => l.params > 0).length * 2
  const activationTensors = shaped.layers.length + 1
  const flashBytes =
    params -
    biases +
    biases * 4 +
    MODEL_FILE_BASE_BYTES +
    (weightTensors + activationTensors) * MODEL_FILE_PER_TENSOR_BYTES +
    FIRMWARE_FLASH_BYTES
  const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1)
  const arena = Math.max(...shaped.layers.map((l) => size(l.inputShape) + size(l.outputShape)))
  const ramBytes = arena + windowFloats * 4 + FIRMWARE_RAM_BYTES
  return {
    inputShape: [...inputShape],
    classes: [...classNames],
    layers: shaped.layers.map((l) => ({
      type: l.layer.type,
      outputShape: l.outputShape,
      params: l.params,
    })),
    params,
    flashBytes,
    ramBytes,
    boards: BOARDS.map((board) => {
      const tooBig = [
        flashBytes > board.flashBytes
          ? `needs about ${kib(flashBytes)} of flash, the board has ${kib(board.flashBytes)}`
          : '',
        ramBytes > board.ramBytes
          ? `needs about ${kib(ramBytes)} of RAM, the board has ${kib(board.ramBytes)}`
          : '',
      ].filter(Boolean)
      return {
        ...board,
        fits: tooBig.length === 0,
        problem: tooBig.length ? `It ${tooBig.join(' and ')}.` : null,
      }
    }),
    problems,
    warnings,
  }
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(bytes < 10_240 ? 1 : 0)} KB`
}
