import {
  className,
  MAX_LABEL_CHARS,
  problem,
  type OutputLabel,
  type ParsedLabels,
} from './types.js'

/** What `writeJson` puts above the labels. */
export interface JsonHeader {
  recording: { id: number; name: string; startedAt: number | null }
  defaultClass: string | null
  classes: { name: string; color: string }[]
}

/**
 * TinyLoop's label file: `{ version: 1, recording: { id, name, startedAt }, defaultClass,
 * classes: [{ name, color }], labels: [{ startMs, endMs, label }] }`. Only `labels` is needed
 * to import (a bare array of labels is taken too); `classes` gives colours to classes the import
 * adds.
 */
export function parseJson(document: unknown): ParsedLabels {
  const result: ParsedLabels = { labels: [], problems: [], colors: new Map() }
  const root = document as Record<string, unknown> | unknown[] | null
  const list = Array.isArray(root) ? root : isObject(root) ? root.labels : undefined
  if (!Array.isArray(list)) {
    result.problems.push({
      line: null,
      index: null,
      message:
        'this JSON has no "labels" list: TinyLoop reads { "labels": [{ "startMs", "endMs", "label" }] }.',
    })
    return result
  }
  if (isObject(root) && Array.isArray(root.classes)) {
    for (const cls of root.classes) {
      const name = isObject(cls) ? className(cls.name) : null
      if (name && isObject(cls) && typeof cls.color === 'string') result.colors.set(name, cls.color)
    }
  }
  for (const [index, item] of list.entries()) {
    const at = { where: `labels[${index}]`, line: null, index }
    if (!isObject(item)) {
      result.problems.push(problem(at, 'is not an object { "startMs", "endMs", "label" }.'))
      continue
    }
    const { startMs, endMs } = item
    const label = className(item.label)
    if (typeof startMs !== 'number' || !Number.isFinite(startMs)) {
      result.problems.push(problem(at, '"startMs" must be a number of ms.'))
    } else if (typeof endMs !== 'number' || !Number.isFinite(endMs)) {
      result.problems.push(problem(at, '"endMs" must be a number of ms.'))
    } else if (label === null) {
      result.problems.push(
        problem(at, `"label" must be a class name (1 to ${MAX_LABEL_CHARS} characters).`),
      )
    } else {
      result.labels.push({ ...at, label, span: { unit: 'ms', start: startMs, end: endMs } })
    }
  }
  return result
}

export function writeJson(header: JsonHeader, labels: readonly OutputLabel[]): string {
  const document = {
    version: 1,
    ...header,
    labels: labels.map(({ label, startUs, endUs }) => ({
      startMs: startUs / 1000,
      endMs: endUs / 1000,
      label,
    })),
  }
  return `${JSON.stringify(document, null, 2)}\n`
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
