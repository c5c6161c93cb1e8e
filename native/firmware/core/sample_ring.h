// The last samples of the stream, interleaved, with their device times, and the windows cut from
// them (windowSamples long, one every strideSamples). Fixed size: kRingSamples samples of up to
// kMaxChannels channels.
#pragma once

#include <cstddef>
#include <cstdint>

#include "config.h"

namespace tl::fw {

class SampleRing {
 public:
  // Forgets every sample and sets the layout; windows of `window` samples every `stride`
  // (0: no windows). False if they do not fit the ring.
  bool reset(size_t channels, size_t window, size_t stride);

  void push(const float* values, uint64_t time_us);

  // A window is due: the samples since the last one make a stride (the first: a whole window).
  bool window_due() const;
  // Copies the due window into `values` (window × channels) and `times_us`, `*previous` the
  // values of the sample before it (or its first when there is none), and moves to the next.
  void take_window(float* values, double* times_us, float* previous);

  uint64_t total() const { return total_; }
  size_t channels() const { return channels_; }

 private:
  float values_[kRingSamples * kMaxChannels];
  uint64_t times_[kRingSamples];
  size_t channels_ = 0;
  size_t window_ = 0;
  size_t stride_ = 0;
  uint64_t total_ = 0;      // samples pushed since reset
  uint64_t next_end_ = 0;   // the due window ends before this sample
};

}  // namespace tl::fw
