/**
 * TFLite's integer arithmetic, as its reference kernels and TFLite Micro do it
 * (tensorflow/lite/kernels/internal/common.h, quantization_util.cc, and gemmlowp's
 * fixedpoint.h, which they use). Every function works on int32 values held in JS numbers and
 * gives the bits the C++ gives; each names the function it follows, so the firmware's C copy
 * can be checked line by line.
 */

export const INT32_MIN = -2147483648
export const INT32_MAX = 2147483647
const TWO_POW_31 = 2147483648
/** Below this, the product with any int32 is exact in a double (2^22 × 2^31 = 2^53). */
const FAST_PRODUCT_LIMIT = 2 ** 22

/** A real multiplier as TFLite stores it: `multiplier * 2^(shift - 31)`, multiplier in Q0.31. */
export interface QuantizedMultiplier {
  multiplier: number
  shift: number
}

/** Half away from zero, like C's `round` (TfLiteRound); JS's Math.round goes up on halves. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x)
}

/**
 * tflite::QuantizeMultiplier: `m = q * 2^shift` with q in [0.5, 1) (frexp), q rounded to 31
 * fractional bits; multipliers below 2^-31 flush to zero.
 */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (real === 0) return { multiplier: 0, shift: 0 }
  const parts = frexp(real)
  let exponent = parts.exponent
  let fixed = roundHalfAway(parts.fraction * TWO_POW_31)
  if (fixed === TWO_POW_31) {
    fixed /= 2
    exponent++
  }
  if (exponent < -31) return { multiplier: 0, shift: 0 }
  return { multiplier: fixed, shift: exponent }
}

/** C's frexp for a finite non-zero double: `x = fraction * 2^exponent`, |fraction| in [0.5, 1). */
function frexp(x: number): { fraction: number; exponent: number } {
  let exponent = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1)
  let fraction = x * 2 ** -exponent
  // log2 can be off by one near powers of two: settle it exactly.
  while (Math.abs(fraction) < 0.5) {
    fraction *= 2
    exponent--
  }
  while (Math.abs(fraction) >= 1) {
    fraction /= 2
    exponent++
  }
  return { fraction, exponent }
}

/**
 * gemmlowp::SaturatingRoundingDoublingHighMul: the high 32 bits of `2 * a * b`, rounded to
 * nearest (the 64-bit product plus a nudge of ±2^30, divided by 2^31 truncating toward zero).
 * The 64-bit product is formed exactly from 16-bit halves, since doubles hold only 53 bits.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX
  // The usual case, exact in a double: |a × b| < 2^53.
  if (a < FAST_PRODUCT_LIMIT && a > -FAST_PRODUCT_LIMIT) {
    const product = a * b
    return Math.trunc((product + (product >= 0 ? 2 ** 30 : 1 - 2 ** 30)) / TWO_POW_31) | 0
  }
  const aLow = a & 0xffff
  const high = ((a - aLow) / 65536) * b // exact: |high| < 2^46
  const low = aLow * b // exact: |low| < 2^47
  const negative = high * 65536 + low < 0
  const nudge = negative ? 1 - 2 ** 30 : 2 ** 30
  // a*b + nudge = highQuotient * 2^31 + rest, each part exact in a double.
  const highRest = ((high % 32768) + 32768) % 32768
  const highQuotient = (high - highRest) / 32768
  const rest = highRest * 65536 + low + nudge
  const floor = highQuotient + Math.floor(rest / TWO_POW_31)
  // C++ division truncates toward zero: a negative quotient with a remainder goes up by one.
  const truncated = floor < 0 && rest % TWO_POW_31 !== 0 ? floor + 1 : floor
  return truncated | 0
}

/** gemmlowp::RoundingDivideByPOT: `x / 2^exponent`, rounded to nearest, halves away from zero. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  const mask = 2 ** exponent - 1
  const remainder = x & mask
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0)
  return (x >> exponent) + (remainder > threshold ? 1 : 0)
}

/**
 * tflite::MultiplyByQuantizedMultiplier (the reference kernels' and TFLite Micro's form, with
 * two roundings): a left shift first for multipliers above one, the doubling high multiply,
 * then a rounding right shift.
 */
