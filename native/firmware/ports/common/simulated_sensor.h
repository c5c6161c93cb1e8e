// The demo machine as a sensor: MachineSimulator sampled by the device's clock at the chosen
// rate, for every port that has no accelerometer (the host port, the Cortex-M4 under QEMU).
// Portable: no operating system, no heap.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hal.h"
#include "machine_simulator.h"

namespace tl::host {

// The demo machine (with its drift, if any), sampled by the clock at the chosen rate.
class SimulatedSensor final : public fw::Sensor {
 public:
  explicit SimulatedSensor(uint32_t seed, Drift drift = Drift::kNone);

  uint8_t channel_count() const override { return 3; }
  const char* channel_name(uint8_t channel) const override;
  size_t rate_count() const override;
  uint32_t rate(size_t index) const override;
  uint32_t rate_hz() const override { return rate_hz_; }
  bool set_rate(uint32_t hz) override;
  void start(uint64_t now_us) override;
  void stop() override { running_ = false; }
  size_t read(uint64_t now_us, float* values, size_t max_samples,
              uint64_t* first_time_us) override;

 private:
  uint32_t seed_;
  Drift drift_;
  uint32_t rate_hz_ = 400;
  MachineSimulator machine_;
  bool running_ = false;
  uint64_t start_us_ = 0;
  uint64_t taken_ = 0;
};

}  // namespace tl::host
