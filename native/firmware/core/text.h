// Messages built in a fixed buffer, without printf (which may allocate on some C libraries).
#pragma once

#include <cstddef>
#include <cstdint>

namespace tl::fw {

template <size_t N>
class TextBuffer {
 public:
  TextBuffer& add(const char* text) {
    while (*text && length_ + 1 < N) buffer_[length_++] = *text++;
    buffer_[length_] = 0;
    return *this;
  }
  TextBuffer& add(uint32_t value) {
    char digits[10];
    size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value);
    while (n && length_ + 1 < N) buffer_[length_++] = digits[--n];
    buffer_[length_] = 0;
    return *this;
  }
  TextBuffer& hex(uint32_t value) {
    for (int shift = 28; shift >= 0 && length_ + 1 < N; shift -= 4)
      buffer_[length_++] = "0123456789abcdef"[(value >> shift) & 0xF];
    buffer_[length_] = 0;
    return *this;
  }
  const char* c_str() const { return buffer_; }
  size_t length() const { return length_; }

 private:
  char buffer_[N] = {};
  size_t length_ = 0;
};

}  // namespace tl::fw
