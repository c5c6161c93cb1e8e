import { describe, expect, it } from 'vitest'
import { DeviceClient, DeviceError, type ByteLink } from '../../../src-main/device/device-client.js'

// A link whose writes fail, as a serial port does when its cable is pulled mid-write (EIO):
// the client says so in words, as a DeviceError the services pass on, never a bare Error that
// would reach the user as "failed unexpectedly".
function brokenLink(reason: string): ByteLink {
  return {
    write: () => Promise.reject(new Error(reason)),
    subscribe: () => () => {},
  }
}

describe('DeviceClient on a link that fails', () => {
  it('reports a write the link refused as a DeviceError naming the reason', async () => {
    const client = new DeviceClient(brokenLink('EIO: i/o error, write'), { replyTimeoutMs: 50 })
    const failure = await client.hello().catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(DeviceError)
    expect((failure as Error).message).toBe(
      'The device went away while sending (EIO: i/o error, write).',
    )
    client.dispose()
  })

  it('does so in a model transfer too', async () => {
    const client = new DeviceClient(brokenLink('Port is not open'), { replyTimeoutMs: 50 })
    const failure = await client
      .flash(new Uint8Array(100), { modelId: 1 })
      .catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(DeviceError)
    expect((failure as Error).message).toMatch(
      /device went away while sending \(Port is not open\)/,
    )
    client.dispose()
  })
})
