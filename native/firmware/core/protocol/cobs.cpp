#include "cobs.h"

namespace tl::proto {

size_t cobs_encode(const uint8_t* src, size_t n, uint8_t* dst, size_t dst_cap) {
  if (dst_cap == 0) return 0;
  size_t code_at = 0;
  size_t out = 1;
  uint8_t code = 1;
  for (size_t i = 0; i < n; i++) {
    if (src[i] == 0) {
      dst[code_at] = code;
      if (out >= dst_cap) return 0;
      code_at = out++;
      code = 1;
      continue;
    }
    if (out >= dst_cap) return 0;
    dst[out++] = src[i];
    // A full run of 254 bytes ends its block; none follows when the frame ends here.
    if (++code == 0xFF && i + 1 < n) {
      dst[code_at] = code;
      if (out >= dst_cap) return 0;
      code_at = out++;
      code = 1;
    }
  }
  dst[code_at] = code;
  return out;
}

CobsResult cobs_decode(const uint8_t* src, size_t n, uint8_t* dst, size_t dst_cap) {
  size_t in = 0;
  size_t out = 0;
  while (in < n) {
    const uint8_t code = src[in++];
    if (code == 0 || in + code - 1 > n) return {CobsStatus::BadCode, 0};
    for (uint8_t k = 1; k < code; k++) {
      const uint8_t byte = src[in++];
      if (byte == 0) return {CobsStatus::BadCode, 0};
      if (out >= dst_cap) return {CobsStatus::TooLong, 0};
      dst[out++] = byte;
    }
    // A code below 0xFF stands for a zero after its run, except at the very end.
    if (code != 0xFF && in < n) {
      if (out >= dst_cap) return {CobsStatus::TooLong, 0};
      dst[out++] = 0;
    }
  }
  return {CobsStatus::Ok, out};
}

}  // namespace tl::proto
