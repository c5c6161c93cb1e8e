import type { MethodArgs, MethodName, MethodResult } from '../../src-preload/contract/index.js'
import type { Dispatch } from './dispatcher.js'

export type LocalClient = ReturnType<typeof localClient>

/** A typed, in-process caller of the contract: the CLI and tests go through the same validation. */
export function localClient(dispatch: Dispatch) {
  return {
    async call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M>> {
      const response = await dispatch(method, args)
      if (!response.ok) throw Object.assign(new Error(response.error.message), response.error)
      return response.value as MethodResult<M>
    },
  }
}
