import { expect } from 'vitest'
import { TfliteError } from '../../../src-main/tflite/model.js'

/** The message of the TfliteError `action` throws; fails if it throws another error or none. */
export function refusalOf(action: () => unknown): string {
  try {
    action()
  } catch (error) {
    expect(error).toBeInstanceOf(TfliteError)
    return (error as Error).message
  }
  throw new Error('It was accepted.')
}
