/** A value that survives JSON.stringify / JSON.parse unchanged; JSON columns hold these. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

export type JsonObject = { [key: string]: Json }
