import { basename } from 'node:path'
import { CsvError, parse } from 'csv-parse'
import type { Info } from 'csv-parse'
import { sniffDialect } from './csv-dialect.js'
import type { CsvDialect } from './csv-dialect.js'
import type { DecodedRecording } from './decoded-recording.js'
import { readInputHead, streamInputFile } from '../../input-file.js'
import { ImportError } from './import-error.js'
import { MAX_FILE_BYTES, MAX_LINE_CHARS } from './limits.js'
import { parseDecimal } from './parse-decimal.js'
import { SampleBatches } from './sample-batches.js'
import { findTimeColumn, inferTimeUnit, medianStep, MICROSECONDS_PER } from './time-column.js'
import type { TimeColumn, TimeUnit } from './time-column.js'

export interface ReadCsvOptions {
  /** Sample rate of a file without a time column (Hz). */
  rateHz?: number
  /** Called as the file is read, with the bytes read so far. */
  onBytes(bytesRead: number): void
  /** Stops reading; the read then fails with `cancelled`. */
  signal?: AbortSignal
  cancelled?: () => Error
}

/** The columns of a CSV file, known from its first row. */
interface Layout {
  names: string[]
  time: TimeColumn | null
  /** Index of each channel's column. */
  channelColumns: number[]
}

const ROWS_BETWEEN_PROGRESS = 4096

/**
 * Reads a CSV file of samples, one row per sample: an optional header of column names, an
 * optional time column (see time-column.ts), numbers separated by commas, semicolons, tabs or
 * spaces. Any row that does not fit stops the import with its line number.
 */
export async function readCsv(file: string, options: ReadCsvOptions): Promise<DecodedRecording> {
  const dialect = sniffDialect(await completeLinesOfHead(file))
  const decimalComma = dialect.delimiter[0] !== ','
  const input = await streamInputFile(file, MAX_FILE_BYTES).catch((error: unknown) => {
    throw ImportError.ofUnreadable(error) ?? error
  })
  const source = input.stream
  const parser = source.pipe(
    parse({
      delimiter: dialect.delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: !dialect.whitespace,
      max_record_size: MAX_LINE_CHARS,
    }),
  )
  source.on('error', (error) => parser.destroy(error))
  let table: { layout: Layout; batches: SampleBatches } | null = null
  let previousTime = -Infinity
  let rows = 0
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[]
      info: Info
    }>) {
      const fields = dialect.whitespace ? record.filter((field) => field !== '') : record
      if (fields.every((field) => field === '')) continue
      const line = info.lines
      if (!table) {
        const layout = layoutOf(file, fields, dialect, options.rateHz)
        const timed = layout.time !== null
        table = { layout, batches: new SampleBatches(file, layout.channelColumns.length, timed) }
        if (dialect.header) continue
      }
      const { layout, batches } = table
      const values = numbersOf(file, fields, layout, line, decimalComma)
      let time = 0
      if (layout.time) {
        time = values[layout.time.index] as number
        if (!(time > previousTime)) {
          throw new ImportError(
            file,
            `the time ${fields[layout.time.index]} does not come after the previous row's ` +
              `${previousTime}. Times must rise from row to row; sort the file or remove the ` +
              'repeated rows.',
            line,
          )
        }
        previousTime = time
      }
      batches.add(
        layout.channelColumns.map((column) => values[column] as number),
        time,
      )
      if (++rows % ROWS_BETWEEN_PROGRESS === 0) {
        if (options.signal?.aborted) throw options.cancelled?.() ?? options.signal.reason
        options.onBytes(input.bytesRead())
      }
    }
  } catch (error) {
    throw importErrorOf(file, error)
  } finally {
    source.destroy()
  }
  options.onBytes(input.bytesRead())
  if (!table || table.batches.samples === 0) {
    throw new ImportError(file, 'holds no samples: there is no row of numbers in it.')
  }
  return decoded(file, dialect, table.layout, table.batches, options.rateHz)
}

function layoutOf(
  file: string,
  fields: string[],
  dialect: CsvDialect,
  rateHz: number | undefined,
): Layout {
  const names = dialect.header
    ? fields.map((name, i) => name || `ch${i + 1}`)
    : fields.map((_, i) => `ch${i + 1}`)
  const repeated = names.find((name, i) => names.indexOf(name) !== i)
  if (repeated !== undefined) {
    throw new ImportError(file, `the column name "${repeated}" appears twice. Rename one.`, 1)
  }
  const time = dialect.header ? findTimeColumn(names) : null
  const channelColumns = names.map((_, i) => i).filter((i) => i !== time?.index)
  if (channelColumns.length === 0) {
    throw new ImportError(file, 'has only a time column: there are no values to import.', 1)
  }
  if (!time && rateHz === undefined) {
    throw new ImportError(
      file,
      'has no time column, so its sample rate is unknown. Give the rate (--rate HZ on the ' +
        'command line), or add a first column named timestamp_ms with each row’s time.',
    )
  }
  return { names, time, channelColumns }
}

