import type { JsonObject, SampleChunk } from '../../store/index.js'

/** One file read whole and checked, ready to be written in one transaction. */
export interface DecodedRecording {
  device: string | null
  /** Unix ms, when the file tells the wall-clock time of its first sample. */
  startedAt: number | null
  /** Nominal rate of the stream. */
  rateHz: number
  channels: { name: string; unit?: string }[]
  chunks: SampleChunk[]
  samples: number
  /** What the file said beyond samples: format, source file, device details. */
  metadata: JsonObject
}
