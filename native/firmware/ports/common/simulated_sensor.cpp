#include "simulated_sensor.h"

#include <new>

namespace tl::host {

namespace {

constexpr uint32_t kRates[] = {100, 200, 400, 800, 1000, 1600, 3200};
constexpr const char* kChannels[] = {"ax", "ay", "az"};

}  // namespace

SimulatedSensor::SimulatedSensor(uint32_t seed, Drift drift)
    : seed_(seed), drift_(drift), machine_(400, seed, drift) {}

const char* SimulatedSensor::channel_name(uint8_t channel) const {
  return channel < 3 ? kChannels[channel] : "";
}

size_t SimulatedSensor::rate_count() const { return sizeof kRates / sizeof kRates[0]; }

uint32_t SimulatedSensor::rate(size_t index) const { return kRates[index]; }

bool SimulatedSensor::set_rate(uint32_t hz) {
  for (uint32_t r : kRates) {
    if (r != hz) continue;
    if (hz != rate_hz_) {
      // A machine seen at another rate: the demo device's simulator is made for one rate. (It
      // starts again, drift and all: a wearing bearing is new again.)
      rate_hz_ = hz;
      machine_.~MachineSimulator();
      new (&machine_) MachineSimulator(hz, seed_, drift_);
    }
    return true;
  }
  return false;
}

void SimulatedSensor::start(uint64_t now_us) {
  running_ = true;
  start_us_ = now_us;
  taken_ = 0;
}

size_t SimulatedSensor::read(uint64_t now_us, float* values, size_t max_samples,
                             uint64_t* first_time_us) {
  if (!running_ || now_us < start_us_) return 0;
  // Sample k falls due at start + k / rate.
  const uint64_t due = (now_us - start_us_) * rate_hz_ / 1000000 + 1;
  if (due <= taken_) return 0;
  size_t n = static_cast<size_t>(due - taken_);
  if (n > max_samples) n = max_samples;
  *first_time_us = start_us_ + taken_ * 1000000 / rate_hz_;
  machine_.next(n, values);
  taken_ += n;
  return n;
}

}  // namespace tl::host
