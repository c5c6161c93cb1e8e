import { fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Backend } from './engine.js'
import type { FromTrainer, ToTrainer } from './protocol.js'
import type { TrainJob, TrainResult } from './train-loop.js'

/** A started trainer process, whatever started it. */
export interface TrainerChannel {
  send(message: ToTrainer): void
  onMessage(handler: (message: FromTrainer) => void): void
  /** Called once when the process ends, with how it ended in words. */
  onExit(handler: (how: string | null) => void): void
  kill(): void
  readonly pid: number | undefined
}

/** Starts trainer processes: Electron's utilityProcess in the app, fork everywhere else. */
export interface TrainerLauncher {
  launch(): TrainerChannel
}

/** The trainer as a forked Node process: the built trainer.js, or its source under tsx. */
export class ForkLauncher implements TrainerLauncher {
  launch(): TrainerChannel {
    const { entry, execArgv } = trainerEntry()
    const child = fork(entry, [], { serialization: 'advanced', execArgv, stdio: 'inherit' })
    return {
      pid: child.pid,
      send: (message) => {
        if (child.connected) child.send(message)
      },
      onMessage: (handler) => child.on('message', (m) => handler(m as FromTrainer)),
      onExit: (handler) =>
        child.once('exit', (code, signal) =>
          handler(signal ? `killed by ${signal}` : code === 0 ? null : `exit code ${code}`),
        ),
      kill: () => child.kill('SIGKILL'),
    }
  }
}

function trainerEntry(): { entry: string; execArgv: string[] } {
  const here = dirname(fileURLToPath(import.meta.url))
  // Built: out/main/cli.js (or index.js) beside out/main/trainer.js.
  const built = join(here, 'trainer.js')
  if (existsSync(built)) return { entry: built, execArgv: [] }
  // Running from source (tests): this file sits beside trainer-process.ts.
  return { entry: join(here, 'trainer-process.ts'), execArgv: ['--import', 'tsx'] }
}

export interface TrainerEvents {
  onProgress(message: Extract<FromTrainer, { type: 'progress' }>): void
}

/** A run that ended without a result: the trainer's error, or the process gone. */
export class TrainerError extends Error {
  override readonly name = 'TrainerError'
}

/**
 * One trainer process per run, behind typed messages: `run` starts it, resolves with the result,
 * and rejects with a TrainerError if the trainer fails or its process dies (a crash, out of
 * memory, killed). `cancel` asks it to stop after the current batch; `kill` ends it at once.
 */
export class TrainerHost {
  readonly #launcher: TrainerLauncher
  #channel: TrainerChannel | null = null

  constructor(launcher: TrainerLauncher) {
    this.#launcher = launcher
  }

  get pid(): number | undefined {
    return this.#channel?.pid
  }

  run(job: TrainJob, backend: Backend, events: TrainerEvents): Promise<TrainResult> {
    if (this.#channel) throw new Error('This host is already running a trainer.')
    const channel = this.#launcher.launch()
    this.#channel = channel
    return new Promise<TrainResult>((resolve, reject) => {
      let settled = false
      const settle = (outcome: () => void) => {
        if (settled) return
        settled = true
        this.#channel = null
        outcome()
      }
      channel.onMessage((message) => {
        if (message.type === 'progress') events.onProgress(message)
        else if (message.type === 'done') {
          settle(() => resolve(message.result))
          channel.kill()
        } else {
          settle(() => reject(new TrainerError(message.message)))
          channel.kill()
        }
      })
      channel.onExit((how) =>
        settle(() =>
          reject(
            new TrainerError(
              `The trainer process stopped unexpectedly (${how ?? 'it exited'}), for example ` +
                'because it ran out of memory. Try a smaller model or batch size.',
            ),
          ),
        ),
      )
      channel.send({ type: 'start', job, backend })
    })
  }

  cancel(): void {
    this.#channel?.send({ type: 'cancel' })
  }

  kill(): void {
    this.#channel?.kill()
  }
}
