// The host port's hardware: the monotonic clock, a pseudo-terminal paced to a baud rate, the
// demo machine as the sensor, and slots and the boot record as files in a state folder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "hal.h"
#include "simulated_sensor.h"

namespace tl::host {

class MonotonicClock final : public fw::Clock {
 public:
  MonotonicClock();
  uint64_t now_us() override;

 private:
  uint64_t start_ns_;
};

// The master side of a pseudo-terminal. Both directions are paced to `baud` (10 bits a byte),
// as a UART would carry them: ptys move bytes as fast as the kernel can. Bytes written while no
// program has the other side open are dropped, as a UART drops them with no cable.
class PtySerial final : public fw::Serial {
 public:
  PtySerial(fw::Clock& clock, uint32_t baud);
  ~PtySerial();
  // Opens the pty (raw mode); false with a message on failure.
  bool open(std::string* error);
  const std::string& slave_path() const { return slave_path_; }
  int fd() const { return master_; }

  size_t read(uint8_t* buffer, size_t capacity) override;
  void write(const uint8_t* data, size_t n) override;

  // Waits up to `timeout_us` for bytes to read (or a signal).
  void wait(uint64_t timeout_us);
  uint64_t bytes_in() const { return bytes_in_; }
  uint64_t bytes_out() const { return bytes_out_; }

 private:
  bool connected();

  fw::Clock& clock_;
  double bytes_per_us_;
  int master_ = -1;
  std::string slave_path_;
  double in_tokens_ = 0;
  uint64_t in_refilled_us_ = 0;
  uint64_t out_free_us_ = 0;
  uint64_t bytes_in_ = 0;
  uint64_t bytes_out_ = 0;
};

// Slots A and B and the boot record, each a file in the state folder, mirrored in memory (the
// engine runs the model from the slot's bytes, as from memory-mapped flash). Slot writes go to
// the file at once and are fsynced by sync(); the boot record is replaced whole, crash-safely:
// written to a temporary file, fsynced, renamed over the old one, and the folder fsynced.
class FileStorage final : public fw::Storage {
 public:
  static constexpr size_t kSlotBytes = 256 * 1024;
  static constexpr size_t kBootBytes = 128;

  // Opens (creating if need be) the files in `dir`; false with a message on failure.
  bool open(const std::string& dir, std::string* error);

  size_t capacity(fw::Region region) const override;
  const uint8_t* map(fw::Region region) override;
  bool read(fw::Region region, size_t offset, uint8_t* out, size_t n) override;
  bool write(fw::Region region, size_t offset, const uint8_t* data, size_t n) override;
  bool erase(fw::Region region, size_t offset, size_t n) override;
  bool sync(fw::Region region) override;

 private:
  uint8_t* bytes(fw::Region region);
  bool store(fw::Region region, size_t offset, size_t n);
  bool replace_boot_record();

  std::string dir_;
  int slot_fd_[2] = {-1, -1};
  alignas(16) uint8_t slots_[2][kSlotBytes];
  uint8_t boot_[kBootBytes];
};

}  // namespace tl::host
