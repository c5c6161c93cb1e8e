import { AutoDecoder } from './auto-decoder.js'
import { BinaryDecoder } from './binary-decoder.js'
import type { SampleDecoder, SampleFormat } from './sample-decoder.js'
import { LineDecoder } from './text-decoder.js'

/** A format as chosen for a recording: one of the formats, or `auto`. */
export type FormatChoice = SampleFormat | 'auto'

/**
 * The decoder for a format as chosen (`auto`: the binary frames or the text formats, detected).
 * Every device that may speak any format gets its decoder here, so a new format is added in one
 * place.
 */
export function decoderFor(format: FormatChoice): SampleDecoder {
  if (format === 'auto') return new AutoDecoder()
  if (format === 'binary') return new BinaryDecoder()
  return new LineDecoder(format)
}
