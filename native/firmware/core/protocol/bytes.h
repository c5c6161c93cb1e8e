// Little-endian readers and writers over caller-owned buffers: no allocation, and every access is
// bounds-checked (a short read sets !ok() and yields zeros; an overflowing write sets !ok()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tl::proto {

class ByteWriter {
 public:
  ByteWriter(uint8_t* buffer, size_t capacity) : buffer_(buffer), capacity_(capacity) {}

  void u8(uint8_t v) { put(&v, 1); }
  void u16(uint16_t v) { le(v, 2); }
  void u32(uint32_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void i32(int32_t v) { le(static_cast<uint32_t>(v), 4); }
  void f32(float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    le(bits, 4);
  }
  void f64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    le(bits, 8);
  }
  void bytes(const void* data, size_t n) { put(static_cast<const uint8_t*>(data), n); }
  // A length byte and the text, cut at 255 bytes.
  void str8(const char* text, size_t n) {
    if (n > 255) n = 255;
    u8(static_cast<uint8_t>(n));
    bytes(text, n);
  }
  void str8(const char* text) { str8(text, std::strlen(text)); }

  size_t size() const { return size_; }
  size_t remaining() const { return capacity_ - size_; }
  bool ok() const { return ok_; }
  uint8_t* data() { return buffer_; }

 private:
  void le(uint64_t v, size_t n) {
    uint8_t b[8];
    for (size_t i = 0; i < n; i++) b[i] = static_cast<uint8_t>(v >> (8 * i));
    put(b, n);
  }
  void put(const uint8_t* data, size_t n) {
    if (!ok_ || n > capacity_ - size_) {
      ok_ = false;
      return;
    }
    if (n) std::memcpy(buffer_ + size_, data, n);
    size_ += n;
  }

  uint8_t* buffer_;
  size_t capacity_;
  size_t size_ = 0;
  bool ok_ = true;
};

// A view of text inside a received buffer (not terminated).
struct Text {
  const char* data = nullptr;
  size_t length = 0;
  bool equals(const char* other) const {
    return std::strlen(other) == length && (length == 0 || std::memcmp(data, other, length) == 0);
  }
};

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint8_t u8() { return static_cast<uint8_t>(le(1)); }
  uint16_t u16() { return static_cast<uint16_t>(le(2)); }
  uint32_t u32() { return static_cast<uint32_t>(le(4)); }
  uint64_t u64() { return le(8); }
  int32_t i32() { return static_cast<int32_t>(static_cast<uint32_t>(le(4))); }
  float f32() {
    const uint32_t bits = static_cast<uint32_t>(le(4));
    float v;
    std::memcpy(&v, &bits, 4);
    return v;
  }
  double f64() {
    const uint64_t bits = le(8);
    double v;
    std::memcpy(&v, &bits, 8);
    return v;
  }
  // `n` bytes in place, or null (and !ok()) if fewer remain.
  const uint8_t* bytes(size_t n) {
    if (!ok_ || n > size_ - pos_) {
      ok_ = false;
      return nullptr;
    }
    const uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  Text str8() {
    const uint8_t n = u8();
    const uint8_t* p = bytes(n);
    Text t;
    if (p) {
      t.data = reinterpret_cast<const char*>(p);
      t.length = n;
    }
    return t;
  }
  // Everything not read yet.
  const uint8_t* rest(size_t* n) {
    *n = ok_ ? size_ - pos_ : 0;
    const uint8_t* p = data_ + (ok_ ? pos_ : size_);
    pos_ = size_;
    return p;
  }

  size_t position() const { return pos_; }
  size_t remaining() const { return ok_ ? size_ - pos_ : 0; }
  bool ok() const { return ok_; }

 private:
  uint64_t le(size_t n) {
    const uint8_t* p = bytes(n);
    uint64_t v = 0;
    if (p)
      for (size_t i = 0; i < n; i++) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace tl::proto
