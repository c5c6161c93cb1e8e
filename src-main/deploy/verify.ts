import type { Verification } from '../../src-preload/contract/index.js'
import { armNn, armNnAvailable, joined, liteRt, ours } from './runtimes.js'

/**
 * The int8 outputs of `bytes` on `inputs` in LiteRT.js and in Arm NN, each against TinyLoop's
 * own interpreter: identical, different (with the first window that differs), unavailable on
 * this machine, or failed (the runtime refused the file, say).
 */
export async function checkRuntimes(
  bytes: Uint8Array,
  inputs: readonly Int8Array[],
): Promise<Verification['runtimes']> {
  const reference = ours(bytes, inputs)
  const compare = (runtime: 'LiteRT.js' | 'Arm NN', outputs: Int8Array[]) => {
    if (joined(outputs).equals(joined(reference))) {
      return { runtime, status: 'identical' as const, windows: inputs.length, detail: null }
    }
    const first = outputs.findIndex((o, i) => !joined([o]).equals(joined([reference[i]!])))
    return {
      runtime,
      status: 'different' as const,
      windows: inputs.length,
      detail: `Window ${first + 1} gives other int8 outputs than TinyLoop's interpreter.`,
    }
  }
  const failed = (runtime: 'LiteRT.js' | 'Arm NN', error: unknown) => ({
    runtime,
    status: 'failed' as const,
    windows: 0,
    detail: error instanceof Error ? error.message.slice(0, 300) : String(error),
  })
  const results: Verification['runtimes'] = []
  try {
    results.push(compare('LiteRT.js', await liteRt(bytes, inputs)))
  } catch (error) {
    results.push(failed('LiteRT.js', error))
  }
  const missing = await armNnAvailable()
  if (missing) {
    results.push({ runtime: 'Arm NN', status: 'unavailable', windows: 0, detail: missing })
  } else {
    try {
      results.push(compare('Arm NN', await armNn(bytes, inputs)))
    } catch (error) {
      results.push(failed('Arm NN', error))
    }
  }
  return results
}
