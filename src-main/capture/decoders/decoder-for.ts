import type { SampleDecoder } from './sample-decoder.js'
import { LineDecoder, type FormatChoice } from './text-decoder.js'

/**
 * The decoder for a format as chosen (`auto`: detected from the first lines). Every device that
 * may speak any format gets its decoder here, so a new format is added in one place.
 */
export function decoderFor(format: FormatChoice): SampleDecoder {
  return new LineDecoder(format)
}
