// tl_infer: the engine on the host, for the TypeScript tests (tests/integration/firmware/).
//
//   tl_infer run MODEL INPUTS OUTPUTS [--arena BYTES]
//     Loads MODEL, runs every input tensor in INPUTS (int8, concatenated) and writes the output
//     tensors, concatenated, to OUTPUTS. Prints one JSON line: the load's status, arena figures,
//     shapes and quantization. Exit status 0 when it ran, 2 when the model was refused.
//   tl_infer batch CASES RESULTS [--arena BYTES]
//     CASES holds many cases, each a model and its inputs: u32 model length, the model's bytes,
//     u32 inputs length, the input tensors concatenated (none: one run on an all-zero input);
//     lengths little-endian. RESULTS gets, per case: u8 status, u32 arena_needed, u32
//     activation bytes, u32 outputs length, the outputs concatenated (none if refused). Prints
//     the counts as JSON.
//
// Each model is copied to the end of a heap block, 4 bytes past its 16-byte aligned start (the
// least alignment the engine accepts, so misaligned 8-byte reads show under UBSan), and the arena
// is exactly --arena bytes (default 262144) of heap: a sanitizer build catches any read or write
// past either.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "tl_interpreter.h"

namespace {

// A copy of `bytes` at 4 mod 16, ending where its heap block ends; free with release().
uint8_t* place_model(const uint8_t* bytes, size_t length) {
  uint8_t* block = static_cast<uint8_t*>(std::malloc(length + 4));
  std::memcpy(block + 4, bytes, length);
  return block + 4;
}
void release(uint8_t* model) { std::free(model - 4); }

bool read_file(const char* path, std::vector<uint8_t>* out) {
  FILE* f = std::fopen(path, "rb");
  if (!f) return false;
  uint8_t chunk[65536];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) out->insert(out->end(), chunk, chunk + n);
  std::fclose(f);
  return true;
}

void json_string(const char* s) {
  std::putchar('"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') std::putchar('\\');
    std::putchar(*s);
  }
  std::putchar('"');
}

void put_u32(std::vector<uint8_t>* out, uint32_t v) {
  for (int i = 0; i < 4; i++) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}

int usage() {
  std::fprintf(stderr,
               "usage: tl_infer run MODEL INPUTS OUTPUTS [--arena BYTES]\n"
               "       tl_infer batch MODELS RESULTS [--arena BYTES]\n");
  return 64;
}

int run(const char* model_path, const char* inputs_path, const char* outputs_path, size_t arena_bytes) {
  std::vector<uint8_t> file;
  std::vector<uint8_t> inputs;
  if (!read_file(model_path, &file) || !read_file(inputs_path, &inputs)) {
    std::fprintf(stderr, "tl_infer: cannot read %s or %s\n", model_path, inputs_path);
    return 66;
  }
  uint8_t* model = place_model(file.data(), file.size());
  uint8_t* arena = static_cast<uint8_t*>(std::malloc(arena_bytes ? arena_bytes : 1));
  tl::Interpreter interpreter(arena, arena_bytes);
  const tl::LoadResult loaded = interpreter.load(model, file.size());
  std::printf("{\"status\":");
  json_string(tl::load_status_name(loaded.status));
  std::printf(",\"message\":");
  json_string(loaded.message);
  std::printf(",\"detail\":%u,\"arenaNeeded\":%u", loaded.detail, loaded.arena_needed);
  int code = 2;
  if (loaded.status == tl::LoadStatus::Ok) {
    const size_t in_bytes = interpreter.input_bytes();
    const size_t out_bytes = interpreter.output_bytes();
    std::printf(",\"arenaUsed\":%zu,\"activationBytes\":%zu,\"inputBytes\":%zu,\"outputBytes\":%zu,\"inputShape\":[",
                interpreter.arena_used(), interpreter.activation_bytes(), in_bytes, out_bytes);
    for (size_t i = 0; i < interpreter.input_rank(); i++) std::printf("%s%d", i ? "," : "", interpreter.input_shape()[i]);
    std::printf("],\"outputShape\":[");
    for (size_t i = 0; i < interpreter.output_rank(); i++) std::printf("%s%d", i ? "," : "", interpreter.output_shape()[i]);
    const tl::TensorQuant iq = interpreter.input_quant();
    const tl::TensorQuant oq = interpreter.output_quant();
    std::printf("],\"inputScale\":%.9g,\"inputZeroPoint\":%d,\"outputScale\":%.9g,\"outputZeroPoint\":%d", iq.scale,
                iq.zero_point, oq.scale, oq.zero_point);
    const size_t windows = in_bytes ? inputs.size() / in_bytes : 0;
    if (in_bytes == 0 || inputs.size() % in_bytes != 0) {
      std::printf(",\"error\":\"the inputs are not a whole number of input tensors\"}\n");
      code = 65;
    } else {
      std::vector<uint8_t> outputs;
      outputs.reserve(windows * out_bytes);
      for (size_t w = 0; w < windows; w++) {
        std::memcpy(interpreter.input(), inputs.data() + w * in_bytes, in_bytes);
        interpreter.invoke();
        const uint8_t* out = reinterpret_cast<const uint8_t*>(interpreter.output());
        outputs.insert(outputs.end(), out, out + out_bytes);
      }
      FILE* f = std::fopen(outputs_path, "wb");
      if (!f || std::fwrite(outputs.data(), 1, outputs.size(), f) != outputs.size()) {
        std::fprintf(stderr, "tl_infer: cannot write %s\n", outputs_path);
        code = 73;
      } else {
        code = 0;
      }
      if (f) std::fclose(f);
      std::printf(",\"windows\":%zu}\n", windows);
    }
  } else {
    std::printf("}\n");
  }
  interpreter.unload();
  std::free(arena);
  release(model);
  return code;
}

