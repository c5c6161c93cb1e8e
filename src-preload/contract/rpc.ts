/**
 * What every domain's contract is made of, and the errors and wire format shared by both
 * transports. Domains declare their methods with `method(args, result)`.
 */
import { z } from 'zod'

/** A request/response method: its argument schema and its result schema. */
export const method = <A extends z.ZodType, R extends z.ZodType>(args: A, result: R) => ({
  args,
  result,
})
export const NoArgs = z.object({}).strict()

export const ErrorCode = z.enum([
  'BAD_REQUEST', // malformed message or unknown method
  'INVALID_ARGUMENT', // arguments failed the method's schema
  'NOT_FOUND',
  'PROJECT_FILE', // the project file cannot be used (not a project, corrupt, too new, ...)
  'ALREADY_EXISTS',
  'UNSUPPORTED', // this host cannot do that (e.g. native dialogs in web mode)
  'DEVICE', // the device cannot be opened or used (missing, busy, no permission)
  'BUSY', // refused while something else runs (e.g. switching project while recording)
  'TOO_LARGE', // the request is larger than one message may be (see limits.ts)
  'INTERNAL', // a bug: details are in the log, not in the UI
])
export type ErrorCode = z.infer<typeof ErrorCode>

export const RpcErrorShape = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Per-field problems for INVALID_ARGUMENT. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
})
export type RpcErrorShape = z.infer<typeof RpcErrorShape>

export type RpcResponse<T = unknown> = { ok: true; value: T } | { ok: false; error: RpcErrorShape }

/** What the WebSocket carries. The IPC transport carries the same request and response objects. */
export const WireRequest = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().max(200),
  args: z.unknown(),
})
export type WireRequest = z.infer<typeof WireRequest>
