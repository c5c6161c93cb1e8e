// The clock on the mps2-an386: SysTick on the 25 MHz processor clock, interrupting every
// millisecond. Under QEMU's `-icount shift=0` the virtual clock advances exactly 1 ns per
// instruction executed (and with real time while the processor sleeps in WFI), so the
// nanoseconds elapsed across code that does not sleep are its instruction count: that is what
// instructions() reports, and what the INFERENCE frame carries. Without -icount they are only
// nanoseconds of QEMU's clock.
#pragma once

#include <cstdint>

#include "hal.h"

namespace tl::fw::mps2port {

class SysTickClock final : public Clock {
 public:
  void begin();
  uint64_t now_us() override { return now_ns() / 1000; }
  uint64_t instructions() override { return now_ns(); }
  uint64_t now_ns();
  // Called by the SysTick interrupt.
  void on_tick() { ms_ = ms_ + 1; }

 private:
  volatile uint64_t ms_ = 0;
  uint64_t last_ns_ = 0;
};

}  // namespace tl::fw::mps2port
