import type {
  DeviceHello,
  DeviceInfo,
  FlashProgress,
  FlashResult,
} from '../../../src-preload/contract/index'
import type { ApiClient } from '../../api/client'
import { RpcError, messageOf } from '../../api/rpc-error'

const PORT_POLL_MS = 2000

/** Why a flash failed, as the Device card words it. */
export type FlashFailure = 'refused' | 'no answer' | 'busy' | 'cancelled' | 'other'

/** The last flash of the port chosen: in progress, done, or failed. */
export type FlashOutcome =
  | ({ state: 'flashing' } & Omit<FlashProgress, 'port'> & FlashClock)
  | { state: 'done'; runId: number; result: FlashResult }
  | { state: 'error'; runId: number; failure: FlashFailure; text: string }

/** When the first bytes were acknowledged and how many (ms, bytes), and when the last were. */
interface FlashClock {
  firstAt: number | null
  firstBytes: number
  lastAt: number
}

/** How a refusal is told apart from a silence: by the service's words (docs/deploy.md). */
export function failureOf(err: unknown): FlashFailure {
  if (err instanceof RpcError && err.code === 'BUSY') return 'busy'
  const text = messageOf(err)
  if (/^The device refused/.test(text)) return 'refused'
  if (/stopped answering/.test(text)) return 'no answer'
  if (/cancelled/.test(text)) return 'cancelled'
  return 'other'
}

/**
 * The Deploy view's Device card: the ports a model can go to (the capture device list less the
 * demo device, polled while the view is open), the chosen port's hello and whether the run's
 * model is its active one, and a flash of the run with its progress, cancel and result. Answers
 * for a port or run no longer chosen are dropped.
 */
export class DeviceFlashState {
  readonly #api: ApiClient
  readonly #runId: () => number | null
  readonly #now: () => number
  ports = $state.raw<DeviceInfo[]>([])
  /** The port picked; null: none yet (the first virtual board or board is proposed). */
  portId = $state<string | null>(null)
  #hello = $state.raw<DeviceHello | null>(null)
  #helloError = $state.raw<{ port: string; text: string } | null>(null)
  /** The port whose hello is being asked. */
  asking = $state<string | null>(null)
  /** By port. */
  #outcomes = $state.raw<Record<string, FlashOutcome>>({})
  #poll: ReturnType<typeof setInterval> | null = null
  #helloToken = 0

