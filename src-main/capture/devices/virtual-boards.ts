import { join } from 'node:path'
import {
  firmwareBinary,
  startVirtualBoard,
  type VirtualBoard,
  type VirtualBoardKind,
} from '../../device/virtual-board.js'
import { decoderFor } from '../decoders/decoder-for.js'
import { ByteSource } from '../sources/byte-source.js'
import { SerialSource } from '../sources/serial-source.js'
import type { Device, DeviceProvider } from './device-registry.js'

/** The ids of the virtual boards in the device list. */
export const VIRTUAL_BOARD_IDS: Record<VirtualBoardKind, string> = {
  host: 'virtual:host',
  'qemu-m4': 'virtual:qemu-m4',
}
const LABELS: Record<VirtualBoardKind, string> = {
  host: 'TinyLoop firmware (host, virtual)',
  'qemu-m4': 'TinyLoop firmware (Cortex-M4 under QEMU, virtual)',
}
const STEMS: Record<VirtualBoardKind, string> = { host: 'Firmware host', 'qemu-m4': 'Firmware M4' }
/** The host port paces its pty at this rate; the baud of a pty itself is ignored. */
const LINE_BAUD = 921_600

/**
 * The firmware built on this computer (`npm run build:native`) as boards in the device list:
 * the host port, and the Cortex-M4 build under QEMU where it is built. Each starts on its first
 * open, keeps its model slots in a folder of the user data folder, and runs until the services
 * close, so it records and flashes like a board on a cable.
 */
export class VirtualBoards implements DeviceProvider {
  readonly #stateRoot: string
  readonly #boards = new Map<VirtualBoardKind, VirtualBoard>()
  readonly #starting = new Map<VirtualBoardKind, Promise<VirtualBoard>>()
  #closed = false

  /** `stateRoot`: where each board's state folder goes (`<userData>/virtual-boards`). */
  constructor(stateRoot: string) {
    this.#stateRoot = stateRoot
  }

  async list(): Promise<Device[]> {
    return this.#kinds().map((kind) => this.#device(kind))
  }

  async find(id: string): Promise<Device | null> {
    const kind = this.#kinds().find((k) => VIRTUAL_BOARD_IDS[k] === id)
    return kind ? this.#device(kind) : null
  }

  /** The board of `kind`, started if it is not running (again, if it ended). */
  board(kind: VirtualBoardKind): Promise<VirtualBoard> {
    const running = this.#boards.get(kind)
    if (running?.alive()) return Promise.resolve(running)
    const starting =
      this.#starting.get(kind) ??
      startVirtualBoard(kind, { stateDir: join(this.#stateRoot, kind) })
        .then(async (board) => {
          if (this.#closed) {
            await board.stop()
            throw new Error('TinyLoop is closing.')
          }
          this.#boards.set(kind, board)
          return board
        })
        .finally(() => this.#starting.delete(kind))
    this.#starting.set(kind, starting)
    return starting
  }

  /** Ends the boards this provider started. */
  async close(): Promise<void> {
    this.#closed = true
    await Promise.allSettled([...this.#starting.values()])
    await Promise.all([...this.#boards.values()].map((b) => b.stop()))
    this.#boards.clear()
  }

  #kinds(): VirtualBoardKind[] {
    return (['host', 'qemu-m4'] as const).filter((kind) => firmwareBinary(kind) !== null)
  }

  #device(kind: VirtualBoardKind): Device {
    const id = VIRTUAL_BOARD_IDS[kind]
    const running = this.#boards.get(kind)
    return {
      description: {
        id,
        kind: 'virtual',
        path: running?.alive() ? running.path : null,
        label: LABELS[kind],
        manufacturer: 'TinyLoop',
        vendorId: null,
        productId: null,
        serialNumber: null,
      },
      settingsKey: id,
      recordedAs: LABELS[kind],
      nameStem: STEMS[kind],
      serialPath: async () => (await this.board(kind)).path,
      connect: ({ format }) => ({
        source: new VirtualBoardSource(() => this.board(kind)),
        decoder: decoderFor(format),
      }),
    }
  }
}

/** A virtual board's pty as a recording's source: the board starts when it is opened. */
class VirtualBoardSource extends ByteSource {
  readonly #board: () => Promise<VirtualBoard>
  #serial: SerialSource | null = null

  constructor(board: () => Promise<VirtualBoard>) {
    super()
    this.#board = board
  }

  async open(): Promise<void> {
    const board = await this.#board()
    const serial = new SerialSource({ path: board.path, baudRate: LINE_BAUD })
    serial.on('data', (bytes) => this.emit('data', bytes))
    serial.on('disconnect', (why) => this.emit('disconnect', why))
    serial.on('reconnect', () => this.emit('reconnect'))
    await serial.open()
    this.#serial = serial
  }

  async close(): Promise<void> {
    await this.#serial?.close()
    this.#serial = null
  }

  async write(bytes: Uint8Array): Promise<void> {
    await this.#serial?.write(bytes)
  }
}
