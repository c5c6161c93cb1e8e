import { ServiceError } from '../../rpc/errors.js'
import type { Channel, Project, Recording, Stream } from '../../store/index.js'

/** The streams an export writes side by side, and the columns they make. */
export interface ExportColumns {
  streams: Stream[]
  /** One per column, in stream order; names made unique across streams. */
  channels: Channel[]
  rateHz: number
}

/**
 * The stream named (or numbered) by `choice`; without one, the recording's only stream, or all
 * of them when they share their sample times (same rate, same count, same span), which a CSV or
 * Edge Impulse file can hold as one table.
 */
export function exportColumns(
  project: Project,
  recording: Recording,
  choice: string | undefined,
): ExportColumns {
  const all = project.streams.list(recording.id)
  const streams =
    choice === undefined ? all : all.filter((s) => s.name === choice || String(s.id) === choice)
  if (all.length === 0) {
    throw new ServiceError(
      'NOT_FOUND',
      `Recording ${recording.id} (${recording.name}) has no samples to export.`,
    )
  }
  if (streams.length === 0) {
    throw new ServiceError(
      'NOT_FOUND',
      `Recording ${recording.id} has no stream "${choice}". Its streams: ${names(all)}.`,
    )
  }
  const [first] = streams as [Stream, ...Stream[]]
  const firstStats = project.samples.stats(first.id)
  const shareTimes = streams.every((stream) => {
    const stats = project.samples.stats(stream.id)
    return (
      stream.rateHz === first.rateHz &&
      stats.samples === firstStats.samples &&
      stats.firstUs === firstStats.firstUs &&
      stats.lastUs === firstStats.lastUs
    )
  })
  if (!shareTimes) {
    throw new ServiceError(
      'INVALID_ARGUMENT',
      `Recording ${recording.id} has streams with different sample times (${names(all)}). ` +
        'Export one at a time: choose it with --stream NAME.',
    )
  }
  return { streams, channels: uniqueChannels(streams), rateHz: first.rateHz }
}

function uniqueChannels(streams: Stream[]): Channel[] {
  const channels = streams.flatMap((stream) => stream.channels)
  const counts = new Map<string, number>()
  for (const { name } of channels) counts.set(name, (counts.get(name) ?? 0) + 1)
  return streams.flatMap((stream) =>
    stream.channels.map((channel) =>
      (counts.get(channel.name) ?? 0) > 1
        ? { ...channel, name: `${stream.name}.${channel.name}` }
        : channel,
    ),
  )
}

function names(streams: Stream[]): string {
  return streams.map((s) => `${s.name} at ${s.rateHz} Hz`).join(', ')
}
