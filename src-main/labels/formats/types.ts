/** A label as a file states it, before it is checked against the recording. */
export interface FileLabel {
  /** "line 4", "labels[3]": where the label is in the file, for messages. */
  where: string
  /** 1-based line of a CSV file; null for JSON. */
  line: number | null
  /** 0-based position in a JSON array; null for CSV. */
  index: number | null
  label: string
  /**
   * Times in ms since the recording started; or sample numbers, the end one included (Edge
   * Impulse multi-label); or the whole recording (an Edge Impulse sample with one label).
   */
  span:
    | { unit: 'ms'; start: number; end: number }
    | { unit: 'sample'; start: number; end: number }
    | { unit: 'whole' }
}

/** A problem with one label of a file, or with the file (line and index null). */
export interface FileProblem {
  line: number | null
  index: number | null
  message: string
}

export interface ParsedLabels {
  labels: FileLabel[]
  problems: FileProblem[]
  /** Colours the file gives its classes (JSON), by name. */
  colors: Map<string, string>
}

/** A label to write, with its class name and times. */
export interface OutputLabel {
  label: string
  startUs: number
  endUs: number
}

export function problem(
  at: Pick<FileLabel, 'where' | 'line' | 'index'>,
  message: string,
): FileProblem {
  return { line: at.line, index: at.index, message: `${at.where}: ${message}` }
}

/** A number written as plain decimal text (no hex, no "Infinity", no empty string), else NaN. */
export function decimal(text: string): number {
  return /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : Number.NaN
}

/** Longest class name a file may give. */
export const MAX_LABEL_CHARS = 64

/** A class name from a file: trimmed; null when empty, too long or with control characters. */
export function className(text: unknown): string | null {
  if (typeof text !== 'string') return null
  const name = text.trim()
  // eslint-disable-next-line no-control-regex
  if (name === '' || name.length > MAX_LABEL_CHARS || /[\u0000-\u001f\u007f]/.test(name)) {
    return null
  }
  return name
}
