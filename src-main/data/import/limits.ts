/**
 * Bounds on imported files, which are untrusted: a damaged or hostile file must fail with a clear
 * message, not exhaust memory.
 */

/** Largest file accepted at all. */
export const MAX_FILE_BYTES = 2 * 1024 ** 3

/** Largest JSON or CBOR file: these are decoded whole, so they get a tighter bound than CSV. */
export const MAX_DOCUMENT_BYTES = 256 * 1024 ** 2

/** Longest CSV line (characters). */
export const MAX_LINE_CHARS = 64 * 1024

/**
 * Decoded samples of one file held in memory before its single write transaction (4 bytes per
 * value, 8 per timestamp).
 */
export const MAX_DECODED_BYTES = 1024 ** 3

/** Samples per stored chunk: per-row overhead is negligible from about 1000 on. */
export const CHUNK_SAMPLES = 2048

/** Chunks per `appendChunks` call inside the file's transaction. */
export const CHUNKS_PER_APPEND = 64
