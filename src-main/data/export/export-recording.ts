import { resolve } from 'node:path'
import { ServiceError } from '../../rpc/errors.js'
import type { Project } from '../../store/index.js'
import { exportColumns } from './export-columns.js'
import { writeOutputFile } from './output-file.js'
import { sampleWindows } from './sample-windows.js'
import { writeCsv } from './write-csv.js'
import { writeEdgeImpulse } from './write-edge-impulse.js'

export type ExportFormat = 'csv' | 'ei'

export interface ExportRequest {
  recordingId: number
  format: ExportFormat
  /** The file to write; nothing else is written (but a temporary file beside it). */
  path: string
  /** Replace an existing file; refused otherwise. */
  overwrite?: boolean
  /** Name or id of the stream to export; see export-columns.ts for the default. */
  stream?: string
}

export interface ExportResult {
  path: string
  format: ExportFormat
  samples: number
  channels: string[]
  rateHz: number
}

/** Writes a recording as CSV (`timestamp_ms` then channels) or as Edge Impulse JSON. */
export async function exportRecording(
  project: Project,
  request: ExportRequest,
): Promise<ExportResult> {
  const recording = project.recordings.get(request.recordingId)
  if (!recording) {
    throw new ServiceError(
      'NOT_FOUND',
      `There is no recording ${request.recordingId} in this project.`,
    )
  }
  const { streams, channels, rateHz } = exportColumns(project, recording, request.stream)
  const path = resolve(request.path)
  let samples = 0
  await writeOutputFile(path, request.overwrite ?? false, async (sink) => {
    const windows = sampleWindows(project, streams)
    samples =
      request.format === 'csv'
        ? await writeCsv(sink, channels, windows)
        : await writeEdgeImpulse(sink, recording, channels, rateHz, windows)
  })
  return { path, format: request.format, samples, channels: channels.map((c) => c.name), rateHz }
}
