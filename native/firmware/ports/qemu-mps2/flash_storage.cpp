#include "flash_storage.h"

#include <cstring>

#include "semihosting.h"

extern "C" uint8_t models_start[];

namespace tl::fw::mps2port {

namespace {
constexpr uint8_t kErased = 0xFF;
}

size_t FlashStorage::capacity(Region region) const {
  return region == Region::BootRecord ? kBootBytes : kSlotBytes;
}

size_t FlashStorage::start(Region region) const {
  switch (region) {
    case Region::SlotA:
      return 0;
    case Region::SlotB:
      return kSlotBytes;
    default:
      return 2 * kSlotBytes;
  }
}

uint8_t* FlashStorage::base(Region region) const { return models_start + start(region); }

bool FlashStorage::in_range(Region region, size_t offset, size_t n) const {
  return offset <= capacity(region) && n <= capacity(region) - offset;
}

bool FlashStorage::begin(const char* state_path) {
  std::memset(models_start, kErased, kTotalBytes);
  if (state_path == nullptr || state_path[0] == '\0') return true;
  int handle = semihosting::open(state_path, "r+b");
  if (handle >= 0 && semihosting::length(handle) == static_cast<long>(kTotalBytes)) {
    if (!semihosting::read(handle, models_start, kTotalBytes)) {
      semihosting::close(handle);
      std::memset(models_start, kErased, kTotalBytes);
      return false;
    }
    handle_ = handle;
    return true;
  }
  // No file yet, or one of another size: start erased, and write that.
  if (handle >= 0) semihosting::close(handle);
  handle = semihosting::open(state_path, "w+b");
  if (handle < 0) return false;
  handle_ = handle;
  if (!write_through(0, kTotalBytes)) {
    semihosting::close(handle_);
    handle_ = -1;
    return false;
  }
  return true;
}

bool FlashStorage::write_through(size_t from, size_t n) {
  if (handle_ < 0) return true;
  return semihosting::seek(handle_, from) && semihosting::write(handle_, models_start + from, n);
}

bool FlashStorage::read(Region region, size_t offset, uint8_t* out, size_t n) {
  if (!in_range(region, offset, n)) return false;
  std::memcpy(out, base(region) + offset, n);
  return true;
}

bool FlashStorage::write(Region region, size_t offset, const uint8_t* data, size_t n) {
  if (!in_range(region, offset, n)) return false;
  // NOR flash only clears bits: writing over bytes not erased gives their AND, as a part would.
  uint8_t* to = base(region) + offset;
  for (size_t i = 0; i < n; ++i) to[i] = static_cast<uint8_t>(to[i] & data[i]);
  return write_through(start(region) + offset, n);
}

bool FlashStorage::erase(Region region, size_t offset, size_t n) {
  if (!in_range(region, offset, n)) return false;
  std::memset(base(region) + offset, kErased, n);
  return write_through(start(region) + offset, n);
}

bool FlashStorage::sync(Region) { return true; }

}  // namespace tl::fw::mps2port
