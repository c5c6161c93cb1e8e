// TinyLoop's int8 inference engine for the firmware core (docs/firmware-inference.md).
//
// It reads a `.tflite` flatbuffer in place (weights are never copied), checks it when it loads
// (the file's structure, the operators, the tensor types, the input and output, and that the
// planned arena fits), and runs the operator subset TinyLoop's exports use with TFLite's integer
// arithmetic, single rounding (TFLITE_SINGLE_ROUNDING=1): the same output bytes as the app's int8
// interpreter (src-main/tflite/interpreter.ts), LiteRT.js and Arm NN.
//
// Operators: FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D, MAX_POOL_2D, AVERAGE_POOL_2D, RESHAPE,
// SOFTMAX; int8 activations, int8 weights (per tensor or per output channel), int32 biases.
//
// Memory: everything the engine keeps per model (tensor records, per-channel multipliers,
// operator records) and every activation tensor live in the caller's arena; the Interpreter
// object itself is small and fixed. No heap, no exceptions, no RTTI, no recursion; C++17.
// Assumes a little-endian target (Cortex-M, x86, ...), as the flatbuffer format is.
//
// Not thread-safe; one model at a time per Interpreter.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tl {

enum class LoadStatus : uint8_t {
  Ok,
  BadFile,             // not a tflite flatbuffer, or an offset, vector, string or index out of range
  UnsupportedVersion,  // schema version other than 3, or constants stored outside the flatbuffer
  UnsupportedOp,       // an operator (or fused activation / option) the engine does not run
  UnsupportedType,     // a tensor type or quantization the engine does not run
  BadShape,            // shapes that do not fit their operator, or a bad model input / output
  ArenaTooSmall,       // the plan needs more than the arena: see LoadResult::arena_needed
};

// A short fixed name of a status ("ok", "bad-file", ...), for logs and NAK messages.
const char* load_status_name(LoadStatus status);

struct TensorQuant {
  float scale;
  int32_t zero_point;
};

struct LoadResult {
  LoadStatus status;
  // Bytes of arena the model needs: planned activations plus the engine's bookkeeping, with the
  // alignment slack of an unaligned arena. Known (non-zero) once the file has been checked, so
  // ArenaTooSmall always carries it; 0 when the file was refused before planning.
  uint32_t arena_needed;
  // What is wrong, for a user ("operator 3 (TANH) is not run by the device; ..."). A static
  // string: valid for the program's lifetime.
  const char* message;
  // What the status is about, for NAK's detail field: the operator index (UnsupportedOp,
  // BadShape and UnsupportedType of an operator's tensors), the tensor index (other tensor
  // refusals), the arena's usable bytes (ArenaTooSmall); 0 otherwise.
  uint32_t detail;
};

class Interpreter {
 public:
  // `arena` is caller-owned storage (a static array), ideally 16-byte aligned; if it is not, the
  // first bytes up to the next 16-byte boundary go unused. It must outlive the interpreter.
  Interpreter(uint8_t* arena, size_t arena_bytes);

  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // Verifies the file and plans the arena; on anything but Ok nothing stays loaded (a previously
  // loaded model is unloaded first in any case). `model` is read in place: its bytes must stay
  // valid and unchanged while the model is loaded (they live in the model slot), and must start
  // at a 4-byte boundary (Cortex-M4 faults on unaligned float loads); BadFile otherwise. Only
  // the first subgraph is run, as TFLite Micro does. Bounded work: linear in the file's size,
  // plus the arena plan, quadratic in the activations the arena can hold; never runs the model.
  LoadResult load(const uint8_t* model, size_t model_bytes);
  void unload();
  bool loaded() const;

  // The model input: int8, input_bytes() of it, written by the caller before invoke(). Null / 0
  // when nothing is loaded. The shape is the file's (e.g. {1, 16} or {1, 1, 400, 3}); the caller
  // compares it with the windows it makes.
  int8_t* input();
  size_t input_bytes() const;
  const int32_t* input_shape() const;
  size_t input_rank() const;
  TensorQuant input_quant() const;

  // The model output after invoke() (softmax: scale 1/256, zero point -128). The input and
  // output may not be read after unload().
  const int8_t* output() const;
  size_t output_bytes() const;
  const int32_t* output_shape() const;
  size_t output_rank() const;
  TensorQuant output_quant() const;

  // Runs one inference on input(). Returns false only if no model is loaded: every check was made
  // by load(), so a loaded model always runs. Activations share the arena, so the run may reuse
  // the input's bytes once no operator needs them: write the whole input before each invoke().
  // output() holds the result until the next invoke() or unload().
  bool invoke();

  // Bytes of the arena the loaded model uses from its first 16-byte boundary (0 when nothing is
  // loaded): arena_needed minus the alignment slack.
  size_t arena_used() const;
  // Of it, the activations as planned (what src-main/tflite/plan.ts calls activationBytes); the
  // rest is the engine's bookkeeping (docs/firmware-inference.md).
  size_t activation_bytes() const;

  struct State;  // the model's bookkeeping, in the arena (tl_interpreter.cpp)

 private:
  uint8_t* arena_;
  size_t arena_bytes_;
  State* state_;
};

}  // namespace tl
