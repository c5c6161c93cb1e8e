// Start-up of the firmware on the mps2-an386 (Cortex-M4F): the vector table, the reset handler
// (copy .data, zero .bss, turn the FPU on, run the static constructors, then main), and the
// interrupts the port uses. No C library start-up code (-nostartfiles): this is all of it.
#include <cstdint>

#include "mps2.h"

extern "C" {
extern uint32_t data_load[], data_start[], data_end[], bss_start[], bss_end[];
extern uint32_t stack_top[];
using Constructor = void (*)();
extern Constructor init_array_start[], init_array_end[];

int main();
void reset_handler();
void systick_handler();
void uart0_rx_handler();

[[noreturn]] void fault_handler() {
  // A fault stops the device where a debugger would find it; the host sees it stop answering.
  for (;;) __asm volatile("bkpt 0");
}

void default_handler() {}
}

namespace {
using Handler = void (*)();
constexpr int kSystemVectors = 16;
constexpr int kIrqVectors = 32;
}  // namespace

// The table the processor reads at reset: the stack's top, then the handlers.
__attribute__((section(".vectors"), used)) const Handler vector_table[kSystemVectors + kIrqVectors] = {
    reinterpret_cast<Handler>(stack_top),
    reset_handler,
    fault_handler,  // NMI
    fault_handler,  // HardFault
    fault_handler,  // MemManage
    fault_handler,  // BusFault
    fault_handler,  // UsageFault
    nullptr, nullptr, nullptr, nullptr,
    default_handler,  // SVCall
    default_handler,  // DebugMon
    nullptr,
    default_handler,  // PendSV
    systick_handler,
    // IRQ 0: UART0 receive; the rest are not used.
    uart0_rx_handler,
};

extern "C" void reset_handler() {
  for (uint32_t *from = data_load, *to = data_start; to < data_end;) *to++ = *from++;
  for (uint32_t* to = bss_start; to < bss_end;) *to++ = 0;
  // CP10 and CP11 (the FPU) in full access, before any floating-point instruction.
  mps2::reg(mps2::kCpacr) |= 0xFu << 20;
  __asm volatile("dsb\n isb");
  for (Constructor* c = init_array_start; c < init_array_end; ++c) (*c)();
  main();
  for (;;) __asm volatile("wfi");
}

// newlib-nano's pieces that a firmware without an operating system must provide. The firmware
// takes no heap: sbrk fails, so a call to malloc returns null instead of growing into the stack.
extern "C" {
void* _sbrk(int) { return reinterpret_cast<void*>(-1); }
void _exit(int) { for (;;) __asm volatile("bkpt 0"); }
int _kill(int, int) { return -1; }
int _getpid() { return 1; }
int _write(int, const char*, int n) { return n; }
int _read(int, char*, int) { return 0; }
int _close(int) { return -1; }
int _lseek(int, int, int) { return 0; }
int _fstat(int, void*) { return -1; }
int _isatty(int) { return 1; }
}
