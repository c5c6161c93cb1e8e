// CRC-32/ISO-HDLC (zlib, Ethernet, PNG): reflected polynomial 0xEDB88320, initial value and final
// XOR 0xFFFFFFFF; crc32("123456789") = 0xCBF43926. Frames and whole model slots use it
// (docs/protocol.md, "Framing").
#pragma once

#include <cstddef>
#include <cstdint>

namespace tl::proto {

// The CRC of `n` bytes. Incremental: crc32_update(crc32_update(0, a), b) == crc32(a + b), so a
// slot can be checked in pieces; start from 0.
uint32_t crc32_update(uint32_t crc, const uint8_t* data, size_t n);
inline uint32_t crc32(const uint8_t* data, size_t n) { return crc32_update(0, data, n); }

}  // namespace tl::proto
