// The engine's own checks, on the host (CTest): the fixed-point functions on values worked by
// hand, and loading the converter-made fixtures (tests/fixtures/tflite/) against arenas of every
// interesting size, unaligned buffers and every truncation of a file. Output parity with the
// app's interpreter is tests/integration/firmware/inference-parity.test.ts.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tl_fixed_point.h"
#include "tl_interpreter.h"

namespace {

int failures = 0;

void check(bool ok, const char* what, long long got = 0) {
  if (!ok) {
    std::printf("FAIL: %s (got %lld)\n", what, got);
    failures++;
  }
}

std::vector<uint8_t> read(const std::string& path) {
  std::vector<uint8_t> bytes;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return bytes;
  int c;
  while ((c = std::fgetc(f)) != EOF) bytes.push_back(static_cast<uint8_t>(c));
  std::fclose(f);
  return bytes;
}

void fixed_point() {
  using namespace tl::fx;
  const QuantizedMultiplier half = quantize_multiplier(0.5);
  check(half.multiplier == (1 << 30) && half.shift == 0, "QuantizeMultiplier(0.5) = 2^30, shift 0", half.multiplier);
  const QuantizedMultiplier one = quantize_multiplier(1.0);
  check(one.multiplier == (1 << 30) && one.shift == 1, "QuantizeMultiplier(1) = 2^30, shift 1", one.shift);
  check(quantize_multiplier(1e-12).multiplier == 0, "multipliers below 2^-31 flush to zero");
  // Single rounding: 5 * 0.5 = 2.5 rounds up to 3, -2.5 to -2 (halves toward +infinity).
  check(multiply_single_rounding(5, half) == 3, "5 x 0.5 = 3", multiply_single_rounding(5, half));
  check(multiply_single_rounding(-5, half) == -2, "-5 x 0.5 = -2", multiply_single_rounding(-5, half));
  check(rounding_divide_by_pot(5, 1) == 3 && rounding_divide_by_pot(-5, 1) == -3, "RoundingDivideByPOT halves away");
  check(saturating_rounding_doubling_high_mul(kInt32Min, kInt32Min) == kInt32Max, "SRDHM saturates");
  check(saturating_rounding_doubling_high_mul(1 << 30, 1 << 30) == (1 << 29), "SRDHM(0.5, 0.5) = 0.25");
  check(exp_on_negative_values(0, 5) == kInt32Max, "exp(0) = 1");
  // exp(-1) in Q0.31 is 790015084.9; gemmlowp's fixed point (and fixed-point.ts) give 790015308.
  const int32_t e = exp_on_negative_values(-(1 << 26), 5);
  check(e == 790015308, "exp(-1) as fixed-point.ts computes it", e);
  int bits = 0;
  // 1 / 1.0 (2^19 in Q12.19): a Q0.31 scale of about 1 and no bits over unit.
  const int32_t r = reciprocal(1 << 19, 12, &bits);
  check(bits == 0 && r > 2147483000, "GetReciprocal(1.0) ~ 1 with no bits over unit", r);
}

void fixtures(const std::string& dir) {
  for (const char* name : {"hello_world_int8", "micro_speech_quantized"}) {
    const std::vector<uint8_t> file = read(dir + "/" + name + ".tflite");
    check(!file.empty(), "fixture readable");
    if (file.empty()) continue;
    std::vector<uint8_t> arena(1 << 16);
    tl::Interpreter probe(arena.data(), arena.size());
    const tl::LoadResult ok = probe.load(file.data(), file.size());
    check(ok.status == tl::LoadStatus::Ok, name, static_cast<int>(ok.status));
    check(ok.arena_needed == probe.arena_used() && ok.arena_needed > 0, "arena_needed = arena_used when aligned");
    const size_t needed = ok.arena_needed;
    check(probe.invoke(), "a loaded model runs");
    probe.unload();
    check(!probe.loaded() && !probe.invoke() && probe.input() == nullptr, "unload leaves nothing to run");

    // Exactly the needed bytes fit; one fewer does not, and says how many are needed.
    std::vector<uint8_t> exact(needed);
    tl::Interpreter fits(exact.data(), exact.size());
    check(fits.load(file.data(), file.size()).status == tl::LoadStatus::Ok, "arena of exactly arena_needed fits");
    tl::Interpreter tight(exact.data(), needed - 1);
    const tl::LoadResult small = tight.load(file.data(), file.size());
    check(small.status == tl::LoadStatus::ArenaTooSmall && small.arena_needed == needed,
          "one byte short: ArenaTooSmall with the same arena_needed", small.arena_needed);
    for (size_t bytes : {size_t{0}, size_t{1}, size_t{64}, needed / 2}) {
      tl::Interpreter tiny(exact.data(), bytes);
      const tl::LoadResult t = tiny.load(file.data(), file.size());
      check(t.status == tl::LoadStatus::ArenaTooSmall && t.arena_needed >= needed, "tiny arenas are refused", t.arena_needed);
    }
    // An arena 3 bytes past a 16-byte boundary loses 13 bytes to alignment, and says so.
    std::vector<uint8_t> big(needed + 64);
    uint8_t* aligned = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(big.data()) + 15) & ~uintptr_t{15});
    tl::Interpreter off(aligned + 3, needed);
    const tl::LoadResult shifted = off.load(file.data(), file.size());
    check(shifted.status == tl::LoadStatus::ArenaTooSmall && shifted.arena_needed == needed + 13,
          "an unaligned arena needs the slack too", shifted.arena_needed);
    tl::Interpreter off2(aligned + 3, needed + 13);
    check(off2.load(file.data(), file.size()).status == tl::LoadStatus::Ok, "and fits with it");

    // The model's bytes must start at a 4-byte boundary.
    std::vector<uint8_t> copy(file.size() + 4);
    uint8_t* odd = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(copy.data()) + 3) & ~uintptr_t{3}) + 1;
    std::memcpy(odd, file.data(), file.size() - 4);
    check(probe.load(odd, file.size() - 4).status == tl::LoadStatus::BadFile, "unaligned model bytes are refused");

    // Every truncation is refused, each in its own exactly-sized buffer.
    size_t refused = 0;
    for (size_t length = 0; length < file.size(); length++) {
      std::vector<uint8_t> cut(file.begin(), file.begin() + static_cast<long>(length));
      if (probe.load(cut.data(), cut.size()).status != tl::LoadStatus::Ok) refused++;
    }
    check(refused == file.size(), "every truncation is refused", static_cast<long long>(file.size() - refused));
  }
}

}  // namespace

int main(int argc, char** argv) {
  fixed_point();
  fixtures(argc > 1 ? argv[1] : "tests/fixtures/tflite");
  std::printf("%s: %d failed\n", failures ? "FAILED" : "passed", failures);
  return failures ? 1 : 0;
}
