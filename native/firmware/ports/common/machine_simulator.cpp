#include "machine_simulator.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tl::host {

namespace {
constexpr double kPi = 3.141592653589793;  // Math.PI
}

bool parse_drift(const char* text, Drift* out) {
  if (std::strcmp(text, "none") == 0) {
    *out = Drift::kNone;
  } else if (std::strcmp(text, "wear") == 0) {
    *out = Drift::kWear;
  } else if (std::strcmp(text, "mount") == 0) {
    *out = Drift::kMount;
  } else {
    return false;
  }
  return true;
}

double SeededRandom::next() {
  state_ += 0x6d2b79f5u;
  uint32_t t = state_;
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return static_cast<double>(t ^ (t >> 14)) / 4294967296.0;
}

MachineSimulator::MachineSimulator(double rate_hz, uint32_t seed, Drift drift)
    : rate_hz_(rate_hz), drift_(drift), random_(seed), schedule_random_(seed ^ 0x9e3779b9u) {}

size_t MachineSimulator::anomalies(double seconds, const Anomaly** out) {
  extend_schedule(seconds);
  size_t n = 0;
  while (n < anomaly_count_ && schedule_[n].start_s < seconds) n++;
  *out = schedule_;
  return n;
}

void MachineSimulator::next(size_t n, float* out) {
  const double dt = 1 / rate_hz_;
  extend_schedule(static_cast<double>(index_ + n) * dt + 60);
  const double resonance_hz = std::min(1800.0, 0.3 * rate_hz_);
  const double decay = std::exp(-dt / 0.008);
  const double angle = (kMountAngleDeg * kPi) / 180;
  const double cos_a = std::cos(angle);
  const double sin_a = std::sin(angle);
  for (size_t i = 0; i < n; i++) {
    const double t = static_cast<double>(index_) * dt;
    speed_walk_ += (random_.next() - 0.5) * 0.0004;
    speed_walk_ *= 0.9995;
    const double shaft_hz = 24.5 * (1 + 0.03 * std::sin((2 * kPi * t) / 90) + speed_walk_);
    phase_ += 2 * kPi * shaft_hz * dt;
    const double imbalance = intensity(false, t);
    const double wear = drift_ == Drift::kWear ? kWearLevel * std::min(1.0, t / kWearRampS) : 0;
    const double bearing = std::max(intensity(true, t), wear);
    const double noise = 0.01 * (1 + 2 * wear);
    const double one_x = 0.12 * (1 + 2 * imbalance);
    const double before = bearing_phase_;
    bearing_phase_ += 3.57 * shaft_hz * dt;
    if (bearing > 0 && std::floor(bearing_phase_) > std::floor(before)) ring_ += 0.6 * bearing;
    ring_ *= decay;
    const double ring = ring_ * std::sin(2 * kPi * resonance_hz * t);
    const double p = phase_;
    // The same order of additions as the TypeScript, left to right, and of the three draws.
    out[i * 3] = static_cast<float>(one_x * std::sin(p) + 0.04 * std::sin(2 * p + 0.3) +
                                    0.02 * std::sin(3 * p) + ring + noise * gaussian());
    const double y =
        one_x * std::cos(p) + 0.03 * std::sin(2 * p + 1.1) + 0.5 * ring + noise * gaussian();
    const double z = 1 + 0.03 * std::sin(2 * p) + 0.3 * ring + noise * gaussian();
    if (drift_ == Drift::kMount) {
      out[i * 3 + 1] = static_cast<float>(y * cos_a - z * sin_a);
      out[i * 3 + 2] = static_cast<float>(y * sin_a + z * cos_a);
    } else {
      out[i * 3 + 1] = static_cast<float>(y);
      out[i * 3 + 2] = static_cast<float>(z);
    }
    index_++;
  }
}

double MachineSimulator::intensity(bool bearing, double t) const {
  for (size_t k = 0; k < anomaly_count_; k++) {
    const Anomaly& a = schedule_[k];
    if (a.start_s > t) break;
    if (a.bearing == bearing && t < a.end_s)
      return std::min({1.0, (t - a.start_s) / 0.5, (a.end_s - t) / 0.5});
  }
  return 0;
}

void MachineSimulator::extend_schedule(double until_s) {
  while (scheduled_until_s_ < until_s) {
    const double start_s = scheduled_until_s_ + 20 + schedule_random_.next() * 40;
    const double end_s = start_s + 4 + schedule_random_.next() * 11;
    const bool bearing = !(schedule_random_.next() < 0.5);
    // A fixed table: after kMaxAnomalies episodes the oldest are dropped.
    if (anomaly_count_ == kMaxAnomalies) {
      for (size_t k = 1; k < kMaxAnomalies; k++) schedule_[k - 1] = schedule_[k];
      anomaly_count_--;
    }
    schedule_[anomaly_count_++] = {bearing, start_s, end_s};
    scheduled_until_s_ = end_s;
  }
}

double MachineSimulator::gaussian() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  const double u = std::max(random_.next(), 1e-12);
  const double v = random_.next();
  const double radius = std::sqrt(-2 * std::log(u));
  spare_ = radius * std::sin(2 * kPi * v);
  has_spare_ = true;
  return radius * std::cos(2 * kPi * v);
}

}  // namespace tl::host
