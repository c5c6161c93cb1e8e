import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { ServiceError } from '../../rpc/errors.js'

/**
 * A pseudo-terminal whose device end is linked at `linkPath`, fed by writing to `input`: how the
 * demo device (`tinyloop sim`) and the tests look like a serial device to any program. Made with
 * socat (Debian package `socat`); serial ports on ptys ignore baud rates and control lines.
 */
export class PtyDevice {
  readonly linkPath: string
  readonly #process: ChildProcess
  #exited = false

  private constructor(linkPath: string, child: ChildProcess) {
    this.linkPath = linkPath
    this.#process = child
    child.once('exit', () => (this.#exited = true))
  }

  static async create(linkPath: string): Promise<PtyDevice> {
    if (existsSync(linkPath)) {
      throw new ServiceError(
        'ALREADY_EXISTS',
        `${linkPath} already exists; choose another --link path.`,
      )
    }
    const child = spawn('socat', [`pty,raw,echo=0,wait-slave,link=${linkPath}`, 'STDIO'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    const started = await new Promise<boolean>((resolve) => {
      child.once('error', () => resolve(false))
      const deadline = Date.now() + 5000
      const poll = () => {
        if (existsSync(linkPath)) resolve(true)
        else if (Date.now() > deadline || child.exitCode !== null) resolve(false)
        else setTimeout(poll, 20)
      }
      poll()
    })
    if (!started) {
      child.kill()
      throw new ServiceError(
        'DEVICE',
        `Could not create a pseudo-terminal with socat (${stderr.trim() || 'is socat installed? apt-get install socat'}).`,
      )
    }
    return new PtyDevice(linkPath, child)
  }

  get input(): NodeJS.WritableStream {
    return this.#process.stdin as NodeJS.WritableStream
  }

  get alive(): boolean {
    return !this.#exited
  }

  /** Ends the device: the link disappears, as when a board is unplugged. */
  async close(): Promise<void> {
    if (this.#exited) return
    const exited = new Promise((resolve) => this.#process.once('exit', resolve))
    this.#process.kill('SIGTERM')
    await exited
  }
}
