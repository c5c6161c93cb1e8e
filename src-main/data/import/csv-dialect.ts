import { parseDecimal } from './parse-decimal.js'

/** How a CSV file is written, sniffed from its first lines. */
export interface CsvDialect {
  /** Separators handed to the parser; runs of whitespace when `whitespace` is true. */
  delimiter: string[]
  /** Fields are separated by runs of spaces or tabs: empty fields are not values. */
  whitespace: boolean
  /** The first line names the columns. */
  header: boolean
}

/** Candidates in order of preference: a tab or semicolon is never part of a number, a comma can be. */
const SEPARATORS: { delimiter: string[]; whitespace: boolean; split: RegExp }[] = [
  { delimiter: ['\t'], whitespace: false, split: /\t/ },
  { delimiter: [';'], whitespace: false, split: /;/ },
  { delimiter: [','], whitespace: false, split: /,/ },
  { delimiter: [' ', '\t'], whitespace: true, split: /[ \t]+/ },
]

const SNIFF_LINES = 20

/**
 * Picks the separator that splits most sampled lines into the same number (> 1) of fields, and
 * whether the first line is a header (any field of it not a number). A file with one column
 * splits on nothing, which is fine: it is one channel.
 */
export function sniffDialect(head: string): CsvDialect {
  const lines = head
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(0, SNIFF_LINES)
  const separator =
    SEPARATORS.find(({ split }) => usualFieldCount(lines, split) > 1) ??
    (SEPARATORS[2] as (typeof SEPARATORS)[number])
  const firstFields = (lines[0] ?? '').split(separator.split).map((field) => unquote(field.trim()))
  const decimalComma = separator.delimiter[0] !== ','
  return {
    delimiter: separator.delimiter,
    whitespace: separator.whitespace,
    header: firstFields.some((field) => Number.isNaN(parseDecimal(field, decimalComma))),
  }
}

/**
 * The field count most lines share, or 0 when no count covers most of them: one damaged line
 * must not hide the separator (it is reported with its line number by the parser instead).
 */
function usualFieldCount(lines: string[], split: RegExp): number {
  const lineCounts = new Map<number, number>()
  for (const line of lines) {
    const count = line.split(split).length
    lineCounts.set(count, (lineCounts.get(count) ?? 0) + 1)
  }
  for (const [count, lineCount] of lineCounts) if (lineCount * 2 > lines.length) return count
  return 0
}

function unquote(field: string): string {
  return field.length >= 2 && field.startsWith('"') && field.endsWith('"')
    ? field.slice(1, -1)
    : field
}
