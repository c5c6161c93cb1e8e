// Loading a model: the flatbuffer checked with flatbuffers' Verifier (every table, vtable,
// field, vector and string inside the file, and aligned), the operators checked and prepared as
// src-main/tflite/interpreter.ts prepares them, and the activations planned in the arena as
// src-main/tflite/plan.ts plans them (greedy first fit, largest first). No heap, no recursion,
// and bounded work: every table and vector element read counts against a budget of the file's
// size, as the TypeScript reader counts them.
#include "tl_interpreter.h"

#include <cmath>
#include <cstring>
#include <initializer_list>

// Every size is checked before the Verifier sees it: its asserts cannot fire.
#ifndef FLATBUFFERS_ASSERT
#define FLATBUFFERS_ASSERT(x) static_cast<void>(0)
#endif
#include <flatbuffers/flatbuffers.h>

#include "tl_internal.h"
#include "tl_schema.h"

namespace tl {

using detail::OpKind;
using detail::OpRec;
using detail::TensorRec;
namespace fb = flatbuffers;
namespace sc = schema;
using fb::Table;
template <typename T>
using Vec = fb::Vector<T>;
using TableVec = fb::Vector<fb::Offset<Table>>;

struct Interpreter::State {
  uint32_t tensor_count;
  uint32_t op_count;
  TensorRec* tensors;
  OpRec* ops;
  int32_t input;
  int32_t output;
  const Vec<int32_t>* input_shape;
  const Vec<int32_t>* output_shape;
  TensorQuant input_quant;
  TensorQuant output_quant;
  size_t input_bytes;
  size_t output_bytes;
  size_t used;
  size_t activation_bytes;
};

const char* load_status_name(LoadStatus status) {
  switch (status) {
    case LoadStatus::Ok:
      return "ok";
    case LoadStatus::BadFile:
      return "bad-file";
    case LoadStatus::UnsupportedVersion:
      return "unsupported-version";
    case LoadStatus::UnsupportedOp:
      return "unsupported-op";
    case LoadStatus::UnsupportedType:
      return "unsupported-type";
    case LoadStatus::BadShape:
      return "bad-shape";
    case LoadStatus::ArenaTooSmall:
      return "arena-too-small";
  }
  return "unknown";
}

namespace {

constexpr size_t kAlignment = 16;
constexpr uint64_t kMaxElements = 0x7fffffff;
constexpr uint32_t kMaxRank = 8;
// Strides, dilations and window sizes above this are refused: below it every size and index the
// kernels compute is exact in int64 (and in the TypeScript interpreter's doubles).
constexpr int32_t kMaxWindow = 65535;
// A softmax row longer than this could make the sum of exponentials reach 2^28, where the
// reference kernel's final shift would exceed 31 bits.
constexpr int32_t kMaxSoftmaxDepth = 511;

const char* const kUnsupportedOp =
    "The model uses an operator the device does not run (it runs FULLY_CONNECTED, CONV_2D, "
    "DEPTHWISE_CONV_2D, MAX_POOL_2D, AVERAGE_POOL_2D, RESHAPE and SOFTMAX).";

uint64_t align_up(uint64_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

int64_t floor_div(int64_t a, int64_t b) {  // b > 0
  const int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

// An int64 zero point: the Verifier aligns a vector's length, not its 8-byte elements, so they
// are copied out rather than loaded in place.
int64_t zero_point_at(const Vec<int64_t>* zero_points, uint32_t i) {
  int64_t value;
  std::memcpy(&value, reinterpret_cast<const uint8_t*>(zero_points->Data()) + 8 * static_cast<size_t>(i), sizeof value);
  return value;
}

struct Status {
  LoadStatus status;
  const char* message;
  uint32_t detail;
};
constexpr Status kOk{LoadStatus::Ok, nullptr, 0};

// A verified view of the flatbuffer. Every accessor is safe only on what verify() checked.
class ModelFile {
 public:
  ModelFile(const uint8_t* bytes, size_t size)
      : bytes_(bytes),
        size_(size),
        verifier_(bytes, size, verifier_options(size)),
        budget_(static_cast<uint64_t>(size) + 64) {}

  Status verify();

  uint32_t tensor_count() const { return tensors_ ? tensors_->size() : 0; }
  uint32_t op_count() const { return operators_ ? operators_->size() : 0; }
  const Vec<int32_t>* inputs() const { return inputs_; }
  const Vec<int32_t>* outputs() const { return outputs_; }
  const Table* tensor(uint32_t i) const { return tensors_->Get(i); }
  const Table* op(uint32_t i) const { return operators_->Get(i); }
  int32_t builtin_code(uint32_t opcode_index) const {
    const Table* code = opcodes_->Get(opcode_index);
    const int32_t deprecated = code->GetField<int8_t>(sc::slot(sc::operator_code::deprecated_builtin_code), 0);
    const int32_t extended = code->GetField<int32_t>(sc::slot(sc::operator_code::builtin_code), 0);
    return deprecated > extended ? deprecated : extended;  // TFLite's GetBuiltinCode
  }
  const Vec<uint8_t>* buffer_data(uint32_t buffer) const {
    return buffers_->Get(buffer)->GetPointer<const Vec<uint8_t>*>(sc::slot(sc::buffer::data));
  }
  // Counts work against the budget (false: the file refers to more than it holds).
  bool spend(uint64_t n) {
    if (n > budget_) {
      exhausted_ = true;
      return false;
    }
    budget_ -= n;
    return true;
  }

 private:
  static fb::Verifier::Options verifier_options(size_t size) {
    fb::Verifier::Options options;
    options.max_depth = 8;
    options.max_tables = static_cast<fb::uoffset_t>(size);
    return options;
  }
  // Beyond the Verifier, as the TypeScript reader: a vtable of at least its two sizes, and the
  // table's whole inline part (not only the fields read) inside the file.
  bool table(const Table* t) {
    if (!spend(1) || !t->VerifyTableStart(verifier_) || !verifier_.EndTable()) return false;
    const uint8_t* vtable = t->GetVTable();
    const uint16_t vtable_bytes = fb::ReadScalar<uint16_t>(vtable);
    if (vtable_bytes < 4) return false;
    const uint16_t table_bytes = fb::ReadScalar<uint16_t>(vtable + 2);
    const size_t at = static_cast<size_t>(reinterpret_cast<const uint8_t*>(t) - bytes_);
    return table_bytes >= 4 && table_bytes <= size_ - at;
  }
  // A field lies inside its table's inline part.
  bool inside(const Table* t, int id, size_t bytes) const {
    const uint16_t offset = t->GetOptionalFieldOffset(sc::slot(id));
    return offset == 0 || offset + bytes <= fb::ReadScalar<uint16_t>(t->GetVTable() + 2);
  }
  template <typename T>
  bool scalar(const Table* t, int id) {
    return inside(t, id, sizeof(T)) && t->VerifyField<T>(verifier_, sc::slot(id), sizeof(T));
  }
  // An optional offset field: true if absent (*out null) or valid.
  bool table_field(const Table* t, int id, const Table** out) {
    *out = nullptr;
    if (!t->GetOptionalFieldOffset(sc::slot(id))) return true;
    if (!inside(t, id, 4) || !t->VerifyOffset(verifier_, sc::slot(id))) return false;
    *out = t->GetPointer<const Table*>(sc::slot(id));
    return table(*out);
  }
  template <typename T>
  bool vector_field(const Table* t, int id, const Vec<T>** out) {
    *out = nullptr;
    if (!t->GetOptionalFieldOffset(sc::slot(id))) return true;
    if (!inside(t, id, 4) || !t->VerifyOffset(verifier_, sc::slot(id))) return false;
    *out = t->GetPointer<const Vec<T>*>(sc::slot(id));
    return verifier_.VerifyVector(*out) && spend(1);
  }
  // A vector of tables, each element verified.
  bool tables_field(const Table* t, int id, const TableVec** out) {
    if (!vector_field(t, id, out)) return false;
    if (*out == nullptr) return true;
    const uint32_t n = (*out)->size();
    if (!spend(n)) return false;
    const size_t base = static_cast<size_t>(reinterpret_cast<const uint8_t*>((*out)->Data()) - bytes_);
    for (uint32_t i = 0; i < n; i++) {
      if (!verifier_.VerifyOffset(base + 4 * static_cast<size_t>(i))) return false;
      if (!table((*out)->Get(i))) return false;
    }
    return true;
  }
  Status verify_tensor(uint32_t index);
  Status verify_operator(uint32_t index);
  Status verify_options(const Table* op, uint32_t index);

  const uint8_t* bytes_;
  size_t size_;
  fb::Verifier verifier_;
  uint64_t budget_;
  bool exhausted_ = false;
  const TableVec* opcodes_ = nullptr;
  const TableVec* buffers_ = nullptr;
  const TableVec* tensors_ = nullptr;
  const TableVec* operators_ = nullptr;
  const Vec<int32_t>* inputs_ = nullptr;
  const Vec<int32_t>* outputs_ = nullptr;
};

const char* const kCorrupt =
    "The TFLite file is corrupt: a table, field, vector or string lies outside the file or is "
    "misaligned.";
const char* const kLooping =
    "The TFLite file is corrupt: its offsets refer to more data than the file holds.";
constexpr Status kCorruptStatus{LoadStatus::BadFile, kCorrupt, 0};

#define TL_CHECK(condition)                                                   \
  do {                                                                        \
    if (!(condition)) return exhausted_ ? Status{LoadStatus::BadFile, kLooping, 0} : kCorruptStatus; \
  } while (0)

Status ModelFile::verify() {
  TL_CHECK(verifier_.VerifyOffset(0));
  const Table* root = fb::GetRoot<Table>(bytes_);
  TL_CHECK(table(root));
  TL_CHECK(scalar<uint32_t>(root, sc::model::version));
  if (root->GetField<uint32_t>(sc::slot(sc::model::version), 0) != sc::kVersion) {
    return {LoadStatus::UnsupportedVersion, "The model's schema version is not 3 (every current TFLite model's).", 0};
  }
  TL_CHECK(tables_field(root, sc::model::operator_codes, &opcodes_));
  const uint32_t code_count = opcodes_ ? opcodes_->size() : 0;
  for (uint32_t i = 0; i < code_count; i++) {
    const Table* code = opcodes_->Get(i);
    TL_CHECK(scalar<int8_t>(code, sc::operator_code::deprecated_builtin_code));
    TL_CHECK(scalar<int32_t>(code, sc::operator_code::builtin_code));
    TL_CHECK(scalar<int32_t>(code, sc::operator_code::version));
    const int32_t builtin = builtin_code(i);
    if (builtin < 0 || (builtin > sc::kLastBuiltin && builtin != sc::kTempStreamingConv2D)) {
      return {LoadStatus::UnsupportedOp, "The model uses an operator code TFLite's schema does not define.", i};
    }
    if (builtin == sc::kCustom) {
      const Vec<uint8_t>* name = nullptr;
      TL_CHECK(vector_field(code, sc::operator_code::custom_code, &name));
    }
  }
  const Vec<uint8_t>* description = nullptr;
  TL_CHECK(vector_field(root, sc::model::description, &description));
  TL_CHECK(tables_field(root, sc::model::buffers, &buffers_));
  const uint32_t buffer_count = buffers_ ? buffers_->size() : 0;
  for (uint32_t i = 0; i < buffer_count; i++) {
    const Table* buffer = buffers_->Get(i);
    // A u64 needs only 4-byte alignment here, as in the TypeScript reader: copied out.
    TL_CHECK(inside(buffer, sc::buffer::offset, 8) &&
             buffer->VerifyField<uint64_t>(verifier_, sc::slot(sc::buffer::offset), 4));
    uint64_t offset = 0;
    if (const uint16_t at = buffer->GetOptionalFieldOffset(sc::slot(sc::buffer::offset))) {
      std::memcpy(&offset, reinterpret_cast<const uint8_t*>(buffer) + at, sizeof offset);
    }
    if (offset > 1) {
      return {LoadStatus::UnsupportedVersion,
              "A buffer is stored outside the flatbuffer (a model over 2 GB); such models are not read.", i};
    }
    const Vec<uint8_t>* data = nullptr;
    TL_CHECK(vector_field(buffer, sc::buffer::data, &data));
  }
  const TableVec* subgraphs = nullptr;
  TL_CHECK(tables_field(root, sc::model::subgraphs, &subgraphs));
  if (subgraphs == nullptr || subgraphs->size() == 0) {
    return {LoadStatus::BadFile, "The model has no subgraph: there is nothing to run.", 0};
  }
  const Table* main = subgraphs->Get(0);
  TL_CHECK(tables_field(main, sc::subgraph::tensors, &tensors_));
  for (uint32_t i = 0; i < tensor_count(); i++) {
    const Status s = verify_tensor(i);
    if (s.status != LoadStatus::Ok) return s;
  }
  TL_CHECK(vector_field(main, sc::subgraph::inputs, &inputs_));
  TL_CHECK(vector_field(main, sc::subgraph::outputs, &outputs_));
  for (const Vec<int32_t>* io : {inputs_, outputs_}) {
    const uint32_t n = io ? io->size() : 0;
    TL_CHECK(spend(n));
    for (uint32_t i = 0; i < n; i++) {
      const int32_t t = io->Get(i);
      if (t < 0 || static_cast<uint32_t>(t) >= tensor_count()) {
        return {LoadStatus::BadFile, "The TFLite file is corrupt: a model input or output names no tensor.", i};
      }
    }
  }
  TL_CHECK(tables_field(main, sc::subgraph::operators, &operators_));
  for (uint32_t i = 0; i < op_count(); i++) {
    const Status s = verify_operator(i);
    if (s.status != LoadStatus::Ok) return s;
  }
  return kOk;
}

Status ModelFile::verify_tensor(uint32_t index) {
  const Table* t = tensor(index);
  const Vec<uint8_t>* name = nullptr;
  TL_CHECK(vector_field(t, sc::tensor::name, &name));
  TL_CHECK(scalar<int8_t>(t, sc::tensor::type));
  const int8_t type = t->GetField<int8_t>(sc::slot(sc::tensor::type), 0);
  if (type < 0 || type >= sc::kTypeCount) {
    return {LoadStatus::UnsupportedType, "A tensor has a type TFLite does not define.", index};
  }
  const Vec<int32_t>* shape = nullptr;
  TL_CHECK(vector_field(t, sc::tensor::shape, &shape));
  const uint32_t rank = shape ? shape->size() : 0;
  TL_CHECK(spend(rank));
  uint64_t elements = 1;
  bool zero = false;
  if (rank > kMaxRank) return {LoadStatus::BadShape, "A tensor has more than 8 dimensions.", index};
  for (uint32_t d = 0; d < rank; d++) {
    const int32_t dim = shape->Get(d);
    if (dim < 0) return {LoadStatus::BadShape, "A tensor has a negative dimension.", index};
    if (dim == 0) zero = true;
    if (elements <= kMaxElements) elements *= static_cast<uint64_t>(dim);
  }
  if (!zero && elements > kMaxElements) {
    return {LoadStatus::BadShape, "A tensor has more than 2^31 - 1 elements.", index};
  }
  if (zero) elements = 0;
  TL_CHECK(scalar<uint32_t>(t, sc::tensor::buffer));
  const uint32_t buffer = t->GetField<uint32_t>(sc::slot(sc::tensor::buffer), 0);
  if (buffers_ == nullptr || buffer >= buffers_->size()) {
    return {LoadStatus::BadFile, "The TFLite file is corrupt: a tensor names a buffer that does not exist.", index};
  }
  const Vec<uint8_t>* data = buffer_data(buffer);
  const uint32_t data_bytes = data ? data->size() : 0;
  if (data_bytes > 0) {
    const uint64_t expected = type == sc::kInt4 ? (elements + 1) / 2 : elements * sc::kElementBytes[type];
    if ((type == sc::kInt4 || sc::kElementBytes[type] != 0) && expected != data_bytes) {
      return {LoadStatus::BadFile, "The TFLite file is corrupt: a constant's data does not match its shape and type.", index};
    }
  }
  if (t->GetOptionalFieldOffset(sc::slot(sc::tensor::sparsity))) {
    return {LoadStatus::UnsupportedType, "A tensor is sparse; sparse tensors are not supported.", index};
  }
  const Vec<int32_t>* signature = nullptr;
  TL_CHECK(vector_field(t, sc::tensor::shape_signature, &signature));
  TL_CHECK(spend(signature ? signature->size() : 0));
  const Table* q = nullptr;
  TL_CHECK(table_field(t, sc::tensor::quantization, &q));
  if (q == nullptr) return kOk;
  if (q->GetOptionalFieldOffset(sc::slot(sc::quantization::details))) {
    return {LoadStatus::UnsupportedType, "A tensor uses custom quantization, which is not supported.", index};
  }
  const Vec<float>* scales = nullptr;
  const Vec<int64_t>* zero_points = nullptr;
  TL_CHECK(vector_field(q, sc::quantization::scale, &scales));
  TL_CHECK(vector_field(q, sc::quantization::zero_point, &zero_points));
  TL_CHECK(scalar<int32_t>(q, sc::quantization::quantized_dimension));
  const uint32_t scale_count = scales ? scales->size() : 0;
  const uint32_t zero_point_count = zero_points ? zero_points->size() : 0;
  TL_CHECK(spend(uint64_t{scale_count} + zero_point_count));
  for (uint32_t i = 0; i < zero_point_count; i++) {
    const int64_t z = zero_point_at(zero_points, i);
    if (z < INT32_MIN || z > INT32_MAX) {
      return {LoadStatus::BadFile, "The TFLite file is corrupt: a zero point is outside int32.", index};
    }
  }
  if (scale_count != zero_point_count) {
    return {LoadStatus::BadFile, "The TFLite file is corrupt: a tensor's scales and zero points differ in count.", index};
  }
  const int32_t dimension = q->GetField<int32_t>(sc::slot(sc::quantization::quantized_dimension), 0);
  if (scale_count > 1 &&
      (dimension < 0 || static_cast<uint32_t>(dimension) >= rank ||
       static_cast<uint32_t>(shape->Get(static_cast<uint32_t>(dimension))) != scale_count)) {
    return {LoadStatus::BadFile, "The TFLite file is corrupt: a tensor's scales do not match its quantized dimension.", index};
  }
  return kOk;
}

Status ModelFile::verify_operator(uint32_t index) {
  const Table* o = op(index);
  TL_CHECK(scalar<uint32_t>(o, sc::op::opcode_index));
  if (opcodes_ == nullptr || o->GetField<uint32_t>(sc::slot(sc::op::opcode_index), 0) >= opcodes_->size()) {
    return {LoadStatus::BadFile, "The TFLite file is corrupt: an operator names an operator code that does not exist.", index};
  }
  const Vec<int32_t>* inputs = nullptr;
  const Vec<int32_t>* outputs = nullptr;
  TL_CHECK(vector_field(o, sc::op::inputs, &inputs));
  TL_CHECK(vector_field(o, sc::op::outputs, &outputs));
  for (int which = 0; which < 2; which++) {
    const Vec<int32_t>* v = which == 0 ? inputs : outputs;
    const uint32_t n = v ? v->size() : 0;
    TL_CHECK(spend(n));
    for (uint32_t i = 0; i < n; i++) {
      const int32_t t = v->Get(i);
      const bool optional = which == 0 && t == -1;
      if (!optional && (t < 0 || static_cast<uint32_t>(t) >= tensor_count())) {
        return {LoadStatus::BadFile, "The TFLite file is corrupt: an operator names a tensor that does not exist.", index};
      }
    }
  }
  return verify_options(o, index);
}

Status ModelFile::verify_options(const Table* o, uint32_t index) {
  TL_CHECK(scalar<uint8_t>(o, sc::op::options_type));
  const uint8_t kind = o->GetField<uint8_t>(sc::slot(sc::op::options_type), 0);
  if (kind == 0) return kOk;
  const Table* t = nullptr;
  TL_CHECK(table_field(o, sc::op::options, &t));
  if (t == nullptr) return kOk;
  int padding = -1;
  int activation = -1;
  switch (kind) {
    case sc::kConv2DOptions:
      padding = sc::conv2d::padding;
      activation = sc::conv2d::activation;
      for (int id : {sc::conv2d::stride_w, sc::conv2d::stride_h, sc::conv2d::dilation_w, sc::conv2d::dilation_h}) {
        TL_CHECK(scalar<int32_t>(t, id));
      }
      break;
    case sc::kDepthwiseConv2DOptions:
      padding = sc::depthwise::padding;
      activation = sc::depthwise::activation;
      for (int id : {sc::depthwise::stride_w, sc::depthwise::stride_h, sc::depthwise::depth_multiplier,
                     sc::depthwise::dilation_w, sc::depthwise::dilation_h}) {
        TL_CHECK(scalar<int32_t>(t, id));
      }
      break;
    case sc::kPool2DOptions:
      padding = sc::pool2d::padding;
      activation = sc::pool2d::activation;
      for (int id : {sc::pool2d::stride_w, sc::pool2d::stride_h, sc::pool2d::filter_w, sc::pool2d::filter_h}) {
        TL_CHECK(scalar<int32_t>(t, id));
      }
      break;
    case sc::kFullyConnectedOptions:
      activation = sc::fully_connected::activation;
      TL_CHECK(scalar<int8_t>(t, sc::fully_connected::weights_format));
      TL_CHECK(scalar<uint8_t>(t, sc::fully_connected::keep_num_dims));
      break;
    case sc::kSoftmaxOptions:
      TL_CHECK(scalar<float>(t, sc::softmax::beta));
      break;
    case sc::kReshapeOptions: {
      const Vec<int32_t>* shape = nullptr;
      TL_CHECK(vector_field(t, sc::reshape::new_shape, &shape));
      TL_CHECK(spend(shape ? shape->size() : 0));
      break;
    }
    case sc::kReducerOptions:
      TL_CHECK(scalar<uint8_t>(t, sc::reducer::keep_dims));
      break;
    default:
      break;
  }
  if (padding >= 0) {
    TL_CHECK(scalar<int8_t>(t, padding));
    const int8_t value = t->GetField<int8_t>(sc::slot(padding), 0);
    if (value != sc::kSame && value != sc::kValid) {
      return {LoadStatus::BadFile, "The TFLite file is corrupt: an operator has a padding TFLite does not define.", index};
    }
  }
  if (activation >= 0) {
    TL_CHECK(scalar<int8_t>(t, activation));
    const int8_t value = t->GetField<int8_t>(sc::slot(activation), 0);
    if (value < 0 || value >= sc::kActivationCount) {
      return {LoadStatus::BadFile, "The TFLite file is corrupt: an operator has a fused activation TFLite does not define.", index};
    }
  }
  return kOk;
}

#undef TL_CHECK

// A tensor as the operators see it (from a verified file).
struct TensorInfo {
  int32_t index;
  const Vec<int32_t>* shape;
  uint32_t rank;
  int64_t elements;
  int8_t type;
  const uint8_t* data;  // constant data, or null
  uint32_t data_bytes;
  const Vec<float>* scales;  // null or empty: not quantized
  const Vec<int64_t>* zero_points;
  int32_t quantized_dimension;

  int32_t dim(uint32_t d) const { return shape->Get(d); }
  bool constant() const { return data_bytes > 0; }
  uint32_t scale_count() const { return scales ? scales->size() : 0; }
  bool int8_activation() const { return !constant() && type == sc::kInt8; }
};

TensorInfo tensor_info(const ModelFile& file, int32_t index) {
  const Table* t = file.tensor(static_cast<uint32_t>(index));
  TensorInfo info{};
  info.index = index;
  info.shape = t->GetPointer<const Vec<int32_t>*>(sc::slot(sc::tensor::shape));
  info.rank = info.shape ? info.shape->size() : 0;
  info.elements = 1;
  for (uint32_t d = 0; d < info.rank; d++) {
    if (info.dim(d) == 0) info.elements = 0;
  }
  for (uint32_t d = 0; d < info.rank && info.elements != 0; d++) info.elements *= info.dim(d);  // <= 2^31 - 1
  info.type = t->GetField<int8_t>(sc::slot(sc::tensor::type), 0);
  const Vec<uint8_t>* data = file.buffer_data(t->GetField<uint32_t>(sc::slot(sc::tensor::buffer), 0));
  info.data_bytes = data ? data->size() : 0;
  info.data = info.data_bytes ? data->Data() : nullptr;
  const Table* q = t->GetPointer<const Table*>(sc::slot(sc::tensor::quantization));
  if (q != nullptr) {
    info.scales = q->GetPointer<const Vec<float>*>(sc::slot(sc::quantization::scale));
    info.zero_points = q->GetPointer<const Vec<int64_t>*>(sc::slot(sc::quantization::zero_point));
    info.quantized_dimension = q->GetField<int32_t>(sc::slot(sc::quantization::quantized_dimension), 0);
  }
  return info;
}

// plan.ts's elementBytes: what the planner reserves per element of an activation.
uint32_t planned_element_bytes(int8_t type) {
  return (type == sc::kInt32 || type == sc::kFloat32) ? 4 : type == sc::kInt16 ? 2 : 1;
}

// Prepares operator records: check() validates an operator and counts the channel multipliers it
// needs; fill() writes its record (only after every check passed).
class Preparer {
 public:
  explicit Preparer(const ModelFile& file) : file_(file) {}

  Status check(uint32_t index, uint32_t* channels) { return prepare(index, nullptr, nullptr, channels); }
  // Returns the multipliers it wrote.
  uint32_t fill(uint32_t index, OpRec* rec, fx::QuantizedMultiplier* scalers) {
    uint32_t channels = 0;
    prepare(index, rec, scalers, &channels);
    return channels;
  }

 private:
  struct Quant {
    float scale;
    int32_t zero_point;
  };

  Status prepare(uint32_t index, OpRec* rec, fx::QuantizedMultiplier* scalers, uint32_t* channels);
  Status fully_connected(const Table* o, OpRec& r, fx::QuantizedMultiplier* scalers);
  Status convolution(const Table* o, bool depthwise, OpRec& r, fx::QuantizedMultiplier* scalers);
  Status pool(const Table* o, OpRec& r);
  Status softmax(const Table* o, OpRec& r, fx::QuantizedMultiplier* scalers);
  Status weights(const TensorInfo* filter, int32_t channels, int32_t dimension, float in_scale, float out_scale,
                 fx::QuantizedMultiplier* scalers);
  Status bias(const Vec<int32_t>* inputs, int32_t channels, OpRec& r);
  Status activation_range(int8_t activation, Quant out, OpRec& r);
  Status padding(int8_t padding, int32_t stride, int32_t dilation, int32_t in, int32_t filter, int32_t out,
                 int32_t* pad);
  const Table* options(const Table* o, uint8_t kind) const {
    if (o->GetField<uint8_t>(sc::slot(sc::op::options_type), 0) != kind) return nullptr;
    return o->GetPointer<const Table*>(sc::slot(sc::op::options));
  }
  // The constant at position `at` of the inputs, or null (absent, or -1).
  bool input_tensor(const Vec<int32_t>* inputs, uint32_t at, TensorInfo* out) const {
    if (inputs == nullptr || at >= inputs->size() || inputs->Get(at) < 0) return false;
    *out = tensor_info(file_, inputs->Get(at));
    return true;
  }

  Status fail(LoadStatus status, const char* message) const { return {status, message, op_index_}; }

  const ModelFile& file_;
  uint32_t op_index_ = 0;
  TensorInfo in_{};
  TensorInfo out_{};
  Quant in_q_{};
  Quant out_q_{};
};

// The interpreter's perTensor: one positive finite scale. The zero point must be an int8 value
// (the TypeScript interpreter does not check; a file with another is refused here).
bool per_tensor(const TensorInfo& t, float* scale, int32_t* zero_point) {
  if (t.scale_count() != 1) return false;
  const float s = t.scales->Get(0);
  const int64_t z = zero_point_at(t.zero_points, 0);
  if (!(s > 0) || !std::isfinite(s) || z < -128 || z > 127) return false;
  *scale = s;
  *zero_point = static_cast<int32_t>(z);
  return true;
}

Status Preparer::prepare(uint32_t index, OpRec* rec, fx::QuantizedMultiplier* scalers, uint32_t* channels) {
  op_index_ = index;
  OpRec scratch{};
  OpRec& r = rec ? *rec : scratch;
  const Table* o = file_.op(index);
  const Vec<int32_t>* inputs = o->GetPointer<const Vec<int32_t>*>(sc::slot(sc::op::inputs));
  const Vec<int32_t>* outputs = o->GetPointer<const Vec<int32_t>*>(sc::slot(sc::op::outputs));
  const int32_t code = file_.builtin_code(o->GetField<uint32_t>(sc::slot(sc::op::opcode_index), 0));
  switch (code) {
    case sc::kFullyConnected:
      r.kind = OpKind::FullyConnected;
      break;
    case sc::kConv2D:
      r.kind = OpKind::Conv2D;
      break;
    case sc::kDepthwiseConv2D:
      r.kind = OpKind::DepthwiseConv2D;
      break;
    case sc::kMaxPool2D:
      r.kind = OpKind::MaxPool2D;
      break;
    case sc::kAveragePool2D:
      r.kind = OpKind::AveragePool2D;
      break;
    case sc::kReshape:
      r.kind = OpKind::Reshape;
      break;
    case sc::kSoftmax:
      r.kind = OpKind::Softmax;
      break;
    default:
      return fail(LoadStatus::UnsupportedOp, kUnsupportedOp);
  }
  TensorInfo in{};
  TensorInfo out{};
  if (!input_tensor(inputs, 0, &in) || !in.int8_activation()) {
    return fail(LoadStatus::UnsupportedType, "An operator's input is not an int8 activation tensor.");
  }
  if (outputs == nullptr || outputs->size() == 0 || !(out = tensor_info(file_, outputs->Get(0))).int8_activation()) {
    return fail(LoadStatus::UnsupportedType, "An operator's output is not an int8 activation tensor.");
  }
  in_ = in;
  out_ = out;
  r.input = in.index;
  r.output = out.index;
  *channels = 0;
  Status s = kOk;
  switch (r.kind) {
    case OpKind::FullyConnected:
      s = fully_connected(o, r, scalers);
      *channels = static_cast<uint32_t>(r.out_c);
      break;
    case OpKind::Conv2D:
    case OpKind::DepthwiseConv2D:
      s = convolution(o, r.kind == OpKind::DepthwiseConv2D, r, scalers);
      *channels = static_cast<uint32_t>(r.out_c);
      break;
    case OpKind::MaxPool2D:
    case OpKind::AveragePool2D:
      s = pool(o, r);
      break;
    case OpKind::Reshape:
      if (in.elements != out.elements) return fail(LoadStatus::BadShape, "A RESHAPE changes the element count.");
      r.elements = static_cast<int32_t>(in.elements);
      break;
    case OpKind::Softmax:
      s = softmax(o, r, scalers);
      *channels = 1;
      break;
  }
  if (s.status != LoadStatus::Ok) return s;
  if (rec && scalers) r.scalers = scalers;
  return kOk;
}

Status Preparer::activation_range(int8_t activation, Quant out, OpRec& r) {
  // tflite::CalculateActivationRangeQuantized: zero point + round(f / scale) in float.
  const auto quantize = [&](double f) {
    return out.zero_point + fx::round_half_away(static_cast<float>(f / static_cast<double>(out.scale)));
  };
  double lo = -128;
  double hi = 127;
  switch (activation) {
    case sc::kNone:
      break;
    case sc::kRelu:
      lo = std::fmax(-128.0, quantize(0));
      break;
    case sc::kRelu6:
      lo = std::fmax(-128.0, quantize(0));
      hi = std::fmin(127.0, quantize(6));
      break;
    case sc::kReluN1To1:
      lo = std::fmax(-128.0, quantize(-1));
      hi = std::fmin(127.0, quantize(1));
      break;
    default:
      return fail(LoadStatus::UnsupportedOp, "An operator fuses TANH or SIGN_BIT, which the device does not run.");
  }
  r.act_min = static_cast<int32_t>(lo);
  r.act_max = static_cast<int32_t>(hi);
  return kOk;
}

Status Preparer::weights(const TensorInfo* filter, int32_t channels, int32_t dimension, float in_scale,
                         float out_scale, fx::QuantizedMultiplier* scalers) {
  if (filter == nullptr || filter->type != sc::kInt8 || !filter->constant()) {
    return fail(LoadStatus::UnsupportedType, "An operator's weights must be constant int8 values.");
  }
  const uint32_t count = filter->scale_count();
  const bool per_channel = count > 1;
  if (count == 0 || (per_channel && (count != static_cast<uint32_t>(channels) || filter->quantized_dimension != dimension))) {
    return fail(LoadStatus::UnsupportedType,
                "An operator's weights need one scale, or one per output channel along the output dimension.");
  }
  for (uint32_t i = 0; i < count; i++) {
    if (zero_point_at(filter->zero_points, i) != 0) {
      return fail(LoadStatus::UnsupportedType, "An operator's weights must be symmetric (zero point 0).");
    }
  }
  for (int32_t c = 0; c < channels; c++) {
    const float w = filter->scales->Get(per_channel ? static_cast<uint32_t>(c) : 0);
    if (!(w > 0) || !std::isfinite(w)) {
      return fail(LoadStatus::UnsupportedType, "An operator's weight scales must be positive.");
    }
    // tflite::PopulateConvolutionQuantizationParams: in double from the float32 scales.
    const fx::QuantizedMultiplier m = fx::quantize_multiplier(
        static_cast<double>(in_scale) * static_cast<double>(w) / static_cast<double>(out_scale));
    if (m.shift > 30) {
      return fail(LoadStatus::UnsupportedType, "An operator rescales its output by more than 2^30.");
    }
    if (scalers) scalers[c] = m;
  }
  return kOk;
}

Status Preparer::bias(const Vec<int32_t>* inputs, int32_t channels, OpRec& r) {
  TensorInfo b{};
  r.bias = nullptr;
  if (!input_tensor(inputs, 2, &b)) return kOk;
  if (b.type != sc::kInt32 || b.data_bytes != static_cast<uint64_t>(channels) * 4) {
    return fail(LoadStatus::UnsupportedType, "An operator's bias must be one constant int32 per output channel.");
  }
  r.bias = b.data;
  return kOk;
}

Status Preparer::fully_connected(const Table* o, OpRec& r, fx::QuantizedMultiplier* scalers) {
  const Table* opts = options(o, sc::kFullyConnectedOptions);
  if (opts == nullptr) return fail(LoadStatus::BadFile, "A FULLY_CONNECTED operator lacks its options.");
  const Vec<int32_t>* inputs = o->GetPointer<const Vec<int32_t>*>(sc::slot(sc::op::inputs));
  TensorInfo filter{};
  const bool has_filter = input_tensor(inputs, 1, &filter);
  if (!has_filter || filter.rank != 2 || filter.dim(1) == 0 || in_.elements % filter.dim(1) != 0) {
    return fail(LoadStatus::BadShape, "A FULLY_CONNECTED operator's weights must be [outputs, inputs] matching its input.");
  }
  r.out_c = filter.dim(0);
  r.depth = filter.dim(1);
  r.batches = static_cast<int32_t>(in_.elements / r.depth);
  if (out_.elements != static_cast<int64_t>(r.batches) * r.out_c ||
      opts->GetField<int8_t>(sc::slot(sc::fully_connected::weights_format), 0) != 0) {
    return fail(LoadStatus::BadShape, "A FULLY_CONNECTED operator's output or weight format does not match its weights.");
  }
  if (!per_tensor(in_, &in_q_.scale, &in_q_.zero_point) || !per_tensor(out_, &out_q_.scale, &out_q_.zero_point)) {
    return fail(LoadStatus::UnsupportedType, "An operator's input and output need int8 quantization per tensor.");
  }
  Status s = weights(&filter, r.out_c, 0, in_q_.scale, out_q_.scale, scalers);
  if (s.status == LoadStatus::Ok) s = bias(inputs, r.out_c, r);
  if (s.status == LoadStatus::Ok) {
    s = activation_range(opts->GetField<int8_t>(sc::slot(sc::fully_connected::activation), 0), out_q_, r);
  }
  r.filter = reinterpret_cast<const int8_t*>(filter.data);
  r.input_offset = -in_q_.zero_point;
  r.output_zero_point = out_q_.zero_point;
  return s;
}

Status Preparer::padding(int8_t padding, int32_t stride, int32_t dilation, int32_t in, int32_t filter, int32_t out,
                         int32_t* pad) {
  // tflite::ComputePaddingHeightWidth, after checking the output size its padding gives.
  if (stride < 1 || dilation < 1 || filter < 1) return fail(LoadStatus::BadShape, "An operator has invalid strides or sizes.");
  if (stride > kMaxWindow || dilation > kMaxWindow || filter > kMaxWindow) {
    return fail(LoadStatus::BadShape, "An operator has a stride, dilation or window above 65535.");
  }
  const int64_t effective = static_cast<int64_t>(filter - 1) * dilation + 1;
  const int64_t expected = padding == sc::kSame ? floor_div(int64_t{in} + stride - 1, stride)
                                                : floor_div(int64_t{in} + stride - effective, stride);
  if (expected != out) return fail(LoadStatus::BadShape, "An operator's output size is not the one its padding gives.");
  const int64_t p = floor_div(static_cast<int64_t>(out - 1) * stride + effective - in, 2);
  *pad = p > 0 ? static_cast<int32_t>(p) : 0;
  // Every origin and input position the kernel computes stays inside int32.
  if (static_cast<int64_t>(out) * stride + effective + *pad > INT32_MAX) {
    return fail(LoadStatus::BadShape, "An operator's window reaches beyond 2^31.");
  }
  return kOk;
}

bool nhwc(const TensorInfo& t) { return t.rank == 4; }

Status Preparer::convolution(const Table* o, bool depthwise, OpRec& r, fx::QuantizedMultiplier* scalers) {
  const Table* opts = options(o, depthwise ? sc::kDepthwiseConv2DOptions : sc::kConv2DOptions);
  if (opts == nullptr) return fail(LoadStatus::BadFile, "A convolution lacks its options.");
  if (!nhwc(in_) || !nhwc(out_)) {
    return fail(LoadStatus::BadShape, "A convolution needs 4-D [batch, height, width, channels] tensors.");
  }
  const Vec<int32_t>* inputs = o->GetPointer<const Vec<int32_t>*>(sc::slot(sc::op::inputs));
  TensorInfo f{};
  if (!input_tensor(inputs, 1, &f)) return fail(LoadStatus::BadShape, "A convolution has no filter.");
  if (!nhwc(f)) return fail(LoadStatus::BadShape, "A convolution's filter must be 4-D.");
  r.batches = in_.dim(0);
  r.in_h = in_.dim(1);
  r.in_w = in_.dim(2);
  r.in_c = in_.dim(3);
  r.out_h = out_.dim(1);
  r.out_w = out_.dim(2);
  r.out_c = out_.dim(3);
  r.f_h = f.dim(1);
  r.f_w = f.dim(2);
  const bool fits = depthwise ? f.dim(0) == 1 && f.dim(3) == r.out_c && r.in_c >= 1 && r.out_c % r.in_c == 0 &&
                                    r.out_c >= r.in_c && in_.dim(0) == out_.dim(0)
                              : f.dim(0) == r.out_c && f.dim(3) == r.in_c && in_.dim(0) == out_.dim(0);
  if (!fits) return fail(LoadStatus::BadShape, "A convolution's filter does not fit its input and output.");
  if (!per_tensor(in_, &in_q_.scale, &in_q_.zero_point) || !per_tensor(out_, &out_q_.scale, &out_q_.zero_point)) {
    return fail(LoadStatus::UnsupportedType, "An operator's input and output need int8 quantization per tensor.");
  }
  Status s = weights(&f, r.out_c, depthwise ? 3 : 0, in_q_.scale, out_q_.scale, scalers);
  if (s.status != LoadStatus::Ok) return s;
  const int activation_id = depthwise ? sc::depthwise::activation : sc::conv2d::activation;
  s = activation_range(opts->GetField<int8_t>(sc::slot(activation_id), 0), out_q_, r);
  if (s.status != LoadStatus::Ok) return s;
  const int8_t pad = opts->GetField<int8_t>(sc::slot(depthwise ? sc::depthwise::padding : sc::conv2d::padding), 0);
  r.stride_w = opts->GetField<int32_t>(sc::slot(depthwise ? sc::depthwise::stride_w : sc::conv2d::stride_w), 0);
  r.stride_h = opts->GetField<int32_t>(sc::slot(depthwise ? sc::depthwise::stride_h : sc::conv2d::stride_h), 0);
  r.dil_w = opts->GetField<int32_t>(sc::slot(depthwise ? sc::depthwise::dilation_w : sc::conv2d::dilation_w), 1);
  r.dil_h = opts->GetField<int32_t>(sc::slot(depthwise ? sc::depthwise::dilation_h : sc::conv2d::dilation_h), 1);
  s = padding(pad, r.stride_h, r.dil_h, r.in_h, r.f_h, r.out_h, &r.pad_h);
  if (s.status == LoadStatus::Ok) s = padding(pad, r.stride_w, r.dil_w, r.in_w, r.f_w, r.out_w, &r.pad_w);
  if (s.status == LoadStatus::Ok) s = bias(inputs, r.out_c, r);
  r.filter = reinterpret_cast<const int8_t*>(f.data);
  r.input_offset = -in_q_.zero_point;
  r.output_zero_point = out_q_.zero_point;
  return s;
}

Status Preparer::pool(const Table* o, OpRec& r) {
  const Table* opts = options(o, sc::kPool2DOptions);
  if (opts == nullptr) return fail(LoadStatus::BadFile, "A pooling operator lacks its options.");
  if (!nhwc(in_) || !nhwc(out_)) {
    return fail(LoadStatus::BadShape, "A pooling operator needs 4-D [batch, height, width, channels] tensors.");
  }
  if (!per_tensor(in_, &in_q_.scale, &in_q_.zero_point) || !per_tensor(out_, &out_q_.scale, &out_q_.zero_point)) {
    return fail(LoadStatus::UnsupportedType, "An operator's input and output need int8 quantization per tensor.");
  }
  Status s = activation_range(opts->GetField<int8_t>(sc::slot(sc::pool2d::activation), 0), out_q_, r);
  if (s.status != LoadStatus::Ok) return s;
  r.batches = out_.dim(0);
  r.in_h = in_.dim(1);
  r.in_w = in_.dim(2);
  r.in_c = in_.dim(3);
  r.out_h = out_.dim(1);
  r.out_w = out_.dim(2);
  r.out_c = out_.dim(3);
  if (in_q_.scale != out_q_.scale || in_q_.zero_point != out_q_.zero_point || r.in_c != r.out_c ||
      in_.dim(0) != out_.dim(0)) {
    return fail(LoadStatus::BadShape, "A pooling operator keeps its input's batches, channels, scale and zero point.");
  }
  const int8_t pad = opts->GetField<int8_t>(sc::slot(sc::pool2d::padding), 0);
  r.stride_w = opts->GetField<int32_t>(sc::slot(sc::pool2d::stride_w), 0);
  r.stride_h = opts->GetField<int32_t>(sc::slot(sc::pool2d::stride_h), 0);
  r.f_w = opts->GetField<int32_t>(sc::slot(sc::pool2d::filter_w), 0);
  r.f_h = opts->GetField<int32_t>(sc::slot(sc::pool2d::filter_h), 0);
  s = padding(pad, r.stride_h, 1, r.in_h, r.f_h, r.out_h, &r.pad_h);
  if (s.status == LoadStatus::Ok) s = padding(pad, r.stride_w, 1, r.in_w, r.f_w, r.out_w, &r.pad_w);
  if (s.status != LoadStatus::Ok) return s;
  // A window's extent is concave in its position: non-empty at both ends means non-empty everywhere.
  const auto empty = [](int32_t origin, int32_t filter, int32_t in) {
    const int32_t start = origin < 0 ? -origin : 0;
    const int32_t end = filter < in - origin ? filter : in - origin;
    return start >= end;
  };
  if (r.out_h > 0 && r.out_w > 0 &&
      (empty(-r.pad_h, r.f_h, r.in_h) || empty((r.out_h - 1) * r.stride_h - r.pad_h, r.f_h, r.in_h) ||
       empty(-r.pad_w, r.f_w, r.in_w) || empty((r.out_w - 1) * r.stride_w - r.pad_w, r.f_w, r.in_w))) {
    return fail(LoadStatus::BadShape, "A pooling window lies outside the input.");
  }
  return kOk;
}

Status Preparer::softmax(const Table* o, OpRec& r, fx::QuantizedMultiplier* scalers) {
  const Table* opts = options(o, sc::kSoftmaxOptions);
  if (opts == nullptr) return fail(LoadStatus::BadFile, "A SOFTMAX operator lacks its options.");
  if (!per_tensor(in_, &in_q_.scale, &in_q_.zero_point) || !per_tensor(out_, &out_q_.scale, &out_q_.zero_point)) {
    return fail(LoadStatus::UnsupportedType, "An operator's input and output need int8 quantization per tensor.");
  }
  if (out_q_.scale != 1.0f / 256 || out_q_.zero_point != -128) {
    return fail(LoadStatus::UnsupportedType, "An int8 softmax output has scale 1/256 and zero point -128.");
  }
  // tflite::PreprocessSoftmaxScaling with TFLITE_SINGLE_ROUNDING: capped at 2^30 - 1.
  const float beta = opts->GetField<float>(sc::slot(sc::softmax::beta), 0);
  double real = static_cast<double>(beta) * static_cast<double>(in_q_.scale) * 67108864.0;  // 2^(31 - 5)
  if (!(real > 0) || !std::isfinite(real)) {
    return fail(LoadStatus::UnsupportedType, "A SOFTMAX operator needs a positive beta.");
  }
  if (real > 1073741823.0) real = 1073741823.0;
  const fx::QuantizedMultiplier m = fx::quantize_multiplier(real);
  if (m.shift < 0) return fail(LoadStatus::UnsupportedType, "A SOFTMAX input scale is too small.");
  // tflite::CalculateInputRadius: differences below -radius give exp() that rounds to zero.
  r.diff_min = -static_cast<int32_t>((int64_t{31} << 26) >> m.shift);
  r.depth = in_.rank > 0 ? in_.dim(in_.rank - 1) : 0;
  if (r.depth == 0 || in_.elements != out_.elements) {
    return fail(LoadStatus::BadShape, "A SOFTMAX operator's shapes do not match.");
  }
  if (r.depth > kMaxSoftmaxDepth) return fail(LoadStatus::BadShape, "A SOFTMAX row is longer than 511 values.");
  r.elements = static_cast<int32_t>(in_.elements);
  if (scalers) scalers[0] = m;
  return kOk;
}

// Greedy first fit, as plan.ts: activations (non-constant tensors touched by the graph) each
// live from the operator that first touches them to the last; placed largest first (ties: the
// earlier first operator, then the order first touched), each at the lowest offset that
// overlaps no placed tensor alive at the same time. `order` and `by_offset` are scratch of one
// uint32 per tensor each. Returns the activation area's size.
uint64_t plan_activations(TensorRec* tensors, const uint32_t* touched, uint32_t touched_count,
                          uint32_t* order, uint32_t* by_offset) {
  // Stable insertion sort of the first-touch order by (size descending, first ascending).
  for (uint32_t i = 0; i < touched_count; i++) {
    const uint32_t t = touched[i];
    uint32_t j = i;
    while (j > 0) {
      const TensorRec& prev = tensors[order[j - 1]];
      const bool before = tensors[t].size > prev.size || (tensors[t].size == prev.size && tensors[t].first < prev.first);
      if (!before) break;
      order[j] = order[j - 1];
      j--;
    }
    order[j] = t;
  }
  uint64_t high = 0;
  uint32_t placed = 0;  // by_offset[0..placed): placed tensors by offset, ties in placement order
  for (uint32_t k = 0; k < touched_count; k++) {
    TensorRec& b = tensors[order[k]];
    uint64_t offset = 0;
    for (uint32_t i = 0; i < placed; i++) {
      const TensorRec& p = tensors[by_offset[i]];
      if (!(p.first <= b.last && b.first <= p.last)) continue;
      if (offset + b.size <= p.offset) break;
      const uint64_t end = p.offset + p.size;
      if (end > offset) offset = end;
    }
    b.offset = offset;
    uint32_t at = placed;
    while (at > 0 && tensors[by_offset[at - 1]].offset > offset) {
      by_offset[at] = by_offset[at - 1];
      at--;
    }
    by_offset[at] = order[k];
    placed++;
    if (offset + b.size > high) high = offset + b.size;
  }
  return high;
}

LoadResult result(Status s, uint64_t needed) {
  return {s.status, static_cast<uint32_t>(needed > UINT32_MAX ? UINT32_MAX : needed),
          s.message ? s.message : "ok", s.detail};
}

}  // namespace

Interpreter::Interpreter(uint8_t* arena, size_t arena_bytes)
    : arena_(arena), arena_bytes_(arena_bytes), state_(nullptr) {}

void Interpreter::unload() { state_ = nullptr; }
bool Interpreter::loaded() const { return state_ != nullptr; }

LoadResult Interpreter::load(const uint8_t* model, size_t model_bytes) {
  unload();
  if (model == nullptr || model_bytes < 16) {
    return result({LoadStatus::BadFile, "The file is too short to be a TFLite model.", 0}, 0);
  }
  if (model_bytes >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    return result({LoadStatus::BadFile, "The file is too large for a TFLite flatbuffer.", 0}, 0);
  }
  if (reinterpret_cast<uintptr_t>(model) % 4 != 0) {
    return result({LoadStatus::BadFile, "The model's bytes do not start at a 4-byte boundary.", 0}, 0);
  }
  if (std::memcmp(model + 4, "TFL3", 4) != 0) {
    return result({LoadStatus::BadFile, "This is not a TFLite model: its file identifier is not TFL3.", 0}, 0);
  }
  ModelFile file(model, model_bytes);
  Status s = file.verify();
  if (s.status != LoadStatus::Ok) return result(s, 0);

  // The graph: one int8 input and output, every operator checked and its channels counted.
  const Vec<int32_t>* inputs = file.inputs();
  const Vec<int32_t>* outputs = file.outputs();
  if (!inputs || !outputs || inputs->size() != 1 || outputs->size() != 1) {
    return result({LoadStatus::BadShape, "The model must have one input and one output.", 0}, 0);
  }
  const int32_t input = inputs->Get(0);
  const int32_t output = outputs->Get(0);
  const TensorInfo in = tensor_info(file, input);
  const TensorInfo out = tensor_info(file, output);
  TensorQuant in_q{};
  TensorQuant out_q{};
  if (!in.int8_activation() || !per_tensor(in, &in_q.scale, &in_q.zero_point)) {
    return result({LoadStatus::UnsupportedType, "The model input must be an int8 tensor quantized per tensor.", 0}, 0);
  }
  if (!out.int8_activation() || !per_tensor(out, &out_q.scale, &out_q.zero_point)) {
    return result({LoadStatus::UnsupportedType, "The model output must be an int8 tensor quantized per tensor.", 0}, 0);
  }
  const uint32_t tensor_count = file.tensor_count();
  const uint32_t op_count = file.op_count();
  Preparer preparer(file);
  uint64_t channel_total = 0;
  for (uint32_t i = 0; i < op_count; i++) {
    uint32_t channels = 0;
    s = preparer.check(i, &channels);
    if (s.status != LoadStatus::Ok) return result(s, 0);
    channel_total += channels;
    if (!file.spend(channels)) return result({LoadStatus::BadFile, kLooping, i}, 0);
  }

  // The arena: [State][tensors][operators][multipliers] | activations (the planner's scratch
  // first). Sizes in uint64 until they are known to fit.
  const uintptr_t start = (reinterpret_cast<uintptr_t>(arena_) + kAlignment - 1) / kAlignment * kAlignment;
  const uint64_t slack = start - reinterpret_cast<uintptr_t>(arena_);
  const uint64_t state_bytes = align_up(sizeof(State));
  const uint64_t tensor_bytes = align_up(uint64_t{sizeof(TensorRec)} * tensor_count);
  const uint64_t op_bytes = align_up(uint64_t{sizeof(OpRec)} * op_count);
  const uint64_t scaler_bytes = align_up(uint64_t{sizeof(fx::QuantizedMultiplier)} * channel_total);
  const uint64_t bookkeeping = state_bytes + tensor_bytes + op_bytes + scaler_bytes;
  const uint64_t scratch = align_up(uint64_t{sizeof(uint32_t)} * 3 * tensor_count);
  const uint64_t usable = arena_bytes_ > slack ? arena_bytes_ - slack : 0;

  // Sizes of what the planner places, and an upper bound if even its scratch does not fit.
  const auto planned_size = [&](int32_t t) {
    const TensorInfo info = tensor_info(file, t);
    return info.constant() ? 0 : align_up(static_cast<uint64_t>(info.elements) * planned_element_bytes(info.type));
  };
  if (bookkeeping + scratch > usable) {
    uint64_t upper = 0;
    for (uint32_t t = 0; t < tensor_count; t++) upper += planned_size(static_cast<int32_t>(t));
    const uint64_t needed = slack + bookkeeping + (upper > scratch ? upper : scratch);
    return result({LoadStatus::ArenaTooSmall,
                   "The model does not fit the device's tensor arena (arena_needed is an upper bound).",
                   static_cast<uint32_t>(usable > UINT32_MAX ? UINT32_MAX : usable)},
                  needed);
  }
  uint8_t* base = reinterpret_cast<uint8_t*>(start);
  State* state = reinterpret_cast<State*>(base);
  TensorRec* tensors = reinterpret_cast<TensorRec*>(base + state_bytes);
  OpRec* ops = reinterpret_cast<OpRec*>(base + state_bytes + tensor_bytes);
  fx::QuantizedMultiplier* scalers =
      reinterpret_cast<fx::QuantizedMultiplier*>(base + state_bytes + tensor_bytes + op_bytes);
  uint8_t* activations = base + bookkeeping;
  uint32_t* touched = reinterpret_cast<uint32_t*>(activations);
  uint32_t* order = touched + tensor_count;
  uint32_t* by_offset = order + tensor_count;

  // Lifetimes, in plan.ts's order of first touch: the model input, each operator's outputs then
  // inputs, the model output. An operator's input must have been written before it reads it.
  uint32_t touched_count = 0;
  for (uint32_t t = 0; t < tensor_count; t++) tensors[t] = {nullptr, 0, 0, detail::kNotPlanned, detail::kNotPlanned, false};
  const auto touch = [&](int32_t t, int32_t at) {
    if (t < 0 || tensor_info(file, t).constant()) return;
    TensorRec& rec = tensors[t];
    if (rec.first == detail::kNotPlanned) {
      rec.first = at;
      rec.last = at;
      rec.size = planned_size(t);
      touched[touched_count++] = static_cast<uint32_t>(t);
    } else if (at > rec.last) {
      rec.last = at;
    }
  };
  touch(input, -1);
  for (uint32_t i = 0; i < op_count; i++) {
    const Table* o = file.op(i);
    const Vec<int32_t>* op_inputs = o->GetPointer<const Vec<int32_t>*>(sc::slot(sc::op::inputs));
    const Vec<int32_t>* op_outputs = o->GetPointer<const Vec<int32_t>*>(sc::slot(sc::op::outputs));
    const int32_t read = op_inputs->Get(0);  // checked: an int8 activation
    if (read != input && !tensors[read].written) {
      return result({LoadStatus::BadShape, "An operator reads a tensor before any operator writes it.", i}, 0);
    }
    const int32_t at = static_cast<int32_t>(i);
    tensors[op_outputs->Get(0)].written = true;  // checked: an int8 activation
    for (uint32_t k = 0; k < op_outputs->size(); k++) touch(op_outputs->Get(k), at);
    for (uint32_t k = 0; k < op_inputs->size(); k++) touch(op_inputs->Get(k), at);
    if (!file.spend(op_outputs->size() + op_inputs->size())) return result({LoadStatus::BadFile, kLooping, i}, 0);
  }
  if (output != input && !tensors[output].written) {
    return result({LoadStatus::BadShape, "No operator writes the model output.", 0}, 0);
  }
  touch(output, static_cast<int32_t>(op_count) - 1);
  const uint64_t activation_bytes = plan_activations(tensors, touched, touched_count, order, by_offset);
  const uint64_t used = bookkeeping + (activation_bytes > scratch ? activation_bytes : scratch);
  if (used > usable) {
    return result({LoadStatus::ArenaTooSmall, "The model does not fit the device's tensor arena.",
                   static_cast<uint32_t>(usable > UINT32_MAX ? UINT32_MAX : usable)},
                  slack + used);
  }

  // Everything fits: point the activations into the arena, then write the operator records.
  for (uint32_t t = 0; t < tensor_count; t++) {
    TensorRec& rec = tensors[t];
    rec.data = rec.first == detail::kNotPlanned ? nullptr : reinterpret_cast<int8_t*>(activations + rec.offset);
  }
  fx::QuantizedMultiplier* next = scalers;
  for (uint32_t i = 0; i < op_count; i++) {
    ops[i] = OpRec{};
    next += preparer.fill(i, &ops[i], next);
  }
  state->tensor_count = tensor_count;
  state->op_count = op_count;
  state->tensors = tensors;
  state->ops = ops;
  state->input = input;
  state->output = output;
  state->input_shape = in.shape;
  state->output_shape = out.shape;
  state->input_quant = in_q;
  state->output_quant = out_q;
  state->input_bytes = static_cast<size_t>(in.elements);
  state->output_bytes = static_cast<size_t>(out.elements);
  state->used = static_cast<size_t>(used);
  state->activation_bytes = static_cast<size_t>(activation_bytes);
  state_ = state;
  return result(kOk, slack + used);
}

int8_t* Interpreter::input() { return state_ ? state_->tensors[state_->input].data : nullptr; }
size_t Interpreter::input_bytes() const { return state_ ? state_->input_bytes : 0; }
const int32_t* Interpreter::input_shape() const {
  return state_ && state_->input_shape ? state_->input_shape->data() : nullptr;
}
size_t Interpreter::input_rank() const { return state_ && state_->input_shape ? state_->input_shape->size() : 0; }
TensorQuant Interpreter::input_quant() const { return state_ ? state_->input_quant : TensorQuant{0, 0}; }
const int8_t* Interpreter::output() const { return state_ ? state_->tensors[state_->output].data : nullptr; }
size_t Interpreter::output_bytes() const { return state_ ? state_->output_bytes : 0; }
const int32_t* Interpreter::output_shape() const {
  return state_ && state_->output_shape ? state_->output_shape->data() : nullptr;
}
size_t Interpreter::output_rank() const { return state_ && state_->output_shape ? state_->output_shape->size() : 0; }
TensorQuant Interpreter::output_quant() const { return state_ ? state_->output_quant : TensorQuant{0, 0}; }
size_t Interpreter::arena_used() const { return state_ ? state_->used : 0; }
size_t Interpreter::activation_bytes() const { return state_ ? state_->activation_bytes : 0; }

bool Interpreter::invoke() {
  if (state_ == nullptr) return false;
  for (uint32_t i = 0; i < state_->op_count; i++) detail::run_operator(state_->ops[i], state_->tensors);
  return true;
}

}  // namespace tl