export function multiplyByQuantizedMultiplier(x: number, m: QuantizedMultiplier): number {
  const left = m.shift > 0 ? m.shift : 0
  const right = m.shift > 0 ? 0 : -m.shift
  return roundingDivideByPOT(
    saturatingRoundingDoublingHighMul(Math.imul(x, 2 ** left), m.multiplier),
    right,
  )
}

/**
 * tflite::MultiplyByQuantizedMultiplier as TFLite builds it with TFLITE_SINGLE_ROUNDING: the
 * 64-bit product `x * multiplier`, plus half of 2^(31 - shift), shifted right once. One
 * rounding (halves up) instead of two, as LiteRT's XNNPACK kernels and Arm NN, which requantize
 * in float, effectively do: see `Rounding` in interpreter.ts.
 */
export function multiplyByQuantizedMultiplierSingleRounding(
  x: number,
  m: QuantizedMultiplier,
): number {
  return singleRoundingScaler(m)(x)
}

/**
 * `multiplyByQuantizedMultiplierSingleRounding` by one multiplier, prepared once for the
 * kernels' inner loops.
 */
export function singleRoundingScaler(m: QuantizedMultiplier): (x: number) => number {
  const totalShift = 31 - m.shift
  // floor((p + 2^(s-1)) / 2^s) = floor((floor(p / 2^(s-1)) + 1) / 2), and with the multiplier
  // in 16-bit halves, floor(p / 2^(s-1)) is exact in doubles when s - 1 >= 16 (shift <= 14).
  const halfShift = totalShift - 1
  if (halfShift >= 16) {
    const high = Math.floor(m.multiplier / 65536)
    const low = m.multiplier & 0xffff
    const divisor = 2 ** (halfShift - 16)
    return (x) => {
      const floored = Math.floor((x * high + Math.floor((x * low) / 65536)) / divisor)
      return Math.floor((floored + 1) / 2) | 0
    }
  }
  return (x) => {
    let { high, low } = multiply64(x, m.multiplier)
    // + 2^(totalShift - 1), carried into the high word.
    low += 2 ** halfShift
    if (low >= 2 ** 32) {
      low -= 2 ** 32
      high += 1
    }
    // An arithmetic shift right by totalShift (1..16), kept to its low 32 bits as C's cast to
    // int32 keeps them (only the high word's low bits reach them).
    const highBits = ((high % 2 ** totalShift) + 2 ** totalShift) % 2 ** totalShift
    return (highBits * 2 ** (32 - totalShift) + Math.floor(low / 2 ** totalShift)) | 0
  }
}

/** The exact 64-bit product of two int32 values as a signed high and an unsigned low word. */
function multiply64(a: number, b: number): { high: number; low: number } {
  const aLow = a & 0xffff
  const byLow = aLow * b // exact: |.| < 2^47
  const byHigh = ((a - aLow) / 65536) * b // exact: |.| < 2^46; a*b = byHigh * 2^16 + byLow
  const byHighLow = byHigh & 0xffff
  const byHighHigh = (byHigh - byHighLow) / 65536
  const sum = byHighLow * 65536 + byLow // exact: |.| < 2^48
  const low = ((sum % 2 ** 32) + 2 ** 32) % 2 ** 32
  return { high: byHighHigh + (sum - low) / 2 ** 32, low }
}

/** tflite::MultiplyByQuantizedMultiplierGreaterThanOne: a left shift, then the high multiply. */
export function multiplyByQuantizedMultiplierGreaterThanOne(
  x: number,
  m: QuantizedMultiplier,
): number {
  return saturatingRoundingDoublingHighMul(Math.imul(x, 2 ** m.shift), m.multiplier)
}

/** gemmlowp::SaturatingRoundingMultiplyByPOT: `x * 2^exponent`, saturating up, rounding down. */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number): number {
  if (exponent <= 0) return roundingDivideByPOT(x, -exponent)
  const threshold = 2 ** (31 - exponent) - 1
  if (x > threshold) return INT32_MAX
  if (x < -threshold) return INT32_MIN
  return x << exponent
}

