// The demo machine of src-main/capture/demo/machine-simulator.ts, ported line for line: a
// rotating machine seen by a 3-axis accelerometer (g) with shaft rotation near 24.5 Hz, its
// harmonics, gravity on z, sensor noise, and imbalance and bearing-fault episodes on a seeded
// schedule, and its drift modes (a wearing bearing, a sensor mounted at another angle). Same seed,
// same rate, same drift: the same signal as the app's demo device (to the last bits of libm's
// sin, cos, exp and log, which glibc and V8 may round differently).
#pragma once

#include <cstddef>
#include <cstdint>

#ifndef TL_SIM_MAX_ANOMALIES
#define TL_SIM_MAX_ANOMALIES 4096
#endif

namespace tl::host {

// mulberry32, as src-main/seeded-random.ts.
class SeededRandom {
 public:
  explicit SeededRandom(uint32_t seed) : state_(seed) {}
  double next();

 private:
  uint32_t state_;
};

// How the machine drifts from the data a model trained on, as the TypeScript's DriftMode:
// kNone, as the demo project's recordings; kWear, a bearing that wears from the first sample on
// (outer-race impulses and a noise floor that grow over kWearRampS to kWearLevel, on top of the
// usual episodes); kMount, the sensor turned by kMountAngleDeg about its x axis.
enum class Drift : uint8_t { kNone, kWear, kMount };

// "none", "wear" or "mount" as a Drift; false for anything else.
bool parse_drift(const char* text, Drift* out);

class MachineSimulator {
 public:
  static constexpr double kWearRampS = 300;     // WEAR_RAMP_S
  static constexpr double kWearLevel = 0.6;     // WEAR_LEVEL
  static constexpr double kMountAngleDeg = 30;  // MOUNT_ANGLE_DEG

  MachineSimulator(double rate_hz, uint32_t seed, Drift drift = Drift::kNone);

  // The next `n` samples, interleaved ax, ay, az.
  void next(size_t n, float* out);

  double rate_hz() const { return rate_hz_; }
  Drift drift() const { return drift_; }
  uint64_t index() const { return index_; }

  struct Anomaly {
    bool bearing;  // else imbalance
    double start_s;
    double end_s;
  };
  // The schedule so far: episodes that start within the first `seconds` (extended as needed).
  size_t anomalies(double seconds, const Anomaly** out);

 private:
  double intensity(bool bearing, double t) const;
  void extend_schedule(double until_s);
  double gaussian();

  // Episodes kept (the oldest are dropped): 4,096 by default, about 30 hours; a port short of
  // RAM sets TL_SIM_MAX_ANOMALIES (the Cortex-M4 port keeps 64, about half an hour).
  static constexpr size_t kMaxAnomalies = TL_SIM_MAX_ANOMALIES;

  double rate_hz_;
  Drift drift_;
  SeededRandom random_;
  SeededRandom schedule_random_;
  Anomaly schedule_[kMaxAnomalies];
  size_t anomaly_count_ = 0;
  double scheduled_until_s_ = 0;
  uint64_t index_ = 0;
  double phase_ = 0;
  double bearing_phase_ = 0;
  double ring_ = 0;
  double speed_walk_ = 0;
  bool has_spare_ = false;
  double spare_ = 0;
};

}  // namespace tl::host
