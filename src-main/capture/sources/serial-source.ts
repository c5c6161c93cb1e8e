import { existsSync } from 'node:fs'
import { SerialPort } from 'serialport'
import { ServiceError } from '../../rpc/errors.js'
import { ByteSource } from './byte-source.js'

const RECONNECT_MS = 500

export interface SerialSourceOptions {
  path: string
  baudRate: number
  /** Finds the device again after a replug even if the OS gives it another path. */
  serialNumber?: string | null
}

/**
 * A serial port that survives unplugging: on disconnect it reports it, then looks for the device
 * again (by serial number, else by path) every half second and reopens it when it is back.
 */
export class SerialSource extends ByteSource {
  readonly #opts: SerialSourceOptions
  #path: string
  #port: SerialPort | null = null
  #closing = false
  #retry: NodeJS.Timeout | null = null

  constructor(opts: SerialSourceOptions) {
    super()
    this.#opts = opts
    this.#path = opts.path
  }

  async open(): Promise<void> {
    this.#closing = false
    await this.#openPort()
  }

  async close(): Promise<void> {
    this.#closing = true
    if (this.#retry) clearTimeout(this.#retry)
    this.#retry = null
    const port = this.#port
    this.#port = null
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()))
  }

  async write(bytes: Uint8Array): Promise<void> {
    const port = this.#port
    if (!port?.isOpen) return
    await new Promise<void>((resolve) => {
      port.write(Buffer.from(bytes))
      // An error is the port going away, which its 'error' and 'close' handlers report.
      port.drain(() => resolve())
    })
  }

  #openPort(): Promise<void> {
    const port = new SerialPort({
      path: this.#path,
      baudRate: this.#opts.baudRate,
      autoOpen: false,
    })
    return new Promise<void>((resolve, reject) => {
      port.open((err) => {
        if (err) return reject(openError(this.#path, err))
        this.#port = port
        port.on('data', (bytes: Buffer) => this.emit('data', bytes))
        const lost = (why: string) => {
          if (this.#port !== port) return
          this.#port = null
          if (port.isOpen) port.close(() => {})
          if (this.#closing) return
          this.emit('disconnect', why)
          this.#scheduleReconnect()
        }
        port.on('close', () => lost('The device was disconnected.'))
        port.on('error', (e: Error) => lost(e.message))
        resolve()
      })
    })
  }

  #scheduleReconnect(): void {
    this.#retry = setTimeout(() => void this.#tryReconnect(), RECONNECT_MS)
  }

  async #tryReconnect(): Promise<void> {
    if (this.#closing) return
    try {
      const path = await this.#findDevice()
      if (path) {
        this.#path = path
        await this.#openPort()
        this.emit('reconnect')
        return
      }
    } catch {
      // not back yet
    }
    if (!this.#closing) this.#scheduleReconnect()
  }

  async #findDevice(): Promise<string | null> {
    const serial = this.#opts.serialNumber
    if (serial) {
      const ports = await SerialPort.list()
      const match = ports.find((p) => p.serialNumber === serial)
      if (match) return match.path
    }
    return existsSync(this.#opts.path) ? this.#opts.path : null
  }
}

/** Why `path` cannot be opened, in words (no device, no permission, in use). */
export function openError(path: string, err: Error): ServiceError {
  const message = err.message
  if (/ENOENT|No such file|cannot find/i.test(message)) {
    return new ServiceError(
      'DEVICE',
      `No device at ${path}. Check the cable, or pick another port (tinyloop devices lists them).`,
    )
  }
  if (/EACCES|Permission denied|Access denied/i.test(message)) {
    return new ServiceError(
      'DEVICE',
      `TinyLoop may not open ${path}. On Linux, add yourself to the dialout group (sudo usermod -aG dialout $USER) and log in again.`,
    )
  }
  if (/EBUSY|Resource busy|locked/i.test(message)) {
    return new ServiceError(
      'DEVICE',
      `${path} is in use by another program (a serial monitor?). Close it and try again.`,
    )
  }
  return new ServiceError('DEVICE', `Cannot open ${path}: ${message}`)
}
