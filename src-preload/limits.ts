/**
 * The limits of the contract and its transports, in one place: the schemas, the WebSocket server,
 * the page's transport and the file readers all take them from here, so they cannot disagree.
 * docs/limits.md lists them with the reasons.
 */

const MiB = 1024 ** 2

/** Largest request one message may carry (UTF-8 bytes of its JSON), on the WebSocket and IPC. */
export const MAX_MESSAGE_BYTES = 32 * MiB

/**
 * Largest label file `labels.import` reads, from a path or sent whole: under half a message, so
 * that a text file sent from the page always fits in one with its request around it, even when
 * every byte is a newline or a quote (two bytes each once escaped as JSON).
 */
export const MAX_LABEL_FILE_BYTES = MAX_MESSAGE_BYTES / 2 - MiB

/** Requests of one connection being answered at once; more wait, unread, in the socket. */
export const MAX_IN_FLIGHT_PER_CONNECTION = 16

/**
 * Replies and events written to a connection but not yet taken by the client. Above this the
 * server stops reading the connection's requests until the client catches up.
 */
export const MAX_UNSENT_BYTES_PER_CONNECTION = 16 * MiB

/** A connection that stays above its unsent bound this long is closed. */
export const STALLED_CONNECTION_CLOSE_MS = 30_000

/** The whole request head (line and headers) must arrive within this, or the socket is closed. */
export const REQUEST_HEADERS_TIMEOUT_MS = 10_000

/** Sockets open at once (HTTP and WebSocket); more are refused until some close. */
export const MAX_CONNECTIONS = 128

/** Whether the UTF-8 encoding of `text` fits in `limit` bytes, without encoding short texts. */
export function fitsInBytes(text: string, limit: number): boolean {
  if (text.length * 3 <= limit) return true
  if (text.length > limit) return false
  return new TextEncoder().encode(text).length <= limit
}

/** "16 MiB", "9.4 MB": sizes in the units the messages use. */
export function formatBytes(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`
  return `${bytes} bytes`
}
