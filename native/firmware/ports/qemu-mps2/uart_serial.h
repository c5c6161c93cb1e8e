// The serial link on the mps2-an386: UART0 (CMSDK APB UART), which QEMU connects to its
// -serial (a pseudo-terminal). Received bytes are taken from the data register by the receive
// interrupt into a ring, so none is lost while the core is busy; QEMU holds the host's bytes
// until the register is free, so the link itself never drops one.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hal.h"

namespace tl::fw::mps2port {

class UartSerial final : public Serial {
 public:
  void begin();
  size_t read(uint8_t* buffer, size_t capacity) override;
  void write(const uint8_t* data, size_t n) override;
  // Bytes received and not yet read.
  bool available() const;
  // Called by the receive interrupt.
  void on_receive();
  // Bytes lost because the ring was full (never expected: it holds a transfer window).
  uint32_t overruns() const { return overruns_; }

 private:
  volatile size_t head_ = 0;  // written by the interrupt
  volatile size_t tail_ = 0;  // written by read()
  volatile uint32_t overruns_ = 0;
};

}  // namespace tl::fw::mps2port
