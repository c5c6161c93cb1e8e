import type { DeviceHello, DeviceSlot, FlashResult } from '../../src-preload/contract/index.js'
import type { CaptureService } from '../capture/capture-service.js'
import { openError } from '../capture/sources/serial-source.js'
import type { DeployService } from '../deploy/deploy-service.js'
import { ServiceError } from '../rpc/errors.js'
import type { EventBus } from '../rpc/events.js'
import {
  DeviceClient,
  DeviceError,
  FlashCancelledError,
  openSerialLink,
  type ClosableLink,
} from './device-client.js'
import { crc32 } from './protocol/crc32.js'
import type { Slot } from './protocol/frames.js'

export interface DeviceServiceOptions {
  capture: CaptureService
  deploy: DeployService
  events: EventBus
  /** Opens a serial port as a link; tests may give another. */
  connect?: (path: string) => Promise<ClosableLink>
}

const SLOT_NAMES = ['A', 'B'] as const
const SLOT_STATES = ['empty', 'valid', 'damaged'] as const

/** A prediction the device made of its own window while streaming. */
export interface LivePrediction {
  modelCrc32: string
  windowEndUs: number
  latencyUs: number
  outputs: number[]
  /** From opening the port to the prediction. */
  seconds: number
}

/** Waiting for a live prediction was cancelled. */
export class LiveCancelledError extends Error {}

export const hex32 = (n: number) => (n >>> 0).toString(16).padStart(8, '0')

/**
 * Boards running TinyLoop firmware: their hello, and flashing a run's model image to one with
 * progress events. A port is a device id of the capture device list (a serial port's path, or
 * `virtual:host`, which starts on first use). One flash at a time per port; a port being
 * recorded is refused in words (the recording holds it), and so is recording a port being
 * flashed.
 */
export class DeviceService {
  readonly #opts: DeviceServiceOptions
  /** Flashes in progress, by port, with how to cancel them. */
  readonly #flashes = new Map<string, { abort: AbortController; done: Promise<unknown> }>()
  /** Ports being spoken to (a flash or a hello). */
  /** Ports with an exchange open (a hello, a flash), each with the end of its exchange. */
  readonly #open = new Map<string, Promise<void>>()
  /** By port: the end of the last session queued on it; sessions on a port take turns. */
  readonly #turns = new Map<string, Promise<void>>()

