import type { Channel } from '../../store/index.js'
import { formatFloat32, formatMilliseconds } from './format-float32.js'
import type { OutputSink } from './output-file.js'
import type { SampleWindow } from './sample-windows.js'

/**
 * A header line `timestamp_ms,<channel names>`, then one row per sample: its time in ms since
 * the recording started, then its values. TinyLoop and Edge Impulse both read it back.
 */
export async function writeCsv(
  sink: OutputSink,
  channels: readonly Channel[],
  windows: Iterable<SampleWindow>,
): Promise<number> {
  await sink.write(`${['timestamp_ms', ...channels.map((c) => csvField(c.name))].join(',')}\n`)
  let samples = 0
  for (const { t, values } of windows) {
    const lines: string[] = []
    for (let i = 0; i < t.length; i++) {
      const row = [formatMilliseconds(t[i] as number)]
      for (const streamValues of values) {
        const channelCount = streamValues.length / t.length
        for (let channel = 0; channel < channelCount; channel++) {
          row.push(formatFloat32(streamValues[i * channelCount + channel] as number))
        }
      }
      lines.push(row.join(','))
    }
    await sink.write(`${lines.join('\n')}\n`)
    samples += t.length
  }
  return samples
}

/** Quotes a name holding a separator, quote or line break, as RFC 4180 says. */
function csvField(text: string): string {
  return /[",;\t\r\n ]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}
