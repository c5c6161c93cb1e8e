#include "uart_serial.h"

#include "mps2.h"

namespace tl::fw::mps2port {

using namespace ::mps2;

namespace {
// Outside the object, which has a vtable and so would be initialized data (copied from flash):
// the ring is zeroed RAM. It holds more than a transfer window of encoded chunks.
constexpr size_t kRing = 16384;
uint8_t ring_[kRing];
}  // namespace

void UartSerial::begin() {
  reg(kUartBaudDiv) = 16;  // the smallest divisor the UART takes; QEMU does not pace by it
  reg(kUartCtrl) = (1u << 0) | (1u << 1) | (1u << 3);  // TX, RX, RX interrupt
  reg(kNvicIser0) = 1u << kUart0RxIrq;
}

void UartSerial::on_receive() {
  // Clear first, then drain: a byte that lands while draining raises the interrupt again. (The
  // other order can clear a new byte's interrupt and leave it waiting in the data register,
  // which QEMU, like the UART, then never replaces: the link would stop for good.)
  reg(kUartIntStatus) = 1u << 1;
  while (reg(kUartState) & kUartRxFull) {
    const uint8_t byte = static_cast<uint8_t>(reg(kUartData));
    const size_t next = (head_ + 1) % kRing;
    if (next == tail_) {
      overruns_ = overruns_ + 1;
    } else {
      ring_[head_] = byte;
      head_ = next;
    }
  }
}

bool UartSerial::available() const {
  return head_ != tail_ || (reg(kUartState) & kUartRxFull) != 0;
}

size_t UartSerial::read(uint8_t* buffer, size_t capacity) {
  size_t n = 0;
  while (n < capacity && tail_ != head_) {
    buffer[n++] = ring_[tail_];
    tail_ = (tail_ + 1) % kRing;
  }
  return n;
}

void UartSerial::write(const uint8_t* data, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    while (reg(kUartState) & kUartTxFull) {
    }
    reg(kUartData) = data[i];
  }
}

}  // namespace tl::fw::mps2port
