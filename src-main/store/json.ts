import { z } from 'zod'
import { ProjectFileError } from './errors.js'

/** A value that survives JSON.stringify / JSON.parse unchanged; JSON columns hold these. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

export type JsonObject = { [key: string]: Json }

/** Any JSON object, for columns whose shape is the caller's business (metadata). */
export const JsonObjectSchema: z.ZodType<JsonObject> = z.record(z.string(), z.json())

/**
 * A value as the JSON object a column stores: copied through JSON (dropping what JSON cannot
 * hold, such as undefined fields), so what is stored is exactly what will be read back.
 */
export function toJsonObject(value: object): JsonObject {
  return JsonObjectSchema.parse(JSON.parse(JSON.stringify(value)))
}

/**
 * A JSON column's value, checked against its schema where it is read from the file, so callers
 * get typed values and never cast. A value that does not fit means the file was damaged (or
 * written by something else): it is reported as such, naming the column.
 */
export function readJsonColumn<S extends z.ZodType>(
  schema: S,
  text: string,
  column: string,
  path: string,
): z.output<S> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw ProjectFileError.corrupt(path, new Error(`${column} is not JSON`, { cause: error }))
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    throw ProjectFileError.corrupt(
      path,
      new Error(`${column}: ${parsed.error.issues[0]?.message ?? 'unexpected shape'}`),
    )
  }
  return parsed.data
}
