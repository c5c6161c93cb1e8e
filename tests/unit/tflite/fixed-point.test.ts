import fc from 'fast-check'
import { expect, test } from 'vitest'
import {
  expOnNegativeValues,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierSingleRounding,
  quantizeMultiplier,
  roundHalfAway,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../../../src-main/tflite/fixed-point.js'

// TFLite's integer arithmetic, against 64-bit BigInt arithmetic written from its definitions and
// against cases worked by hand.

/** Whole int32 range, and the small values (accumulators) the fast paths take. */
const int32 = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.integer({ min: -(2 ** 23), max: 2 ** 23 }),
)

/** gemmlowp's definition, in exact 64-bit arithmetic. */
function highMulReference(a: number, b: number): number {
  if (a === -(2 ** 31) && b === -(2 ** 31)) return 2 ** 31 - 1
  const product = BigInt(a) * BigInt(b)
  const nudge = product >= 0n ? 1n << 30n : 1n - (1n << 30n)
  return Number((product + nudge) / (1n << 31n)) // BigInt division truncates, as C++'s does
}

test('SaturatingRoundingDoublingHighMul is the exact 64-bit one, saturating only at MIN × MIN', () => {
  fc.assert(
    fc.property(int32, int32, (a, b) => {
      expect(saturatingRoundingDoublingHighMul(a, b)).toBe(highMulReference(a, b))
    }),
    { numRuns: 20_000 },
  )
  expect(saturatingRoundingDoublingHighMul(-(2 ** 31), -(2 ** 31))).toBe(2 ** 31 - 1)
  // 2 × 2^30 × 2^30 / 2^32 = 2^29; halves go up: 1/2 to 1, -1/2 to 0 (the nudge is 1 - 2^30).
  expect(saturatingRoundingDoublingHighMul(2 ** 30, 2 ** 30)).toBe(2 ** 29)
  expect(saturatingRoundingDoublingHighMul(1, 2 ** 30)).toBe(1)
  expect(saturatingRoundingDoublingHighMul(-1, 2 ** 30)).toBe(0)
})

test('RoundingDivideByPOT rounds to nearest, halves away from zero', () => {
  expect([5, 6, 7, -5, -6, -7].map((x) => roundingDivideByPOT(x, 2))).toEqual([1, 2, 2, -1, -2, -2])
  expect(roundingDivideByPOT(-(2 ** 31), 31)).toBe(-1)
  fc.assert(
    fc.property(int32, fc.integer({ min: 0, max: 31 }), (x, e) => {
      const exact = x / 2 ** e
      const expected = Math.sign(exact) * Math.floor(Math.abs(exact) + 0.5)
      expect(roundingDivideByPOT(x, e)).toBe(expected === 0 ? 0 : expected)
    }),
    { numRuns: 20_000 },
  )
})

test('QuantizeMultiplier gives the Q0.31 significand and shift of frexp', () => {
  expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 })
  expect(quantizeMultiplier(0.25)).toEqual({ multiplier: 2 ** 30, shift: -1 })
  expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 })
  expect(quantizeMultiplier(0.3)).toEqual({ multiplier: 1288490189, shift: -1 })
  // 1 - 2^-40 rounds up to 2^31: halved, with the shift one higher.
  expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 2 ** 30, shift: 1 })
  expect(quantizeMultiplier(2 ** -40)).toEqual({ multiplier: 0, shift: 0 })
  expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 })
})

test('single rounding is one exact rounding of the 64-bit product; double rounding rounds twice', () => {
  fc.assert(
    fc.property(
      int32,
      fc.integer({ min: 2 ** 30, max: 2 ** 31 - 1 }),
      fc.integer({ min: -31, max: 30 }),
      (x, multiplier, shift) => {
        const total = BigInt(31 - shift)
        const exact = (BigInt(x) * BigInt(multiplier) + (1n << (total - 1n))) >> total
        expect(multiplyByQuantizedMultiplierSingleRounding(x, { multiplier, shift })).toBe(
          Number(BigInt.asIntN(32, exact)),
        )
      },
    ),
    { numRuns: 20_000 },
  )
  // hello_world_int8's output layer, worked by hand: 4868 × 0.7592 / 32 = 115.49...
  const m = { multiplier: 1630361836, shift: -5 }
  expect(multiplyByQuantizedMultiplierSingleRounding(4868, m)).toBe(115)
  // ... but the high multiply first rounds 3695.8 to 3696, and 3696 / 32 = 115.5 rounds up.
  expect(saturatingRoundingDoublingHighMul(4868, m.multiplier)).toBe(3696)
  expect(multiplyByQuantizedMultiplier(4868, m)).toBe(116)
})

test('exp on negative values from Q5.26 is exp to within 2^-22', () => {
  for (const x of [0, -0.01, -0.25, -0.5, -1, -2, -4.75, -10, -31]) {
    const raw = Math.round(x * 2 ** 26)
    const result = expOnNegativeValues(raw, 5) / 2 ** 31
    expect(Math.abs(result - Math.exp(raw / 2 ** 26))).toBeLessThan(2 ** -22)
  }
})

test('rounding of halves goes away from zero, as C does', () => {
  expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4].map(roundHalfAway)).toEqual([1, 2, 3, -1, -2, 2])
})