  /** `now`: the clock in ms, for the time left (tests give theirs). */
  constructor(api: ApiClient, opts: { runId: () => number | null; now?: () => number }) {
    this.#api = api
    this.#runId = opts.runId
    this.#now = opts.now ?? (() => performance.now())
    api.on('device.onFlashProgress', (p) => {
      const outcome = this.#outcomes[p.port]
      if (outcome?.state !== 'flashing' || outcome.runId !== p.runId) return
      const at = this.#now()
      // The first acknowledged bytes start the clock; the rate counts those after them.
      const starts = outcome.firstAt === null && p.stage === 'sending' && p.sentBytes > 0
      this.#setOutcome(p.port, {
        state: 'flashing',
        runId: p.runId,
        stage: p.stage,
        sentBytes: p.sentBytes,
        totalBytes: p.totalBytes,
        firstAt: starts ? at : outcome.firstAt,
        firstBytes: starts ? p.sentBytes : outcome.firstBytes,
        lastAt: at,
      })
    })
  }

  readonly port: DeviceInfo | null = $derived(this.ports.find((d) => d.id === this.portId) ?? null)
  /** The chosen port's hello, once it answered (for the run asked about, if any). */
  readonly hello: DeviceHello | null = $derived(
    this.#hello && this.#hello.port === this.portId ? this.#hello : null,
  )
  readonly helloError: string | null = $derived(
    this.#helloError && this.#helloError.port === this.portId ? this.#helloError.text : null,
  )
  readonly outcome: FlashOutcome | null = $derived(
    (this.portId && this.#outcomes[this.portId]) || null,
  )
  readonly flashing: boolean = $derived(this.outcome?.state === 'flashing')
  /** The share of the image acknowledged, 0 to 1, while flashing. */
  readonly progress: number = $derived(
    this.outcome?.state === 'flashing' && this.outcome.totalBytes > 0
      ? this.outcome.sentBytes / this.outcome.totalBytes
      : 0,
  )
  /** The run's model is the device's active one (by the image's CRC-32). */
  /** Seconds left while sending, from the rate so far; null until it can be told. */
  get secondsLeft(): number | null {
    const o = this.outcome
    if (o?.state !== 'flashing' || o.stage !== 'sending' || o.firstAt === null) return null
    const bytes = o.sentBytes - o.firstBytes
    const ms = o.lastAt - o.firstAt
    if (bytes <= 0 || ms <= 0) return null
    return ((o.totalBytes - o.sentBytes) / bytes) * (ms / 1000)
  }

  get runIsActive(): boolean {
    return this.hello?.image?.active === true && this.hello.image.runId === this.#runId()
  }
  get canFlash(): boolean {
    return this.port !== null && this.#runId() !== null && !this.flashing
  }

  /** Polls the ports while the Deploy view is open; returns the stop. */
  watchPorts(): () => void {
    void this.refreshPorts()
    this.#poll = setInterval(() => void this.refreshPorts(), PORT_POLL_MS)
    return () => {
      if (this.#poll) clearInterval(this.#poll)
      this.#poll = null
    }
  }

  async refreshPorts(): Promise<void> {
    let devices: DeviceInfo[]
    try {
      devices = await this.#api.call('devices.list', {})
    } catch {
      return
    }
    this.ports = devices.filter((d) => d.kind !== 'demo')
    if (this.portId === null || !this.ports.some((d) => d.id === this.portId)) {
      const proposed =
        this.ports.find((d) => d.kind === 'virtual') ?? this.ports.find((d) => d.kind === 'serial')
      if (proposed && this.portId === null) this.choose(proposed.id)
    }
  }

  /** Picks the port to flash and asks it who it is. */
  choose(portId: string): Promise<void> {
    this.portId = portId
    return this.ask()
  }

  /** Asks the chosen port for its hello, and whether the run's model is active there. */
  async ask(): Promise<void> {
    const port = this.portId
    if (!port || this.flashing) return
    const token = ++this.#helloToken
    this.asking = port
    try {
      const hello = await this.#api.call('device.info', {
        port,
        runId: this.#runId() ?? undefined,
      })
      if (token !== this.#helloToken) return
      this.#hello = hello
      this.#helloError = null
    } catch (err) {
      if (token === this.#helloToken) this.#helloError = { port, text: messageOf(err) }
    } finally {
      if (token === this.#helloToken) this.asking = null
    }
  }

  /** Flashes the run's model to the chosen port; then asks the device again. */
  async flash(): Promise<void> {
    const port = this.portId
    const runId = this.#runId()
    if (!port || runId === null || this.flashing) return
    this.#setOutcome(port, {
      state: 'flashing',
      runId,
      stage: 'connecting',
      sentBytes: 0,
      totalBytes: 0,
      firstAt: null,
      firstBytes: 0,
      lastAt: this.#now(),
    })
    try {
      const result = await this.#api.call('device.flash', { runId, port })
      this.#setOutcome(port, { state: 'done', runId, result })
    } catch (err) {
      this.#setOutcome(port, {
        state: 'error',
        runId,
        failure: failureOf(err),
        text: messageOf(err),
      })
    }
    if (this.portId === port) await this.ask()
  }

  /** Cancels the flash in progress on the chosen port (the device keeps its model). */
  async cancel(): Promise<void> {
    const port = this.portId
    if (!port || !this.flashing) return
    await this.#api.call('device.cancelFlash', { port }).catch(() => {})
  }

  /** Forgets the last flash of `port` (another model went there since). */
  forget(port: string): void {
    if (this.#outcomes[port]?.state === 'flashing') return
    const { [port]: _, ...rest } = this.#outcomes
    this.#outcomes = rest
  }

  /** Another project: its runs are not the ones asked about. */
  reset(): void {
    this.#hello = null
    this.#helloError = null
    this.#outcomes = {}
  }

  #setOutcome(port: string, outcome: FlashOutcome): void {
    this.#outcomes = { ...this.#outcomes, [port]: outcome }
  }
}
