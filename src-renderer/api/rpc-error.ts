import type { ErrorCode, RpcErrorShape } from '../../src-preload/contract/index'

/** A failed call, with the typed error from the services. Its message is written for people. */
export class RpcError extends Error {
  readonly code: ErrorCode
  readonly issues: RpcErrorShape['issues']
  constructor(shape: RpcErrorShape) {
    super(shape.message)
    this.name = 'RpcError'
    this.code = shape.code
    this.issues = shape.issues
  }
}

/** What to tell the user about a failure: an RpcError's message is written for them already. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
