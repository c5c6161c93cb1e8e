#include "arduino_hal.h"

#include <Arduino.h>
#include <FlashIAP.h>

#include <cstring>

#ifdef TINYLOOP_IMU_LSM9DS1
#include <Arduino_LSM9DS1.h>
#else
#include <Arduino_BMI270_BMM150.h>
#endif

namespace tl::arduino {

namespace {
mbed::FlashIAP flash;
constexpr const char* kChannels[] = {"ax", "ay", "az"};
}  // namespace

uint64_t MicrosClock::now_us() {
  const uint32_t now = micros();
  if (now < last_) high_ += uint64_t(1) << 32;  // micros() wraps every 71 minutes
  last_ = now;
  return high_ | now;
}

size_t UsbSerial::read(uint8_t* buffer, size_t capacity) {
  size_t n = 0;
  while (n < capacity && Serial.available() > 0) buffer[n++] = static_cast<uint8_t>(Serial.read());
  return n;
}

void UsbSerial::write(const uint8_t* data, size_t n) { Serial.write(data, n); }

bool ImuSensor::begin() {
  if (!IMU.begin()) return false;
  rate_hz_ = static_cast<uint32_t>(IMU.accelerationSampleRate() + 0.5f);
  return true;
}

const char* ImuSensor::channel_name(uint8_t channel) const {
  return channel < 3 ? kChannels[channel] : "";
}

size_t ImuSensor::read(uint64_t now_us, float* values, size_t max_samples,
                       uint64_t* first_time_us) {
  size_t n = 0;
  while (running_ && n < max_samples && IMU.accelerationAvailable()) {
    IMU.readAcceleration(values[n * 3], values[n * 3 + 1], values[n * 3 + 2]);
    n++;
  }
  // The IMU's FIFO gives no times: the samples are placed back from now at the rate.
  if (n) *first_time_us = now_us - uint64_t(n - 1) * 1000000u / rate_hz_;
  return n;
}

bool FlashStorage::begin() { return flash.init() == 0; }

size_t FlashStorage::capacity(fw::Region region) const {
  return region == fw::Region::BootRecord ? kBootBytes : kSlotBytes;
}

uint32_t FlashStorage::address(fw::Region region, size_t offset) const {
  const uint32_t start = region == fw::Region::SlotA   ? 0
                         : region == fw::Region::SlotB ? kSlotBytes
                                                       : 2 * kSlotBytes;
  return kBase + start + static_cast<uint32_t>(offset);
}

bool FlashStorage::in_range(fw::Region region, size_t offset, size_t n) const {
  return offset <= capacity(region) && n <= capacity(region) - offset;
}

const uint8_t* FlashStorage::map(fw::Region region) {
  return reinterpret_cast<const uint8_t*>(address(region, 0));
}

bool FlashStorage::read(fw::Region region, size_t offset, uint8_t* out, size_t n) {
  if (!in_range(region, offset, n)) return false;
  std::memcpy(out, map(region) + offset, n);
  return true;
}

bool FlashStorage::write(fw::Region region, size_t offset, const uint8_t* data, size_t n) {
  if (!in_range(region, offset, n)) return false;
  // The nRF52840 programs whole words: bytes outside [offset, offset + n) are written as 0xFF,
  // which leaves them as they are (programming only clears bits).
  uint32_t at = address(region, offset) & ~3u;
  const uint32_t end = address(region, offset) + static_cast<uint32_t>(n);
  const uint32_t first = address(region, offset);
  for (; at < end; at += 4) {
    uint8_t word[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    for (uint32_t k = 0; k < 4; k++) {
      if (at + k >= first && at + k < end) word[k] = data[at + k - first];
    }
    if (flash.program(word, at, 4) != 0) return false;
  }
  return true;
}

bool FlashStorage::erase(fw::Region region, size_t offset, size_t n) {
  if (!in_range(region, offset, n)) return false;
  // Whole pages (4 KB): the core erases slots and the boot record page by page.
  const uint32_t page = flash.get_sector_size(address(region, offset));
  const uint32_t from = address(region, offset) & ~(page - 1);
  const uint32_t to = address(region, offset + n);
  for (uint32_t at = from; at < to; at += page) {
    if (flash.erase(at, page) != 0) return false;
  }
  return true;
}

}  // namespace tl::arduino