/** gemmlowp::RoundingHalfSum: `(a + b) / 2`, rounded to nearest, halves away from zero. */
function roundingHalfSum(a: number, b: number): number {
  const sum = a + b
  return Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2)
}

/** The wrapping int32 addition and subtraction gemmlowp's FixedPoint operators do. */
const add = (a: number, b: number) => (a + b) | 0
const sub = (a: number, b: number) => (a - b) | 0
const mul = saturatingRoundingDoublingHighMul

/**
 * gemmlowp::exp_on_interval_between_negative_one_quarter_and_0_excl, Q0.31 in and out: a Taylor
 * expansion of exp around -1/8.
 */
function expOnNegativeQuarterInterval(a: number): number {
  const constantTerm = 1895147668 // exp(-1/8) in Q0.31
  const oneThird = 715827883
  const x = add(a, 1 << 28)
  const x2 = mul(x, x)
  const x3 = mul(x2, x)
  const x4 = mul(x2, x2)
  const x4Over4 = roundingDivideByPOT(x4, 2)
  const polynomial = roundingDivideByPOT(add(mul(add(x4Over4, x3), oneThird), x2), 1)
  return add(constantTerm, mul(constantTerm, add(x, polynomial)))
}

/** exp(-2^k) in Q0.31 for k = -2..4: the barrel shifter's factors. */
const EXP_OF_NEGATIVE_POWERS = [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242]

/**
 * gemmlowp::exp_on_negative_values for a Q(integerBits).(31 - integerBits) input a <= 0; the
 * result in Q0.31. The input's remainder modulo 1/4 goes through the polynomial, and each whole
 * power of two of the rest multiplies by exp(-2^k). Softmax uses 5 integer bits.
 */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits
  const oneQuarter = 1 << (fractionalBits - 2)
  const modQuarterMinusQuarter = sub(a & (oneQuarter - 1), oneQuarter)
  let result = expOnNegativeQuarterInterval(
    saturatingRoundingMultiplyByPOT(modQuarterMinusQuarter, integerBits),
  )
  const remainder = sub(modQuarterMinusQuarter, a)
  EXP_OF_NEGATIVE_POWERS.forEach((factor, index) => {
    const exponent = index - 2
    if (integerBits > exponent && (remainder & (1 << (fractionalBits + exponent))) !== 0) {
      result = mul(result, factor)
    }
  })
  if (integerBits > 5 && a < -(1 << (36 - integerBits))) result = 0
  return a === 0 ? INT32_MAX : result
}

/**
 * gemmlowp::one_over_one_plus_x_for_x_in_0_1, Q0.31 in and out: three Newton-Raphson steps in
 * Q2.29 from the 48/17 - 32/17 x estimate.
 */
function oneOverOnePlusX(a: number): number {
  const halfDenominator = roundingHalfSum(a, INT32_MAX)
  const oneQ2 = 1 << 29
  let x = add(1515870810, mul(halfDenominator, -1010580540))
  for (let i = 0; i < 3; i++) {
    const oneMinusHalfDenominatorTimesX = sub(oneQ2, mul(halfDenominator, x))
    x = add(x, saturatingRoundingMultiplyByPOT(mul(x, oneMinusHalfDenominatorTimesX), 2))
  }
  return saturatingRoundingMultiplyByPOT(x, 1)
}

/**
 * tflite::GetReciprocal: 1 / x for a positive Q(integerDigits) x, as a Q0.31 scale and the
 * number of bits it stands above one (`numBitsOverUnit`).
 */
export function reciprocal(
  x: number,
  integerDigits: number,
): { scale: number; numBitsOverUnit: number } {
  const headroomPlusOne = Math.clz32(x)
  const shiftedSumMinusOne = ((x << headroomPlusOne) - INT32_MIN) | 0
  return {
    scale: oneOverOnePlusX(shiftedSumMinusOne),
    numBitsOverUnit: integerDigits - headroomPlusOne,
  }
}
