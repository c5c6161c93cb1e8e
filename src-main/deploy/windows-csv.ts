import { parse } from 'csv-parse/sync'
import { InputFileError, readInputFile } from '../input-file.js'
import { ServiceError } from '../rpc/errors.js'

/** Largest windows CSV read whole (a day of raw windows is a few hundred megabytes). */
const MAX_WINDOWS_CSV_BYTES = 1024 ** 3

/**
 * The windows of a `tinyloop windows --out` CSV (recording, start_ms, end_ms, label, split, then
 * one column per feature), each as the features `featureNames` names, in that order (a column
 * the model does not use is ignored; one it needs and the file lacks is an error).
 */
export async function readWindowsCsv(
  path: string,
  featureNames: readonly string[],
): Promise<{ line: number; features: Float32Array }[]> {
  let text: string
  try {
    text = (await readInputFile(path, MAX_WINDOWS_CSV_BYTES)).toString('utf8')
  } catch (error) {
    if (error instanceof InputFileError) {
      throw new ServiceError(
        error.problem === 'NOT_FOUND' ? 'NOT_FOUND' : 'INVALID_ARGUMENT',
        error.message,
      )
    }
    throw error
  }
  const rows = parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][]
  const [header, ...records] = rows
  if (!header) throw new ServiceError('INVALID_ARGUMENT', `${path} is empty: it has no header.`)
  const columns = featureNames.map((name) => header.indexOf(name))
  const missing = featureNames.filter((_, i) => columns[i] === -1)
  if (missing.length > 0) {
    throw new ServiceError(
      'INVALID_ARGUMENT',
      `${path} lacks the features the model takes (${missing.slice(0, 5).join(', ')}` +
        `${missing.length > 5 ? `, and ${missing.length - 5} more` : ''}). Write it with ` +
        'tinyloop windows --out, with the features of the run’s dataset.',
    )
  }
  return records.map((record, i) => {
    const features = Float32Array.from(columns, (column) => Number(record[column]))
    const bad = features.findIndex((v) => !Number.isFinite(v))
    if (bad >= 0) {
      throw new ServiceError(
        'INVALID_ARGUMENT',
        `${path}, line ${i + 2}: "${record[columns[bad] as number] ?? ''}" in column ` +
          `${featureNames[bad]} is not a number.`,
      )
    }
    return { line: i + 2, features }
  })
}
