// The kernels: TFLite's reference_integer_ops loops, as src-main/tflite/interpreter.ts writes
// them (same loop order, so an operator whose input is its own output behaves the same too).
#include <cstring>

#include "tl_internal.h"

namespace tl {
namespace detail {
namespace {

int32_t bias_at(const OpRec& op, int32_t channel) {
  if (op.bias == nullptr) return 0;
  int32_t value;
  std::memcpy(&value, op.bias + 4 * channel, sizeof value);  // little-endian target
  return value;
}

// The int32 accumulator (wrapped as TFLite's int32 sums wrap) scaled, offset and clamped.
int8_t requantize(const OpRec& op, int64_t acc, int32_t channel) {
  const int32_t sum = fx::wrap_add(fx::wrap_to_int32(acc), bias_at(op, channel));
  int64_t value = static_cast<int64_t>(fx::multiply_single_rounding(sum, op.scalers[channel])) +
                  op.output_zero_point;
  if (value < op.act_min) value = op.act_min;
  if (value > op.act_max) value = op.act_max;
  return static_cast<int8_t>(value);
}

void fully_connected(const OpRec& op, const int8_t* input, int8_t* output) {
  const int32_t outputs = op.out_c;
  for (int32_t batch = 0; batch < op.batches; batch++) {
    for (int32_t out = 0; out < outputs; out++) {
      const int8_t* w = op.filter + static_cast<size_t>(out) * op.depth;
      const int8_t* x = input + static_cast<size_t>(batch) * op.depth;
      int64_t acc = 0;
      for (int32_t d = 0; d < op.depth; d++) {
        acc += static_cast<int32_t>(w[d]) * (static_cast<int32_t>(x[d]) + op.input_offset);
      }
      output[static_cast<size_t>(batch) * outputs + out] = requantize(op, acc, out);
    }
  }
}

void conv2d(const OpRec& op, const int8_t* input, int8_t* output) {
  size_t o = 0;
  for (int32_t batch = 0; batch < op.batches; batch++) {
    for (int32_t y = 0; y < op.out_h; y++) {
      for (int32_t x = 0; x < op.out_w; x++) {
        const int32_t origin_y = y * op.stride_h - op.pad_h;
        const int32_t origin_x = x * op.stride_w - op.pad_w;
        for (int32_t oc = 0; oc < op.out_c; oc++) {
          int64_t acc = 0;
          for (int32_t fy = 0; fy < op.f_h; fy++) {
            const int32_t in_y = origin_y + op.dil_h * fy;
            if (in_y < 0 || in_y >= op.in_h) continue;
            for (int32_t fx = 0; fx < op.f_w; fx++) {
              const int32_t in_x = origin_x + op.dil_w * fx;
              if (in_x < 0 || in_x >= op.in_w) continue;
              const int8_t* in =
                  input + ((static_cast<size_t>(batch) * op.in_h + in_y) * op.in_w + in_x) * op.in_c;
              const int8_t* w =
                  op.filter + ((static_cast<size_t>(oc) * op.f_h + fy) * op.f_w + fx) * op.in_c;
              for (int32_t ic = 0; ic < op.in_c; ic++) {
                acc += static_cast<int32_t>(w[ic]) * (static_cast<int32_t>(in[ic]) + op.input_offset);
              }
            }
          }
          output[o++] = requantize(op, acc, oc);
        }
      }
    }
  }
}

void depthwise_conv2d(const OpRec& op, const int8_t* input, int8_t* output) {
  const int32_t multiplier = op.out_c / op.in_c;
  for (int32_t batch = 0; batch < op.batches; batch++) {
    for (int32_t y = 0; y < op.out_h; y++) {
      for (int32_t x = 0; x < op.out_w; x++) {
        const int32_t origin_y = y * op.stride_h - op.pad_h;
        const int32_t origin_x = x * op.stride_w - op.pad_w;
        for (int32_t ic = 0; ic < op.in_c; ic++) {
          for (int32_t m = 0; m < multiplier; m++) {
            const int32_t oc = ic * multiplier + m;
            int64_t acc = 0;
            for (int32_t fy = 0; fy < op.f_h; fy++) {
              const int32_t in_y = origin_y + op.dil_h * fy;
              if (in_y < 0 || in_y >= op.in_h) continue;
              for (int32_t fx = 0; fx < op.f_w; fx++) {
                const int32_t in_x = origin_x + op.dil_w * fx;
                if (in_x < 0 || in_x >= op.in_w) continue;
                const int32_t value =
                    input[((static_cast<size_t>(batch) * op.in_h + in_y) * op.in_w + in_x) * op.in_c + ic];
                const int32_t weight =
                    op.filter[(static_cast<size_t>(fy) * op.f_w + fx) * op.out_c + oc];
                acc += weight * (value + op.input_offset);
              }
            }
            output[((static_cast<size_t>(batch) * op.out_h + y) * op.out_w + x) * op.out_c + oc] =
                requantize(op, acc, oc);
          }
        }
      }
    }
  }
}

int32_t max_of(int32_t a, int32_t b) { return a > b ? a : b; }
int32_t min_of(int32_t a, int32_t b) { return a < b ? a : b; }

void pool2d(const OpRec& op, bool max, const int8_t* input, int8_t* output) {
  size_t o = 0;
  for (int32_t batch = 0; batch < op.batches; batch++) {
    for (int32_t y = 0; y < op.out_h; y++) {
      for (int32_t x = 0; x < op.out_w; x++) {
        const int32_t origin_y = y * op.stride_h - op.pad_h;
        const int32_t origin_x = x * op.stride_w - op.pad_w;
        const int32_t y_start = max_of(0, -origin_y);
        const int32_t y_end = min_of(op.f_h, op.in_h - origin_y);
        const int32_t x_start = max_of(0, -origin_x);
        const int32_t x_end = min_of(op.f_w, op.in_w - origin_x);
        for (int32_t c = 0; c < op.out_c; c++) {
          int32_t acc = max ? -128 : 0;
          int32_t count = 0;
          for (int32_t fy = y_start; fy < y_end; fy++) {
            for (int32_t fx = x_start; fx < x_end; fx++) {
              const int32_t value =
                  input[((static_cast<size_t>(batch) * op.in_h + origin_y + fy) * op.in_w + origin_x + fx) *
                            op.in_c + c];
              acc = max ? max_of(acc, value) : acc + value;
              count++;
            }
          }
          // The load checked that every window holds at least one value (count > 0).
          if (!max) {
            const int32_t half = count / 2;
            acc = acc > 0 ? (acc + half) / count : (acc - half) / count;
          }
          output[o++] = static_cast<int8_t>(min_of(max_of(acc, op.act_min), op.act_max));
        }
      }
    }
  }
}

constexpr int kScaledDiffIntegerBits = 5;
constexpr int kAccumulationIntegerBits = 12;

void softmax(const OpRec& op, const int8_t* input, int8_t* output) {
  const fx::QuantizedMultiplier scaling = op.scalers[0];
  const int32_t rows = op.elements / op.depth;
  for (int32_t row = 0; row < rows; row++) {
    const int8_t* in = input + static_cast<size_t>(row) * op.depth;
    int8_t* out = output + static_cast<size_t>(row) * op.depth;
    int32_t max_in_row = -128;
    for (int32_t c = 0; c < op.depth; c++) max_in_row = max_of(max_in_row, in[c]);
    int32_t sum_of_exps = 0;
    for (int32_t c = 0; c < op.depth; c++) {
      const int32_t diff = in[c] - max_in_row;
      if (diff >= op.diff_min) {
        const int32_t exp = fx::exp_on_negative_values(fx::multiply_single_rounding(diff, scaling),
                                                       kScaledDiffIntegerBits);
        sum_of_exps = fx::wrap_add(
            sum_of_exps, fx::saturating_rounding_multiply_by_pot(exp, -kAccumulationIntegerBits));
      }
    }
    int num_bits_over_unit = 0;
    const int32_t scale = fx::reciprocal(sum_of_exps, kAccumulationIntegerBits, &num_bits_over_unit);
    for (int32_t c = 0; c < op.depth; c++) {
      const int32_t diff = in[c] - max_in_row;
      int32_t value = -128;
      if (diff >= op.diff_min) {
        const int32_t exp = fx::exp_on_negative_values(fx::multiply_single_rounding(diff, scaling),
                                                       kScaledDiffIntegerBits);
        const int32_t unsaturated = fx::rounding_divide_by_pot(
            fx::saturating_rounding_doubling_high_mul(scale, exp), num_bits_over_unit + 31 - 8);
        value = min_of(max_of(unsaturated - 128, -128), 127);
      }
      out[c] = static_cast<int8_t>(value);
    }
  }
}

}  // namespace

void run_operator(const OpRec& op, const TensorRec* tensors) {
  const int8_t* input = tensors[op.input].data;
  int8_t* output = tensors[op.output].data;
  switch (op.kind) {
    case OpKind::FullyConnected:
      fully_connected(op, input, output);
      break;
    case OpKind::Conv2D:
      conv2d(op, input, output);
      break;
    case OpKind::DepthwiseConv2D:
      depthwise_conv2d(op, input, output);
      break;
    case OpKind::MaxPool2D:
      pool2d(op, true, input, output);
      break;
    case OpKind::AveragePool2D:
      pool2d(op, false, input, output);
      break;
    case OpKind::Reshape:
      std::memmove(output, input, static_cast<size_t>(op.elements));
      break;
    case OpKind::Softmax:
      softmax(op, input, output);
      break;
  }
}

}  // namespace detail
}  // namespace tl
