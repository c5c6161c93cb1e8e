import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { utilityProcess } from 'electron'
import type { FromTrainer } from '../training/protocol.js'
import type { TrainerChannel, TrainerLauncher } from '../training/trainer-host.js'

/**
 * The trainer as an Electron utility process: a Node process that Electron watches and names.
 * Its script is the build's own `trainer` entry, beside this one in out/main. (electron-vite's
 * `?modulePath` import would emit it too, but with vite 8 its sub-build returns two outputs and
 * fails: see docs/training.md.)
 */
export class UtilityProcessLauncher implements TrainerLauncher {
  readonly #script = join(dirname(fileURLToPath(import.meta.url)), 'trainer.js')

  launch(): TrainerChannel {
    const child = utilityProcess.fork(this.#script, [], { serviceName: 'TinyLoop trainer' })
    return {
      get pid() {
        return child.pid
      },
      send: (message) => child.postMessage(message),
      onMessage: (handler) => child.on('message', (message) => handler(message as FromTrainer)),
      onExit: (handler) =>
        child.once('exit', (code) => handler(code === 0 ? null : `exit code ${code}`)),
      kill: () => {
        child.kill()
      },
    }
  }
}