bool take_u32(const std::vector<uint8_t>& all, size_t* at, uint32_t* value) {
  if (all.size() - *at < 4) return false;
  *value = 0;
  for (int i = 0; i < 4; i++) *value |= static_cast<uint32_t>(all[*at + i]) << (8 * i);
  *at += 4;
  return true;
}

int batch(const char* cases_path, const char* results_path, size_t arena_bytes) {
  std::vector<uint8_t> all;
  if (!read_file(cases_path, &all)) {
    std::fprintf(stderr, "tl_infer: cannot read %s\n", cases_path);
    return 66;
  }
  uint8_t* arena = static_cast<uint8_t*>(std::malloc(arena_bytes ? arena_bytes : 1));
  tl::Interpreter interpreter(arena, arena_bytes);
  std::vector<uint8_t> results;
  size_t at = 0;
  size_t cases = 0;
  size_t ran = 0;
  while (at < all.size()) {
    uint32_t length = 0;
    uint32_t input_length = 0;
    if (!take_u32(all, &at, &length) || length > all.size() - at) break;
    const size_t model_at = at;
    at += length;
    if (!take_u32(all, &at, &input_length) || input_length > all.size() - at) break;
    const uint8_t* inputs = all.data() + at;
    at += input_length;
    uint8_t* model = place_model(all.data() + model_at, length);
    const tl::LoadResult loaded = interpreter.load(model, length);
    results.push_back(static_cast<uint8_t>(loaded.status));
    put_u32(&results, loaded.arena_needed);
    put_u32(&results, static_cast<uint32_t>(interpreter.activation_bytes()));
    const size_t in_bytes = interpreter.input_bytes();
    const size_t out_bytes = interpreter.output_bytes();
    if (loaded.status == tl::LoadStatus::Ok && (input_length == 0 || (in_bytes && input_length % in_bytes == 0))) {
      const size_t windows = input_length == 0 ? 1 : input_length / in_bytes;
      put_u32(&results, static_cast<uint32_t>(windows * out_bytes));
      for (size_t w = 0; w < windows; w++) {
        if (input_length == 0) {
          std::memset(interpreter.input(), 0, in_bytes);
        } else {
          std::memcpy(interpreter.input(), inputs + w * in_bytes, in_bytes);
        }
        interpreter.invoke();
        const uint8_t* out = reinterpret_cast<const uint8_t*>(interpreter.output());
        results.insert(results.end(), out, out + out_bytes);
      }
      ran++;
    } else {
      put_u32(&results, 0);
    }
    interpreter.unload();
    release(model);
    cases++;
  }
  std::free(arena);
  if (at != all.size()) {
    std::fprintf(stderr, "tl_infer: %s is truncated\n", cases_path);
    return 65;
  }
  FILE* f = std::fopen(results_path, "wb");
  if (!f || std::fwrite(results.data(), 1, results.size(), f) != results.size()) {
    std::fprintf(stderr, "tl_infer: cannot write %s\n", results_path);
    if (f) std::fclose(f);
    return 73;
  }
  std::fclose(f);
  std::printf("{\"cases\":%zu,\"ran\":%zu}\n", cases, ran);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  size_t arena_bytes = 262144;
  if (argc >= 3 && std::strcmp(argv[argc - 2], "--arena") == 0) {
    arena_bytes = static_cast<size_t>(std::strtoull(argv[argc - 1], nullptr, 10));
    argc -= 2;
  }
  if (argc == 5 && std::strcmp(argv[1], "run") == 0) return run(argv[2], argv[3], argv[4], arena_bytes);
  if (argc == 4 && std::strcmp(argv[1], "batch") == 0) return batch(argv[2], argv[3], arena_bytes);
  return usage();
}
