// A minimal test harness for the core's host tests: CHECK records a failure and goes on, and
// main returns non-zero if any check failed. Each test file is its own CTest executable.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace tl::test {

inline int& failures() {
  static int count = 0;
  return count;
}

inline int finish(const char* name) {
  if (failures()) {
    std::fprintf(stderr, "%s: %d check(s) failed\n", name, failures());
    return 1;
  }
  std::printf("%s: all checks passed\n", name);
  return 0;
}

}  // namespace tl::test

#define CHECK(cond)                                                                     \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);     \
      ::tl::test::failures()++;                                                         \
    }                                                                                   \
  } while (0)

#define CHECK_EQ(a, b)                                                                  \
  do {                                                                                  \
    const auto va_ = (a);                                                               \
    const auto vb_ = (b);                                                               \
    if (!(va_ == vb_)) {                                                                \
      std::fprintf(stderr, "%s:%d: CHECK_EQ failed: %s (%lld) != %s (%lld)\n", __FILE__, \
                   __LINE__, #a, static_cast<long long>(va_), #b,                       \
                   static_cast<long long>(vb_));                                        \
      ::tl::test::failures()++;                                                         \
    }                                                                                   \
  } while (0)
