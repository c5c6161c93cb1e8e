import { EventEmitter } from 'node:events'

export interface ByteSourceEvents {
  data: [bytes: Buffer]
  /** The device went away (unplugged, pty closed); it may come back. */
  disconnect: [reason: string]
  /** The device is back after a disconnect. */
  reconnect: []
}

/**
 * Where a recording's bytes come from, and where commands to the device go: a serial port, the
 * demo device, a test's stream. The recorder does not care which.
 */
export abstract class ByteSource extends EventEmitter<ByteSourceEvents> {
  /** Starts delivering bytes; rejects with a message for people if the device cannot be opened. */
  abstract open(): Promise<void>
  abstract close(): Promise<void>
  /**
   * Sends bytes to the device (the binary protocol's commands). While the device is away they
   * are dropped: what a session sends is sent again when the device comes back.
   */
  abstract write(bytes: Uint8Array): Promise<void>
}