function numbersOf(
  file: string,
  fields: string[],
  layout: Layout,
  line: number,
  decimalComma: boolean,
): number[] {
  const expected = layout.names.length
  if (fields.length !== expected) {
    throw new ImportError(
      file,
      `has ${fields.length} ${fields.length === 1 ? 'value' : 'values'} where ${expected} ` +
        'columns were expected. Fix or remove this line, then import again.',
      line,
    )
  }
  return fields.map((field, column) => {
    const value = parseDecimal(field, decimalComma)
    if (Number.isNaN(value)) {
      throw new ImportError(
        file,
        `"${field.slice(0, 40)}" in column ${layout.names[column]} is not a number. ` +
          'Fix or remove this line, then import again.',
        line,
      )
    }
    if (column !== layout.time?.index && !Number.isFinite(Math.fround(value))) {
      throw new ImportError(
        file,
        `${field} in column ${layout.names[column]} is too large to store ` +
          '(samples are 32-bit floats, up to about 3.4e38).',
        line,
      )
    }
    return value
  })
}

function decoded(
  file: string,
  dialect: CsvDialect,
  layout: Layout,
  batches: SampleBatches,
  rateHz: number | undefined,
): DecodedRecording {
  const channels = layout.channelColumns.map((column) => ({ name: layout.names[column] as string }))
  const source = {
    file: basename(file),
    format: 'csv',
    separator: separatorName(dialect),
    header: dialect.header,
  }
  if (!layout.time) {
    return {
      device: null,
      startedAt: null,
      rateHz: rateHz as number,
      channels,
      chunks: batches.uniformChunks(rateHz as number),
      samples: batches.samples,
      metadata: { source },
    }
  }
  const [firstChunk] = batches.rawTimes()
  const first = firstChunk?.[0] as number
  const step = medianStep(batches.rawTimes())
  const unit: TimeUnit = layout.time.unit ?? inferTimeUnit(first, step)
  const usPerUnit = MICROSECONDS_PER[unit]
  const stepUs = roundToNanosecond(step * usPerUnit)
  if (rateHz === undefined && !(stepUs > 0)) {
    throw new ImportError(
      file,
      'has a single row, so its rate cannot be told from its times. Give it with --rate HZ.',
    )
  }
  const absolute = first >= 1e8
  return {
    device: null,
    startedAt: absolute ? Math.round((first * usPerUnit) / 1000) : null,
    rateHz: rateHz ?? 1e6 / stepUs,
    channels,
    // Rebased to start at 0 and rounded to the nanosecond, which also removes the float noise
    // of decimal seconds (0.03 s is 30000.000000000004 µs).
    chunks: batches.timedChunks((t) => roundToNanosecond((t - first) * usPerUnit)),
    samples: batches.samples,
    metadata: {
      source: {
        ...source,
        timeColumn: layout.names[layout.time.index] as string,
        timeUnit: unit,
        timeUnitInferred: layout.time.unit === null,
      },
    },
  }
}

function roundToNanosecond(us: number): number {
  return Math.round(us * 1000) / 1000
}

function separatorName(dialect: CsvDialect): string {
  if (dialect.whitespace) return 'spaces'
  return { '\t': 'tab', ';': 'semicolon', ',': 'comma' }[dialect.delimiter[0] as string] ?? ''
}

/** The start of the file up to its last complete line (the whole file if it is short). */
async function completeLinesOfHead(file: string): Promise<string> {
  const head = await readInputHead(file, MAX_LINE_CHARS).catch((error: unknown) => {
    throw ImportError.ofUnreadable(error) ?? error
  })
  if (head.length < MAX_LINE_CHARS) return head.toString('utf8')
  const end = head.lastIndexOf(0x0a)
  if (end < 0) throw new ImportError(file, lineTooLong(), 1)
  return head.subarray(0, end).toString('utf8')
}

function lineTooLong(): string {
  return `a line is longer than ${MAX_LINE_CHARS / 1024} KiB, so this is not a CSV file of samples.`
}

function importErrorOf(file: string, error: unknown): unknown {
  const unreadable = ImportError.ofUnreadable(error)
  if (unreadable) return unreadable
  if (error instanceof CsvError) {
    const line = (error as CsvError & { lines?: number }).lines
    if (error.code === 'CSV_MAX_RECORD_SIZE') return new ImportError(file, lineTooLong(), line)
    if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
      return new ImportError(
        file,
        'a quoted field is never closed; the file may be cut short.',
        line,
      )
    }
    return new ImportError(file, `is not valid CSV: ${error.message}`, line)
  }
  const code = (error as NodeJS.ErrnoException | null)?.code
  if (typeof code === 'string') return new ImportError(file, `cannot be read (${code}).`)
  return error
}
