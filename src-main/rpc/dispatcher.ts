import type { z } from 'zod'
import {
  methods,
  type MethodName,
  type Methods,
  type RpcResponse,
} from '../../src-preload/contract/index.js'
import { toRpcError } from './errors.js'

/** One handler per method of a domain's `methods` (e.g. `DomainHandlers<typeof labelsMethods>`). */
export type DomainHandlers<D extends Record<string, { args: z.ZodType; result: z.ZodType }>> = {
  [M in keyof D]: (
    args: z.output<D[M]['args']>,
  ) => z.output<D[M]['result']> | Promise<z.output<D[M]['result']>>
}

/** A handler for every method of the contract: the domains' handlers, composed. */
export type Handlers = DomainHandlers<Methods>

export type Dispatch = (method: unknown, args: unknown) => Promise<RpcResponse>

export interface Logger {
  error(message: string, err?: unknown): void
}

function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name)
}

/**
 * Turns the contract and one handler per method into the single entry point both transports use:
 * unknown methods and invalid arguments get a typed error, handler errors meant for users keep
 * their message, and anything else is logged and reported as INTERNAL without details.
 */
export function createDispatcher(handlers: Handlers, log: Logger): Dispatch {
  return async (method, args) => {
    if (!isMethodName(method)) {
      return {
        ok: false,
        error: { code: 'BAD_REQUEST', message: `Unknown method ${JSON.stringify(method)}.` },
      }
    }
    const parsed = methods[method].args.safeParse(args ?? {})
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      }))
      const first = issues[0]
      return {
        ok: false,
        error: {
          code: 'INVALID_ARGUMENT',
          message: `Invalid arguments for ${method}${first ? `: ${first.path ? `${first.path}: ` : ''}${first.message}` : ''}`,
          issues,
        },
      }
    }
    try {
      const handler = handlers[method] as (a: unknown) => unknown
      return { ok: true, value: await handler(parsed.data) }
    } catch (err) {
      const known = toRpcError(err)
      if (known) return { ok: false, error: known }
      log.error(`${method} failed`, err)
      return {
        ok: false,
        error: {
          code: 'INTERNAL',
          message: `${method} failed unexpectedly; details are in the log.`,
        },
      }
    }
  }
}
