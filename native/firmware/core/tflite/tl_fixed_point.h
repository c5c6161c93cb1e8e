// TFLite's integer arithmetic, one function per TFLite / gemmlowp function (common.h,
// quantization_util.cc, gemmlowp's fixedpoint.h), written to give the bits
// src-main/tflite/fixed-point.ts gives: that file is the reference these follow line by line.
// Wrapping int32 additions go through uint32 (defined behaviour); shifts of negative values use
// the arithmetic right shift GCC defines.
#pragma once

#include <cmath>
#include <cstdint>

namespace tl {
namespace fx {

constexpr int32_t kInt32Min = INT32_MIN;
constexpr int32_t kInt32Max = INT32_MAX;

inline int32_t wrap_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
inline int32_t wrap_sub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}
// JS's `x | 0` of an integer-valued int64: its low 32 bits.
inline int32_t wrap_to_int32(int64_t x) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(x)));
}

// A real multiplier as TFLite stores it: multiplier * 2^(shift - 31), multiplier in Q0.31.
struct QuantizedMultiplier {
  int32_t multiplier;
  int32_t shift;
};

// TfLiteRound: half away from zero.
inline double round_half_away(double x) { return std::round(x); }

// tflite::QuantizeMultiplier (double in; flush to zero below 2^-31). The caller keeps `real`
// finite and positive.
inline QuantizedMultiplier quantize_multiplier(double real) {
  if (real == 0.0) return {0, 0};
  int exponent = 0;
  const double fraction = std::frexp(real, &exponent);
  double fixed = round_half_away(fraction * 2147483648.0);
  if (fixed == 2147483648.0) {
    fixed /= 2;
    exponent++;
  }
  if (exponent < -31) return {0, 0};
  return {static_cast<int32_t>(fixed), exponent};
}

// gemmlowp::SaturatingRoundingDoublingHighMul.
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == kInt32Min && b == kInt32Min) return kInt32Max;
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// gemmlowp::RoundingDivideByPOT, exponent in [0, 31].
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((uint32_t{1} << exponent) - 1u);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// tflite::MultiplyByQuantizedMultiplier as built with TFLITE_SINGLE_ROUNDING=1: the 64-bit
// product plus half, shifted once (shift in [-31, 30], checked when a model loads); the low 32
// bits of the result, as the TypeScript `| 0` keeps them.
inline int32_t multiply_single_rounding(int32_t x, QuantizedMultiplier m) {
  const int total_shift = 31 - m.shift;
  const int64_t product = static_cast<int64_t>(x) * static_cast<int64_t>(m.multiplier);
  const int64_t rounded = product + (int64_t{1} << (total_shift - 1));
  return wrap_to_int32(rounded >> total_shift);
}

// gemmlowp::SaturatingRoundingMultiplyByPOT, exponent in [-31, 30].
inline int32_t saturating_rounding_multiply_by_pot(int32_t x, int exponent) {
  if (exponent <= 0) return rounding_divide_by_pot(x, -exponent);
  const int32_t threshold = static_cast<int32_t>((uint32_t{1} << (31 - exponent)) - 1u);
  if (x > threshold) return kInt32Max;
  if (x < -threshold) return kInt32Min;
  return static_cast<int32_t>(static_cast<uint32_t>(x) << exponent);
}

// gemmlowp::RoundingHalfSum.
inline int32_t rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = static_cast<int64_t>(a) + static_cast<int64_t>(b);
  return static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
}

// gemmlowp::exp_on_interval_between_negative_one_quarter_and_0_excl, Q0.31.
inline int32_t exp_on_negative_quarter_interval(int32_t a) {
  const int32_t constant_term = 1895147668;  // exp(-1/8)
  const int32_t one_third = 715827883;
  const auto mul = saturating_rounding_doubling_high_mul;
  const int32_t x = wrap_add(a, 1 << 28);
  const int32_t x2 = mul(x, x);
  const int32_t x3 = mul(x2, x);
  const int32_t x4 = mul(x2, x2);
  const int32_t x4_over_4 = rounding_divide_by_pot(x4, 2);
  const int32_t polynomial =
      rounding_divide_by_pot(wrap_add(mul(wrap_add(x4_over_4, x3), one_third), x2), 1);
  return wrap_add(constant_term, mul(constant_term, wrap_add(x, polynomial)));
}

// gemmlowp::exp_on_negative_values for a Q(integer_bits).(31 - integer_bits) input a <= 0; Q0.31
// out. integer_bits in [1, 5] here (softmax uses 5).
inline int32_t exp_on_negative_values(int32_t a, int integer_bits) {
  static const int32_t kExpOfNegativePowers[7] = {1672461947, 1302514674, 790015084, 290630308,
                                                  39332535,   720401,     242};
  const int fractional_bits = 31 - integer_bits;
  const int32_t one_quarter = int32_t{1} << (fractional_bits - 2);
  const int32_t mod_quarter_minus_quarter = wrap_sub(a & (one_quarter - 1), one_quarter);
  int32_t result = exp_on_negative_quarter_interval(
      saturating_rounding_multiply_by_pot(mod_quarter_minus_quarter, integer_bits));
  const int32_t remainder = wrap_sub(mod_quarter_minus_quarter, a);
  for (int index = 0; index < 7; index++) {
    const int exponent = index - 2;
    if (integer_bits > exponent &&
        (remainder & static_cast<int32_t>(uint32_t{1} << (fractional_bits + exponent))) != 0) {
      result = saturating_rounding_doubling_high_mul(result, kExpOfNegativePowers[index]);
    }
  }
  return a == 0 ? kInt32Max : result;
}

// gemmlowp::one_over_one_plus_x_for_x_in_0_1, Q0.31.
inline int32_t one_over_one_plus_x(int32_t a) {
  const auto mul = saturating_rounding_doubling_high_mul;
  const int32_t half_denominator = rounding_half_sum(a, kInt32Max);
  const int32_t one_q2 = 1 << 29;
  int32_t x = wrap_add(1515870810, mul(half_denominator, -1010580540));
  for (int i = 0; i < 3; i++) {
    const int32_t one_minus_half_denominator_times_x = wrap_sub(one_q2, mul(half_denominator, x));
    x = wrap_add(x, saturating_rounding_multiply_by_pot(mul(x, one_minus_half_denominator_times_x), 2));
  }
  return saturating_rounding_multiply_by_pot(x, 1);
}

// tflite::GetReciprocal for x > 0: a Q0.31 scale and the bits it stands above one.
inline int32_t reciprocal(int32_t x, int integer_digits, int* num_bits_over_unit) {
  const int headroom_plus_one = __builtin_clz(static_cast<uint32_t>(x));
  *num_bits_over_unit = integer_digits - headroom_plus_one;
  const uint32_t shifted = static_cast<uint32_t>(x) << headroom_plus_one;
  return one_over_one_plus_x(static_cast<int32_t>(shifted - 0x80000000u));
}

}  // namespace fx
}  // namespace tl
