#include "sample_ring.h"

#include <cstring>

namespace tl::fw {

bool SampleRing::reset(size_t channels, size_t window, size_t stride) {
  total_ = 0;
  channels_ = 0;
  window_ = 0;
  stride_ = 0;
  next_end_ = 0;
  if (channels == 0 || channels > kMaxChannels || window + 1 > kRingSamples) return false;
  if (window > 0 && stride == 0) return false;
  channels_ = channels;
  window_ = window;
  stride_ = stride;
  next_end_ = window;
  return true;
}

void SampleRing::push(const float* values, uint64_t time_us) {
  const size_t at = static_cast<size_t>(total_ % kRingSamples);
  std::memcpy(values_ + at * channels_, values, channels_ * sizeof(float));
  times_[at] = time_us;
  total_++;
  // Fallen behind by more than the ring holds: the next window is the latest whole one.
  while (window_ > 0 && total_ > next_end_ && total_ - next_end_ >= kRingSamples - window_)
    next_end_ += stride_;
}

bool SampleRing::window_due() const { return window_ > 0 && total_ >= next_end_; }

void SampleRing::take_window(float* values, double* times_us, float* previous) {
  const uint64_t start = next_end_ - window_;
  for (size_t i = 0; i < window_; i++) {
    const size_t at = static_cast<size_t>((start + i) % kRingSamples);
    std::memcpy(values + i * channels_, values_ + at * channels_, channels_ * sizeof(float));
    times_us[i] = static_cast<double>(times_[at]);
  }
  if (start > 0) {
    const size_t at = static_cast<size_t>((start - 1) % kRingSamples);
    std::memcpy(previous, values_ + at * channels_, channels_ * sizeof(float));
  } else {
    std::memcpy(previous, values, channels_ * sizeof(float));
  }
  next_end_ += stride_;
}

}  // namespace tl::fw
