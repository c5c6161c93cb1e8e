import { extname } from 'node:path'

export type LabelFormat = 'csv' | 'json' | 'ei'

/**
 * The format of a label file: Edge Impulse for `.labels` files and JSON documents with `files`
 * or `structuredLabels`; TinyLoop JSON for other JSON; CSV otherwise.
 */
export function detectFormat(
  path: string,
  text: string,
): { format: LabelFormat; document?: unknown } {
  const extension = extname(path).toLowerCase()
  const body = text.replace(/^\uFEFF/, '').trimStart()
  if (
    extension === '.labels' ||
    extension === '.json' ||
    body.startsWith('{') ||
    body.startsWith('[')
  ) {
    let document: unknown
    try {
      document = JSON.parse(body)
    } catch {
      return { format: extension === '.labels' ? 'ei' : extension === '.json' ? 'json' : 'csv' }
    }
    const isEi =
      typeof document === 'object' &&
      document !== null &&
      ('files' in document || 'structuredLabels' in document)
    return { format: isEi ? 'ei' : 'json', document }
  }
  return { format: 'csv' }
}
