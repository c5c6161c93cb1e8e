// The Nano 33 BLE Sense's hardware behind the core's interfaces (docs/firmware.md, "The Arduino
// port"): micros() as the clock, the USB serial port as the link, the board's accelerometer as
// the sensor (BMI270 on Rev2, LSM9DS1 on Rev1: TINYLOOP_IMU_LSM9DS1 picks the latter), and the
// nRF52840's own flash for the slots. Glue only: every line of logic is in the core, which the
// app tests on the host and under QEMU. NOT BUILT HERE: these machines have no arduino-cli or
// board core.
#pragma once

#include <cstddef>
#include <cstdint>

#include "src/firmware/core/hal.h"

namespace tl::arduino {

class MicrosClock final : public fw::Clock {
 public:
  uint64_t now_us() override;

 private:
  uint32_t last_ = 0;
  uint64_t high_ = 0;
};

class UsbSerial final : public fw::Serial {
 public:
  size_t read(uint8_t* buffer, size_t capacity) override;
  void write(const uint8_t* data, size_t n) override;
};

// The board's accelerometer at its one rate (BMI270: 100 Hz; LSM9DS1: 119 Hz), in g.
class ImuSensor final : public fw::Sensor {
 public:
  bool begin();
  uint8_t channel_count() const override { return 3; }
  const char* channel_name(uint8_t channel) const override;
  size_t rate_count() const override { return 1; }
  uint32_t rate(size_t) const override { return rate_hz_; }
  uint32_t rate_hz() const override { return rate_hz_; }
  bool set_rate(uint32_t hz) override { return hz == rate_hz_; }
  void start(uint64_t) override { running_ = true; }
  void stop() override { running_ = false; }
  size_t read(uint64_t now_us, float* values, size_t max_samples,
              uint64_t* first_time_us) override;

 private:
  uint32_t rate_hz_ = 100;
  bool running_ = false;
};

// The last 196 KB of the nRF52840's 1 MB flash (0xCF000 to 0x100000), laid out as on the QEMU
// port: slot A and slot B of 96 KB, then the boot record's 4 KB page. The sketch itself must stay
// below 0xCF000 (the Mbed core's sketches start at 0x10000). Flash is memory-mapped, so map()
// returns the region's address; writes go through Mbed's FlashIAP a word at a time.
class FlashStorage final : public fw::Storage {
 public:
  static constexpr uint32_t kBase = 0xCF000;
  static constexpr size_t kSlotBytes = 96 * 1024;
  static constexpr size_t kBootBytes = 4 * 1024;

  bool begin();
  size_t capacity(fw::Region region) const override;
  const uint8_t* map(fw::Region region) override;
  bool read(fw::Region region, size_t offset, uint8_t* out, size_t n) override;
  bool write(fw::Region region, size_t offset, const uint8_t* data, size_t n) override;
  bool erase(fw::Region region, size_t offset, size_t n) override;
  bool sync(fw::Region) override { return true; }

 private:
  uint32_t address(fw::Region region, size_t offset) const;
  bool in_range(fw::Region region, size_t offset, size_t n) const;
};

}  // namespace tl::arduino
