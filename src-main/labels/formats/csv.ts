import { CsvError } from 'csv-parse'
import { parse } from 'csv-parse/sync'
import { formatMs } from '../describe.js'
import {
  className,
  decimal,
  MAX_LABEL_CHARS,
  problem,
  type FileLabel,
  type OutputLabel,
  type ParsedLabels,
} from './types.js'

export const CSV_COLUMNS = ['start_ms', 'end_ms', 'label'] as const

/**
 * `start_ms,end_ms,label` with that header (columns in any order, others ignored, names in any
 * case); ms since the recording started, fractions allowed. Comma, semicolon or tab separated,
 * as the header line shows; quoted fields as RFC 4180.
 */
export function parseCsv(text: string): ParsedLabels {
  const result: ParsedLabels = { labels: [], problems: [], colors: new Map() }
  const headerLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? ''
  const delimiter = [',', ';', '\t'].find((d) => headerLine.includes(d)) ?? ','
  let records: { info: { lines: number }; record: string[] }[]
  try {
    records = parse(text, {
      bom: true,
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as { info: { lines: number }; record: string[] }[]
  } catch (error) {
    const line = error instanceof CsvError ? ((error as { lines?: number }).lines ?? null) : null
    result.problems.push({
      line,
      index: null,
      message: `${line === null ? '' : `line ${line}: `}this is not valid CSV (${(error as Error).message}).`,
    })
    return result
  }
  const [header, ...rows] = records
  const names = header?.record.map((cell) => cell.toLowerCase()) ?? []
  const column = Object.fromEntries(CSV_COLUMNS.map((name) => [name, names.indexOf(name)]))
  const missing = CSV_COLUMNS.filter((name) => column[name] === -1)
  if (!header || missing.length > 0) {
    result.problems.push({
      line: header?.info.lines ?? 1,
      index: null,
      message:
        `line ${header?.info.lines ?? 1}: the first line must be the header ` +
        `${CSV_COLUMNS.join(',')} (missing ${missing.join(', ')}).`,
    })
    return result
  }
  for (const { info, record } of rows) {
    const at = { where: `line ${info.lines}`, line: info.lines, index: null }
    const cell = (name: (typeof CSV_COLUMNS)[number]) => record[column[name] as number] ?? ''
    const start = decimal(cell('start_ms'))
    const end = decimal(cell('end_ms'))
    const label = className(cell('label'))
    if (!Number.isFinite(start) || !Number.isFinite(end)) {
      const which = Number.isFinite(start) ? 'end_ms' : 'start_ms'
      result.problems.push(problem(at, `${which} "${cell(which)}" is not a number of ms.`))
    } else if (label === null) {
      result.problems.push(
        problem(
          at,
          `the label is empty, too long (over ${MAX_LABEL_CHARS}) or has control characters.`,
        ),
      )
    } else {
      result.labels.push({ ...at, label, span: { unit: 'ms', start, end } } satisfies FileLabel)
    }
  }
  return result
}

export function writeCsv(labels: readonly OutputLabel[]): string {
  const lines = [CSV_COLUMNS.join(',')]
  for (const { label, startUs, endUs } of labels) {
    lines.push(`${formatMs(startUs)},${formatMs(endUs)},${quote(label)}`)
  }
  return `${lines.join('\n')}\n`
}

function quote(text: string): string {
  return /[",;\t\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}
