import { extname } from 'node:path'
import { readInputHead } from '../../input-file.js'
import { ImportError } from './import-error.js'

/** What the user asks for: `auto` looks at the file, `ei` is Edge Impulse JSON or CBOR. */
export type ImportFormat = 'auto' | 'csv' | 'ei'

/** What a file turned out to be. */
export type FileKind = 'csv' | 'ei-json' | 'ei-cbor'

const CSV_EXTENSIONS = new Set(['.csv', '.tsv', '.txt'])
const KIND_BY_EXTENSION: Record<string, FileKind> = { '.json': 'ei-json', '.cbor': 'ei-cbor' }

/** The file extensions a folder import picks up for a format. */
export function importableExtension(file: string, format: ImportFormat): boolean {
  const extension = extname(file).toLowerCase()
  const isCsv = extension === '.csv'
  const isEdgeImpulse = extension in KIND_BY_EXTENSION
  return format === 'csv' ? isCsv : format === 'ei' ? isEdgeImpulse : isCsv || isEdgeImpulse
}

/**
 * The kind of `file`: from its extension when that is unambiguous, else from its first bytes
 * (a CBOR map starts with a major-type-5 byte, JSON with `{`, CSV with text).
 */
export async function detectKind(file: string, format: ImportFormat): Promise<FileKind> {
  const extension = extname(file).toLowerCase()
  const byExtension = KIND_BY_EXTENSION[extension] ?? (CSV_EXTENSIONS.has(extension) ? 'csv' : null)
  if (format === 'csv') return 'csv'
  if (format === 'auto' && byExtension) return byExtension
  if (format === 'ei' && byExtension && byExtension !== 'csv') return byExtension
  const kind = kindOfContent(await readInputHead(file, 64))
  if (format === 'ei' && kind === 'csv') {
    throw new ImportError(
      file,
      'this is not an Edge Impulse data file (JSON or CBOR). Import it with --format csv or auto.',
    )
  }
  return kind
}

function kindOfContent(head: Buffer): FileKind {
  const first = head[0]
  if (first !== undefined && first >= 0xa0 && first <= 0xbf) return 'ei-cbor'
  const text = head
    .toString('latin1')
    .replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '')
    .trimStart()
  return text.startsWith('{') ? 'ei-json' : 'csv'
}
