import type { FrameOf } from '../../src-main/device/protocol/frames.js'

/** Frames of a 3-channel, 400 Hz device, for the decoder and recorder tests. */
const empty = { state: 0, size: 0, crc32: 0, modelId: 0, arenaBytes: 0 }
export const hello: FrameOf<'HELLO'> = {
  type: 'HELLO',
  seq: 0xf000,
  protocol: 1,
  firmware: [1, 0, 0],
  deviceId: '0011223344556677',
  board: 'host',
  maxBody: 2048,
  window: 4,
  modelCapacity: 65536,
  arenaCapacity: 32768,
  rateHz: 400,
  rates: [100, 400],
  channels: ['ax', 'ay', 'az'],
  flags: 0,
  active: 0,
  slots: [empty, empty],
  counters: { crc: 0, cobs: 0, oversize: 0, short: 0 },
}
/** Two samples at `timeUs` (5 ms apart at 400 Hz), values counting up from `first`. */
export const data = (seq: number, timeUs: number, first: number): FrameOf<'DATA'> => ({
  type: 'DATA',
  seq,
  timeUs,
  count: 2,
  channels: 3,
  encoding: 1,
  values: [first, first + 1, first + 2, first + 3, first + 4, first + 5],
})
