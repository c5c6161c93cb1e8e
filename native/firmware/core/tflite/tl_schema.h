// The parts of TFLite's schema.fbs (tensorflow/lite/schema/schema.fbs, version 3) the engine
// reads: table field ids and enum values, as src-main/tflite/schema.ts lists them. A field with
// id n is vtable slot 4 + 2n (a union takes two ids: its type, then its value).
#pragma once

#include <cstdint>

namespace tl {
namespace schema {

constexpr uint16_t slot(int id) { return static_cast<uint16_t>(4 + 2 * id); }

constexpr uint32_t kVersion = 3;

namespace model { constexpr int version = 0, operator_codes = 1, subgraphs = 2, description = 3, buffers = 4; }
namespace subgraph { constexpr int tensors = 0, inputs = 1, outputs = 2, operators = 3; }
namespace tensor {
constexpr int shape = 0, type = 1, buffer = 2, name = 3, quantization = 4, sparsity = 6, shape_signature = 7;
}
namespace quantization { constexpr int scale = 2, zero_point = 3, details = 5, quantized_dimension = 6; }
namespace operator_code { constexpr int deprecated_builtin_code = 0, custom_code = 1, version = 2, builtin_code = 3; }
namespace op { constexpr int opcode_index = 0, inputs = 1, outputs = 2, options_type = 3, options = 4; }
namespace buffer { constexpr int data = 0, offset = 1; }
namespace conv2d { constexpr int padding = 0, stride_w = 1, stride_h = 2, activation = 3, dilation_w = 4, dilation_h = 5; }
namespace depthwise {
constexpr int padding = 0, stride_w = 1, stride_h = 2, depth_multiplier = 3, activation = 4, dilation_w = 5, dilation_h = 6;
}
namespace pool2d {
constexpr int padding = 0, stride_w = 1, stride_h = 2, filter_w = 3, filter_h = 4, activation = 5;
}
namespace fully_connected { constexpr int activation = 0, weights_format = 1, keep_num_dims = 2; }
namespace softmax { constexpr int beta = 0; }
namespace reshape { constexpr int new_shape = 0; }
namespace reducer { constexpr int keep_dims = 0; }

// enum BuiltinOperator
enum Builtin : int32_t {
  kAveragePool2D = 1,
  kConv2D = 3,
  kDepthwiseConv2D = 4,
  kFullyConnected = 9,
  kMaxPool2D = 17,
  kReshape = 22,
  kSoftmax = 25,
  kCustom = 32,
  kLastBuiltin = 205,          // the schema's largest value
  kTempStreamingConv2D = 225,  // and its one value beyond it
};

// union BuiltinOptions members
enum Options : uint8_t {
  kConv2DOptions = 1,
  kDepthwiseConv2DOptions = 2,
  kPool2DOptions = 5,
  kFullyConnectedOptions = 8,
  kSoftmaxOptions = 9,
  kReshapeOptions = 17,
  kReducerOptions = 27,
};

// enum TensorType: INT8 = 9, INT32 = 2, ... (18 values, 0..17)
enum TensorType : int8_t { kFloat32 = 0, kInt32 = 2, kInt16 = 7, kInt8 = 9, kInt4 = 17, kTypeCount = 18 };

// Bytes per element by TensorType value (0: not a fixed size, or INT4's half byte).
constexpr uint8_t kElementBytes[kTypeCount] = {4, 2, 4, 1, 8, 0, 1, 2, 8, 1, 8, 16, 8, 0, 0, 4, 2, 0};

enum Padding : int8_t { kSame = 0, kValid = 1 };
// enum ActivationFunctionType: NONE, RELU, RELU_N1_TO_1, RELU6, TANH, SIGN_BIT
enum Activation : int8_t { kNone = 0, kRelu = 1, kReluN1To1 = 2, kRelu6 = 3, kActivationCount = 6 };

}  // namespace schema
}  // namespace tl
