// The registers of QEMU's mps2-an386 that the port uses (ARM AN386, the CMSDK peripherals, and
// the Cortex-M4's System Control Space).
#pragma once

#include <cstdint>

namespace mps2 {

template <typename T = uint32_t>
inline volatile T& reg(uintptr_t address) {
  return *reinterpret_cast<volatile T*>(address);
}

// CMSDK APB UART0: the link to the host (QEMU's -serial).
constexpr uintptr_t kUart0 = 0x40004000;
constexpr uintptr_t kUartData = kUart0 + 0x00;
constexpr uintptr_t kUartState = kUart0 + 0x04;  // bit 0 TX full, bit 1 RX full
constexpr uintptr_t kUartCtrl = kUart0 + 0x08;   // bit 0 TX enable, 1 RX enable, 3 RX interrupt
constexpr uintptr_t kUartIntStatus = kUart0 + 0x0C;  // write 1s to clear; bit 1 RX
constexpr uintptr_t kUartBaudDiv = kUart0 + 0x10;
constexpr uint32_t kUartTxFull = 1u << 0;
constexpr uint32_t kUartRxFull = 1u << 1;
// UART0's receive interrupt on the AN386's NVIC.
constexpr uint32_t kUart0RxIrq = 0;

// SysTick, on the processor clock.
constexpr uintptr_t kSysTickCtrl = 0xE000E010;
constexpr uintptr_t kSysTickLoad = 0xE000E014;
constexpr uintptr_t kSysTickVal = 0xE000E018;
constexpr uint32_t kCpuHz = 25000000;

constexpr uintptr_t kNvicIser0 = 0xE000E100;
constexpr uintptr_t kCpacr = 0xE000ED88;

}  // namespace mps2
