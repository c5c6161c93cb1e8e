// What the loader (tl_interpreter.cpp) prepares and the kernels (tl_kernels.cpp) run: one record
// per tensor and per operator, kept in the arena.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tl_fixed_point.h"
#include "tl_interpreter.h"

namespace tl {
namespace detail {

enum class OpKind : uint8_t {
  FullyConnected,
  Conv2D,
  DepthwiseConv2D,
  MaxPool2D,
  AveragePool2D,
  Reshape,
  Softmax,
};

// A tensor's planned bytes: `data` points into the arena for an activation, null otherwise.
struct TensorRec {
  int8_t* data;
  uint64_t size;    // planned bytes, aligned to 16 (0 if not planned)
  uint64_t offset;  // in the activation area
  int32_t first;    // the operator that first touches it (-1: the model input), or kNotPlanned
  int32_t last;
  bool written;     // by an operator before the one being checked (load time only)
};
constexpr int32_t kNotPlanned = INT32_MIN;

// Everything a kernel needs, resolved at load time. Sizes fit int32 with room (checked).
struct OpRec {
  OpKind kind;
  int32_t input;   // tensor indices
  int32_t output;
  const int8_t* filter;                     // constant weights, in the model bytes
  const uint8_t* bias;                      // int32 little-endian, in the model bytes, or null
  const fx::QuantizedMultiplier* scalers;   // one per output channel; softmax: its input scaling
  int32_t input_offset;                     // -input zero point
  int32_t output_zero_point;
  int32_t act_min, act_max;
  int32_t batches;
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t f_h, f_w;
  int32_t stride_h, stride_w, dil_h, dil_w, pad_h, pad_w;
  int32_t depth;     // fully connected: inputs per output; softmax: the row length
  int32_t elements;  // reshape, softmax: elements of the input
  int32_t diff_min;  // softmax
};

void run_operator(const OpRec& op, const TensorRec* tensors);

}  // namespace detail
}  // namespace tl
