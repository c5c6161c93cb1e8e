import { eventNames, methodNames } from './index.js'

/**
 * For the build tools (electron-vite, Vitest): the contract's method and event names as the
 * constant that `src-preload/channels.ts` reads, so the preload needs no second list of them.
 */
export function contractNamesDefine(): Record<string, string> {
  return {
    __TINYLOOP_CONTRACT_NAMES__: JSON.stringify({ methods: methodNames, events: eventNames }),
  }
}
