// The model slots on the mps2-an386: the last 196 KB of the 1 MB flash (mps2-an386.ld): slot A
// and slot B of 96 KB each, then the boot record's 4 KB page. The emulated board's "flash" is
// RAM that keeps its contents for the life of the QEMU process; with a state file (the
// `state=PATH` argument, through semihosting) every write goes through to that file on the host
// and the slots are read back from it at start-up, so models survive QEMU being killed and
// started again, as a real board's flash survives a power cut.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hal.h"

namespace tl::fw::mps2port {

class FlashStorage final : public Storage {
 public:
  static constexpr size_t kSlotBytes = 96 * 1024;
  static constexpr size_t kBootBytes = 4 * 1024;
  static constexpr size_t kTotalBytes = 2 * kSlotBytes + kBootBytes;

  // Opens (or creates, erased) the state file; null keeps the slots in memory only. False if
  // the file could not be opened or read: the slots are then erased and in memory only.
  bool begin(const char* state_path);
  bool persistent() const { return handle_ >= 0; }

  size_t capacity(Region region) const override;
  const uint8_t* map(Region region) override { return base(region); }
  bool read(Region region, size_t offset, uint8_t* out, size_t n) override;
  bool write(Region region, size_t offset, const uint8_t* data, size_t n) override;
  bool erase(Region region, size_t offset, size_t n) override;
  bool sync(Region region) override;

 private:
  uint8_t* base(Region region) const;
  size_t start(Region region) const;
  bool in_range(Region region, size_t offset, size_t n) const;
  bool write_through(size_t from, size_t n);

  int handle_ = -1;
};

}  // namespace tl::fw::mps2port
