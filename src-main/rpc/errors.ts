import type { ErrorCode, RpcErrorShape } from '../../src-preload/contract/index.js'

/** An error a user can meet, with a code the UI can act on and a message written for people. */
export class ServiceError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'ServiceError'
    this.code = code
  }
}

/** Errors that carry their own user-facing code (the store's ProjectFileError, ServiceError). */
export function toRpcError(err: unknown): RpcErrorShape | null {
  if (err instanceof ServiceError) return { code: err.code, message: err.message }
  if (err instanceof Error && err.name === 'ProjectFileError') {
    return { code: 'PROJECT_FILE', message: err.message }
  }
  return null
}
