/**
 * The IPC channels of the desktop app, and the names the sandboxed preload allows. No zod here:
 * the preload bundles only this. The names come from the contract at build time
 * (`electron.vite.config.ts` defines `__TINYLOOP_CONTRACT_NAMES__`), so there is no second list.
 */

export const IPC_CHANNEL_CALL = 'tinyloop:call'
export const IPC_CHANNEL_EVENT = 'tinyloop:event'

declare const __TINYLOOP_CONTRACT_NAMES__: { methods: string[]; events: string[] }

/** Method and event names of the contract, as the build found them. */
export const contractNames: { methods: readonly string[]; events: readonly string[] } =
  __TINYLOOP_CONTRACT_NAMES__
