import { describe, expect, it } from 'vitest'
import { AutoDecoder } from '../../../src-main/capture/decoders/auto-decoder.js'
import { BinaryDecoder } from '../../../src-main/capture/decoders/binary-decoder.js'
import { decoderFor } from '../../../src-main/capture/decoders/decoder-for.js'
import { FrameDecoder } from '../../../src-main/device/protocol/frame-decoder.js'
import { encodeFrame, type Frame } from '../../../src-main/device/protocol/frames.js'
import { data, hello } from '../../helpers/device-frames.js'

const wire = (...frames: Frame[]) => Buffer.concat(frames.map((f) => encodeFrame(f)))
/** The commands in what the decoder asks to send. */
const commands = (bytes: Uint8Array | null) => {
  const out: string[] = []
  new FrameDecoder().push(bytes ?? new Uint8Array(0), (f) => out.push(f.type))
  return out
}

describe('BinaryDecoder', () => {
  it('takes the schema from HELLO and the samples with their marks from DATA', () => {
    const decoder = new BinaryDecoder()
    expect(decoder.push(wire(data(0, 0, 0))).samples).toBe(0)
    const batch = decoder.push(wire(hello, data(1, 10_000, 10), data(2, 15_000, 20)))
    expect(decoder.schema).toEqual({ channels: ['ax', 'ay', 'az'], rateHz: 400 })
    expect(batch.samples).toBe(4)
    expect([...batch.values]).toEqual([10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25])
    expect(batch.frames).toEqual([
      { firstSample: 0, sequence: 1, deviceTimeUs: 10_000 },
      { firstSample: 2, sequence: 2, deviceTimeUs: 15_000 },
    ])
    expect(decoder.counters.rejectedBy).toMatchObject({ beforeHello: 1 })
    expect(decoder.counters.rejected).toBe(1)
  })

  it('scales i16 values and skips DATA of another channel count', () => {
    const decoder = new BinaryDecoder()
    decoder.push(wire(hello))
    const i16: Frame = {
      type: 'DATA',
      seq: 3,
      timeUs: 0,
      count: 1,
      channels: 3,
      encoding: 2,
      scale: 0.5,
      values: [-32768, 1, 32767],
    }
    const two: Frame = { ...data(4, 0, 0), channels: 2, count: 3 }
    const batch = decoder.push(wire(i16, two))
    expect([...batch.values]).toEqual([-16384, 0.5, 16383.5])
    expect(decoder.counters.rejectedBy.channelCount).toBe(1)
  })

  it('passes LOG, INFERENCE and NAK on as messages, a NaN score as null', () => {
    const decoder = new BinaryDecoder()
    const batch = decoder.push(
      wire(
        { type: 'LOG', seq: 0, level: 2, text: 'arena tight' },
        {
          type: 'INFERENCE',
          seq: 0,
          windowEndUs: 2_000_000,
          modelCrc32: 7,
          latencyUs: 900,
          instructions: 0,
          count: 2,
          outputs: [-128, 127],
          score: NaN,
        },
        { type: 'NAK', seq: 1, command: 2, code: 11, detail: 0, message: 'committing' },
      ),
    )
    expect(batch.messages).toEqual([
      { kind: 'log', level: 'warn', text: 'arena tight' },
      {
        kind: 'inference',
        deviceTimeUs: 2_000_000,
        modelCrc32: 7,
        outputs: [-128, 127],
        score: null,
        latencyUs: 900,
        instructions: 0,
      },
      { kind: 'log', level: 'error', text: 'The device refused command 0x2 (BUSY): committing' },
    ])
  })

  it('asks for a hello on open, starts the device once it answers, stops it on close', () => {
    const decoder = new BinaryDecoder()
    expect(commands(decoder.talk('open'))).toEqual(['HELLO_REQ'])
    expect(decoder.talk('close')).toBeNull()
    expect(decoder.talk('data')).toBeNull()
    decoder.push(wire(hello))
    expect(commands(decoder.talk('data'))).toEqual(['START'])
    expect(decoder.talk('data')).toBeNull()
    expect(commands(decoder.talk('close'))).toEqual(['STOP'])
    // Reopened (the device came back): asked again, started again once it answers.
    expect(commands(decoder.talk('open'))).toEqual(['HELLO_REQ'])
    decoder.push(wire(hello))
    expect(commands(decoder.talk('data'))).toEqual(['START'])
  })

  it('counts frames of the host direction (an echo) apart', () => {
    const decoder = new BinaryDecoder()
    decoder.push(Buffer.from(decoder.talk('open') as Uint8Array))
    expect(decoder.counters.rejectedBy.wrongDirection).toBe(1)
    expect(decoder.sawDeviceFrame).toBe(false)
  })
})

describe('AutoDecoder', () => {
  const csv = 'ax,ay\n' + Array.from({ length: 20 }, (_, i) => `${i},${-i}\n`).join('')

  it('is binary when a device frame comes first', () => {
    const decoder = decoderFor('auto')
    expect(commands(decoder.talk?.('open') ?? null)).toEqual(['HELLO_REQ'])
    // Boot text, then the answer (a device may send a lone zero first, ending the noise).
    const batch = decoder.push(
      Buffer.concat([Buffer.from('boot noise\n\0'), wire(hello, data(0, 0, 1))]),
    )
    expect(decoder.format).toBe('binary')
    expect(batch.samples).toBe(2)
    expect(commands(decoder.talk?.('data') ?? null)).toEqual(['START'])
  })

  it('stays text for a text device, even one echoing the hello request', () => {
    const decoder = new AutoDecoder()
    const echo = Buffer.from(decoder.talk('open') as Uint8Array)
    const lines = Buffer.from(csv)
    let samples = decoder.push(lines.subarray(0, 30)).samples
    samples += decoder.push(Buffer.concat([echo, lines.subarray(30)])).samples
    samples += decoder.push(wire(hello, data(0, 0, 1))).samples
    expect(decoder.format).toBe('csv')
    expect(decoder.schema).toEqual({ channels: ['ax', 'ay'] })
    // The line the echo landed in is skipped; the frames after detection are garbage to text.
    expect(samples).toBe(19)
    expect(decoder.talk('data')).toBeNull()
    expect(decoder.talk('open')).toBeNull()
  })

  it('decides text on flush for a device that printed few lines', () => {
    const decoder = new AutoDecoder()
    decoder.push(Buffer.from('1,2\n3,4\n'))
    expect(decoder.format).toBeNull()
    expect(decoder.flush().samples).toBe(2)
    expect(decoder.format).toBe('csv')
  })
})
