#include "systick_clock.h"

#include "mps2.h"

namespace tl::fw::mps2port {

using namespace ::mps2;

namespace {
constexpr uint32_t kTicksPerMs = kCpuHz / 1000;
constexpr uint32_t kNsPerTick = 1000000000u / kCpuHz;
}  // namespace

void SysTickClock::begin() {
  reg(kSysTickLoad) = kTicksPerMs - 1;
  reg(kSysTickVal) = 0;
  reg(kSysTickCtrl) = 0x7;  // enable, interrupt, processor clock
}

uint64_t SysTickClock::now_ns() {
  uint64_t ms;
  uint32_t value;
  // The millisecond count and the counter, read as one: again if a tick came in between.
  do {
    ms = ms_;
    value = reg(kSysTickVal);
  } while (ms != ms_);
  const uint64_t ns = ms * 1000000u + uint64_t(kTicksPerMs - 1 - value) * kNsPerTick;
  // A wrap whose interrupt is still pending reads as a step back: never report one.
  if (ns > last_ns_) last_ns_ = ns;
  return last_ns_;
}

}  // namespace tl::fw::mps2port
