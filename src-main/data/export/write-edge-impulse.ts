import type { Channel, Recording } from '../../store/index.js'
import { formatFloat32 } from './format-float32.js'
import type { OutputSink } from './output-file.js'
import type { SampleWindow } from './sample-windows.js'

/** What EI's own tools put in the signature field of a file they sign later or never. */
const UNSIGNED = '0'.repeat(64)

/**
 * The Edge Impulse data acquisition format, as JSON, unsigned (`alg: none`), which the Edge
 * Impulse uploader accepts as it is. Samples are at `interval_ms` = 1000 / rate: the format has
 * no per-sample times, so a device-timed stream is written at its nominal rate.
 */
export async function writeEdgeImpulse(
  sink: OutputSink,
  recording: Recording,
  channels: readonly Channel[],
  rateHz: number,
  windows: Iterable<SampleWindow>,
): Promise<number> {
  const header = {
    protected: {
      ver: 'v1',
      alg: 'none',
      ...(recording.startedAt === null ? {} : { iat: Math.floor(recording.startedAt / 1000) }),
    },
    signature: UNSIGNED,
    payload: {
      ...deviceOf(recording),
      interval_ms: 1000 / rateHz,
      sensors: channels.map((channel) => ({ name: channel.name, units: channel.unit || 'N/A' })),
      values: [],
    },
  }
  // The document ends with `"values":[]}}`: the rows are streamed in between the brackets.
  const json = JSON.stringify(header)
  const closing = ']}}'
  await sink.write(json.slice(0, -closing.length))
  let samples = 0
  for (const { t, values } of windows) {
    const rows: string[] = []
    for (let i = 0; i < t.length; i++) {
      const row: string[] = []
      for (const streamValues of values) {
        const channelCount = streamValues.length / t.length
        for (let channel = 0; channel < channelCount; channel++) {
          row.push(formatFloat32(streamValues[i * channelCount + channel] as number))
        }
      }
      rows.push(`[${row.join(',')}]`)
    }
    await sink.write(`${samples === 0 ? '' : ','}${rows.join(',')}`)
    samples += t.length
  }
  await sink.write(closing)
  return samples
}

/** Device fields as Edge Impulse expects them, from an earlier import when there was one. */
function deviceOf(recording: Recording): { device_name?: string; device_type: string } {
  const details = recording.metadata.edgeImpulse
  const known =
    typeof details === 'object' && details !== null && !Array.isArray(details) ? details : {}
  const deviceName = typeof known.deviceName === 'string' ? known.deviceName : undefined
  const deviceType =
    typeof known.deviceType === 'string' ? known.deviceType : (recording.device ?? 'TINYLOOP')
  return deviceName === undefined
    ? { device_type: deviceType }
    : { device_name: deviceName, device_type: deviceType }
}