  constructor(opts: DeviceServiceOptions) {
    this.#opts = opts
    opts.capture.startGuard = async (deviceId) => {
      // A short exchange (the Deploy view's hello) is waited for; a flash is not.
      if (!this.#flashes.has(deviceId)) await this.#open.get(deviceId)
      return this.#open.has(deviceId) || this.#flashes.has(deviceId)
        ? `A flash is in progress on ${deviceId}. Wait for it to end (or cancel it) first.`
        : null
    }
  }

  async info(port: string, runId?: number): Promise<DeviceHello> {
    const image = runId === undefined ? null : this.#opts.deploy.image(runId)
    const hello = await this.#session(port, (client) => client.hello())
    const active = hello.active === 0 ? null : slotOf(hello.slots, hello.active - 1)
    return {
      port,
      board: hello.board,
      firmware: hello.firmware.join('.'),
      protocol: hello.protocol,
      deviceId: hello.deviceId,
      channels: hello.channels,
      rateHz: hello.rateHz,
      rates: hello.rates,
      streaming: (hello.flags & 1) !== 0,
      maxBody: hello.maxBody,
      window: hello.window,
      slotBytes: hello.modelCapacity,
      arenaCapacity: hello.arenaCapacity,
      slots: hello.slots.map((_, i) => slotOf(hello.slots, i)),
      active,
      image:
        image && runId !== undefined
          ? {
              runId,
              bytes: image.length,
              crc32: hex32(crc32(image)),
              active: active?.crc32 === hex32(crc32(image)) && active.state === 'valid',
            }
          : null,
      dropped: hello.counters,
    }
  }

  async flash(runId: number, port: string): Promise<FlashResult> {
    if (this.#flashes.has(port)) {
      throw new ServiceError('BUSY', `A flash to ${port} is already in progress.`)
    }
    const abort = new AbortController()
    let finished!: () => void
    const done = new Promise<void>((resolve) => (finished = resolve))
    this.#flashes.set(port, { abort, done })
    try {
      const image = this.#opts.deploy.image(runId)
      const emit = (p: { stage: 'connecting' | 'sending' | 'checking'; sentBytes: number }) =>
        this.#opts.events.emit('device.onFlashProgress', {
          runId,
          port,
          stage: p.stage,
          sentBytes: p.sentBytes,
          totalBytes: image.length,
        })
      emit({ stage: 'connecting', sentBytes: 0 })
      const result = await this.#session(port, (client) =>
        client.flash(image, { modelId: runId, signal: abort.signal, onProgress: emit }),
      )
      const active = result.slots[result.active - 1]
      if (!active)
        throw new ServiceError('DEVICE', 'The device has no active model after the flash.')
      return {
        ok: true,
        runId,
        port,
        bytes: result.bytes,
        crc32: hex32(result.crc32),
        seconds: result.seconds,
        activeCrc32: hex32(active.crc32),
        arenaBytes: active.arenaBytes,
        slot: SLOT_NAMES[result.active - 1] ?? 'A',
        resentChunks: result.resentChunks,
      }
    } finally {
      this.#flashes.delete(port)
      finished()
    }
  }

  /**
   * Streams from the device on `port` until it sends a prediction (an INFERENCE of its own
   * window) of the model whose image has CRC-32 `crc32`, then stops it again if it was not
   * streaming before: proof that this model runs on live data. Fails after `timeoutMs`.
   */
  async confirmLive(
    port: string,
    crc32: string,
    opts: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<LivePrediction> {
    return this.#session(port, async (client) => {
      const started = performance.now()
      const hello = await client.hello()
      let off = () => {}
      let timer: NodeJS.Timeout | undefined
      let onAbort = () => {}
      const seen = new Promise<LivePrediction>((resolve, reject) => {
        off = client.onUnsolicited((frame) => {
          if (frame.type !== 'INFERENCE' || hex32(frame.modelCrc32) !== crc32) return
          resolve({
            modelCrc32: crc32,
            windowEndUs: frame.windowEndUs,
            latencyUs: frame.latencyUs,
            outputs: frame.outputs,
            seconds: (performance.now() - started) / 1000,
          })
        })
        timer = setTimeout(
          () =>
            reject(
              new ServiceError(
                'DEVICE',
                `No prediction of the model ${crc32} came from ${port} in ${opts.timeoutMs / 1000} s of streaming. Check its rate and channels (tinyloop board).`,
              ),
            ),
          opts.timeoutMs,
        )
        onAbort = () =>
          reject(new LiveCancelledError('Waiting for live predictions was cancelled.'))
        opts.signal?.addEventListener('abort', onAbort)
        if (opts.signal?.aborted) onAbort()
      })
      seen.catch(() => {})
      try {
        await client.start()
        return await seen
      } finally {
        off()
        clearTimeout(timer)
        opts.signal?.removeEventListener('abort', onAbort)
        if ((hello.flags & 1) === 0) await client.stop().catch(() => {})
      }
    })
  }

  /** Cancels the flash on `port`; resolves once it has ended. */
  async cancelFlash(port: string): Promise<{ cancelled: boolean }> {
    const flash = this.#flashes.get(port)
    if (!flash) return { cancelled: false }
    flash.abort.abort()
    await flash.done
    return { cancelled: true }
  }

  /** Cancels every flash in progress (the app closing). */
  async close(): Promise<void> {
    await Promise.all([...this.#flashes.keys()].map((port) => this.cancelFlash(port)))
  }

  /** Opens the port, runs `work` with a client on it, and closes it; errors in words. */
  async #session<T>(port: string, work: (client: DeviceClient) => Promise<T>): Promise<T> {
    const { capture } = this.#opts
    if (capture.recordingOn(port)) {
      throw new ServiceError(
        'BUSY',
        `${port} is being recorded: stop recording on ${port} first (Capture, or Ctrl+C in tinyloop record).`,
      )
    }
    const previous = this.#turns.get(port) ?? Promise.resolve()
    let done!: () => void
    const turn = new Promise<void>((resolve) => (done = resolve))
    this.#turns.set(port, turn)
    await previous
    try {
      return await this.#spoken(port, work)
    } finally {
      done()
      if (this.#turns.get(port) === turn) this.#turns.delete(port)
    }
  }

  async #spoken<T>(port: string, work: (client: DeviceClient) => Promise<T>): Promise<T> {
    const { capture } = this.#opts
    const device = await capture.device(port)
    if (!device.serialPath) {
      throw new ServiceError(
        'UNSUPPORTED',
        `${device.description.label} runs no firmware to flash. Pick a board, or the TinyLoop firmware (host, virtual).`,
      )
    }
    let closed!: () => void
    this.#open.set(port, new Promise<void>((resolve) => (closed = resolve)))
    try {
      const path = await device.serialPath()
      let link: ClosableLink
      try {
        link = await (this.#opts.connect ?? openSerialLink)(path)
      } catch (err) {
        throw openError(path, err instanceof Error ? err : new Error(String(err)))
      }
      const client = new DeviceClient(link)
      try {
        return await work(client)
      } catch (err) {
        if (err instanceof FlashCancelledError) {
          throw new ServiceError(
            'DEVICE',
            'The flash was cancelled; the device keeps its previous model.',
          )
        }
        if (err instanceof DeviceError) throw new ServiceError('DEVICE', err.message)
        throw err
      } finally {
        client.dispose()
        await link.close()
      }
    } finally {
      this.#open.delete(port)
      closed()
    }
  }
}

function slotOf(slots: readonly Slot[], i: number): DeviceSlot {
  const s = slots[i] as Slot
  return {
    slot: SLOT_NAMES[i] ?? 'A',
    state: SLOT_STATES[s.state] ?? 'damaged',
    bytes: s.size,
    crc32: hex32(s.crc32),
    modelId: s.modelId,
    arenaBytes: s.arenaBytes,
  }
}
