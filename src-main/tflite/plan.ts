import type { BoardId } from '../../src-preload/contract/index.js'
import { BOARDS } from '../training/estimate.js'
import type { ParsedTflite, TfliteModel } from './model.js'

/** TFLite Micro aligns every arena buffer to 16 bytes (kBufferAlignment). */
const ARENA_ALIGNMENT = 16
/**
 * What TFLite Micro keeps in the arena besides the activations, stated rather than measured
 * (no TFLM build is at hand): per tensor its TfLiteEvalTensor and allocation record, per operator
 * its node, registration pointer and op data (multipliers and shifts for a few channels).
 */
export const ARENA_OVERHEAD = { perTensorBytes: 32, perOperatorBytes: 96, fixedBytes: 512 }

/**
 * The assumption behind the latency estimate: cycles per multiply-accumulate of TFLite Micro's
 * int8 reference kernels (no CMSIS-NN or ESP-NN), with the clock of each board. Rough by design.
 */
const CPU: Record<BoardId, { clockHz: number; cyclesPerMac: number; core: string }> = {
  nano33ble: { clockHz: 64e6, cyclesPerMac: 4, core: 'Cortex-M4F' },
  esp32: { clockHz: 240e6, cyclesPerMac: 4, core: 'Xtensa LX6' },
  pico: { clockHz: 133e6, cyclesPerMac: 10, core: 'Cortex-M0+' },
  samd21: { clockHz: 48e6, cyclesPerMac: 10, core: 'Cortex-M0+' },
}
/** Cycles each operator costs besides its MACs (requantization, loops, the interpreter). */
const CYCLES_PER_OPERATOR = 2000

export interface ArenaPlacement {
  tensor: number
  name: string
  /** Bytes, aligned to 16. */
  size: number
  offset: number
  /** The operators that write it first and read it last (-1: the model input, before any). */
  firstOperator: number
  lastOperator: number
}

export interface MemoryPlan {
  /** The model file's bytes: what it takes in flash. */
  flashBytes: number
  /** The planned tensor arena: activations as placed, plus the stated overhead. */
  arenaBytes: number
  /** The activations' part of it: the end of the highest placed tensor. */
  activationBytes: number
  /** No plan can do better: the most bytes alive at once (16-byte aligned sizes). */
  lowerBoundBytes: number
  overheadBytes: number
  placements: ArenaPlacement[]
  /** Multiply-accumulates per inference (convolutions and fully connected layers). */
  macs: number
  boards: BoardPlan[]
}

export interface BoardPlan {
  id: BoardId
  name: string
  flashBytes: number
  ramBytes: number
  core: string
  clockHz: number
  cyclesPerMac: number
  /** An estimate: MACs × cycles per MAC plus a fixed cost per operator, at the board's clock. */
  estimatedLatencyMs: number
  /** The model's file and arena against the board's flash and RAM for the application. */
  fits: boolean
}

/**
 * Flash, arena and compute of a model: the arena by planning activation lifetimes offline with a
 * greedy first-fit planner, as TFLite Micro's GreedyMemoryPlanner does (largest first, each at
 * the lowest 16-byte aligned offset that overlaps no tensor alive at the same time), with the
 * largest set of simultaneously live tensors as the lower bound beside it.
 */
export function planModel(model: ParsedTflite): MemoryPlan {
  const placements = placeActivations(model)
  const activationBytes = Math.max(0, ...placements.map((p) => p.offset + p.size))
  let lowerBoundBytes = 0
  for (let op = -1; op < model.operators.length; op++) {
    const live = placements.filter((p) => p.firstOperator <= op && op <= p.lastOperator)
    lowerBoundBytes = Math.max(
      lowerBoundBytes,
      live.reduce((sum, p) => sum + p.size, 0),
    )
  }
  const overheadBytes =
    ARENA_OVERHEAD.fixedBytes +
    model.tensors.length * ARENA_OVERHEAD.perTensorBytes +
    model.operators.length * ARENA_OVERHEAD.perOperatorBytes
  const arenaBytes = activationBytes + overheadBytes
  const macs = macsOf(model)
  return {
    flashBytes: model.sizeBytes,
    arenaBytes,
    activationBytes,
    lowerBoundBytes,
    overheadBytes,
    placements,
    macs,
    boards: BOARDS.map((board) => {
      const cpu = CPU[board.id]
      const cycles = macs * cpu.cyclesPerMac + model.operators.length * CYCLES_PER_OPERATOR
      return {
        ...board,
        ...cpu,
        estimatedLatencyMs: (cycles / cpu.clockHz) * 1000,
        fits: model.sizeBytes <= board.flashBytes && arenaBytes <= board.ramBytes,
      }
    }),
  }
}

/** Each activation tensor's lifetime, placed by greedy first fit, largest first. */
function placeActivations(model: TfliteModel): ArenaPlacement[] {
  const isActivation = (t: number) =>
    (model.buffers[model.tensors[t]?.buffer ?? 0]?.length ?? 0) === 0
  const lifetimes = new Map<number, { first: number; last: number }>()
  const touch = (t: number, op: number) => {
    if (t < 0 || !isActivation(t)) return
    const life = lifetimes.get(t)
    if (life) life.last = Math.max(life.last, op)
    else lifetimes.set(t, { first: op, last: op })
  }
  for (const t of model.inputs) touch(t, -1)
  model.operators.forEach((op, index) => {
    for (const t of op.outputs) touch(t, index)
    for (const t of op.inputs) touch(t, index)
  })
  for (const t of model.outputs) touch(t, model.operators.length - 1)
  const buffers = [...lifetimes].map(([tensor, life]) => {
    const t = model.tensors[tensor]
    const bytes = (t?.shape.reduce((a, b) => a * b, 1) ?? 0) * elementBytes(t?.type)
    return {
      tensor,
      name: t?.name ?? '',
      size: Math.ceil(bytes / ARENA_ALIGNMENT) * ARENA_ALIGNMENT,
      offset: 0,
      firstOperator: life.first,
      lastOperator: life.last,
    }
  })
  const byPlacementOrder = [...buffers].sort(
    (a, b) => b.size - a.size || a.firstOperator - b.firstOperator,
  )
  const placed: ArenaPlacement[] = []
  for (const buffer of byPlacementOrder) {
    const overlapping = placed
      .filter(
        (p) => p.firstOperator <= buffer.lastOperator && buffer.firstOperator <= p.lastOperator,
      )
      .sort((a, b) => a.offset - b.offset)
    let offset = 0
    for (const p of overlapping) {
      if (offset + buffer.size <= p.offset) break
      offset = Math.max(offset, p.offset + p.size)
    }
    buffer.offset = offset
    placed.push(buffer)
  }
  return buffers
}

function elementBytes(type: string | undefined): number {
  return type === 'INT32' || type === 'FLOAT32' ? 4 : type === 'INT16' ? 2 : 1
}

/** Multiply-accumulates of the model's convolutions and fully connected layers. */
function macsOf(model: TfliteModel): number {
  const shape = (t: number | undefined) => model.tensors[t ?? -1]?.shape ?? []
  const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1)
  return model.operators.reduce((sum, op) => {
    const name = model.operatorCodes[op.opcodeIndex]?.name
    const output = size(shape(op.outputs[0]))
    const filter = shape(op.inputs[1])
    switch (name) {
      case 'FULLY_CONNECTED':
        return sum + output * (filter[1] ?? 0)
      case 'CONV_2D':
        return sum + output * size(filter.slice(1))
      case 'DEPTHWISE_CONV_2D':
        return sum + output * size(filter.slice(1, 3))
      default:
        return sum
    }
  }, 0)
}
