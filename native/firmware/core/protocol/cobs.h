// Consistent Overhead Byte Stuffing (Cheshire and Baker, 1999): a frame encoded without zero
// bytes, so that a single 0x00 can end it on the wire (docs/protocol.md, "Framing").
#pragma once

#include <cstddef>
#include <cstdint>

namespace tl::proto {

// The most bytes cobs_encode writes for `n` input bytes: one code byte per 254 data bytes, plus
// one.
constexpr size_t cobs_max_encoded(size_t n) { return n + n / 254 + 1; }

// Encodes `n` bytes of `src` into `dst` (no terminating zero). Returns the encoded length, or 0
// if `dst_cap` is too small (an encoding is never empty).
size_t cobs_encode(const uint8_t* src, size_t n, uint8_t* dst, size_t dst_cap);

enum class CobsStatus : uint8_t { Ok, BadCode, TooLong };

struct CobsResult {
  CobsStatus status;
  size_t length;  // decoded bytes, when Ok
};

// Decodes `n` encoded bytes (without the terminating zero) into `dst`. BadCode: a zero byte, or a
// code that runs past the end of the input; TooLong: more than `dst_cap` decoded bytes. `dst` may
// be `src` (decoding never writes ahead of what it has read).
CobsResult cobs_decode(const uint8_t* src, size_t n, uint8_t* dst, size_t dst_cap);

}  // namespace tl::proto
