/**
 * Mutations of .tflite files, for fuzzing the app's reader (fuzz.test.ts) and the firmware's
 * engine (tests/integration/firmware): bit flips, words overwritten with edge values and
 * offsets, truncations, splices of two files and duplicated regions.
 */
type Random = () => number
export type Mutation = (bytes: Uint8Array, random: Random, other: Uint8Array) => Uint8Array

export const at = (random: Random, length: number) => Math.floor(random() * length)

export const MUTATIONS: Record<string, Mutation> = {
  flipBits(bytes, random) {
    const out = bytes.slice()
    for (let n = 1 + at(random, 8); n > 0; n--) out[at(random, out.length)]! ^= 1 << at(random, 8)
    return out
  },
  overwriteWord(bytes, random) {
    const out = bytes.slice()
    const values = [
      0,
      0xffffffff,
      0x7fffffff,
      0x80000000,
      bytes.length,
      at(random, 2 ** 32),
      at(random, 64),
    ]
    const position = at(random, Math.max(1, out.length - 4)) & ~3
    new DataView(out.buffer).setUint32(position, values[at(random, values.length)]!, true)
    return out
  },
  truncate(bytes, random) {
    return bytes.slice(0, at(random, bytes.length))
  },
  splice(bytes, random, other) {
    const cut = at(random, bytes.length)
    const from = at(random, other.length)
    return Uint8Array.from([
      ...bytes.subarray(0, cut),
      ...other.subarray(from, from + at(random, 512)),
    ])
  },
  duplicateRegion(bytes, random) {
    const start = at(random, bytes.length)
    const region = bytes.subarray(start, start + at(random, 256))
    const into = at(random, bytes.length)
    return Uint8Array.from([...bytes.subarray(0, into), ...region, ...bytes.subarray(into)])
  },
}

/** One mutated file: a mutation drawn at random applied to `seed`, with `other` for splices. */
export function mutate(
  seed: Uint8Array,
  other: Uint8Array,
  random: Random,
): { mutation: string; bytes: Uint8Array } {
  const names = Object.keys(MUTATIONS)
  const mutation = names[at(random, names.length)]!
  return { mutation, bytes: MUTATIONS[mutation]!(seed, random, other) }
}
