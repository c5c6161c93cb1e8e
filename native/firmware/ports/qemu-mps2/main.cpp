// The TinyLoop firmware on an emulated Cortex-M4F: QEMU's mps2-an386 with the memory limits of
// an nRF52840 (mps2-an386.ld). UART0 is the serial link (QEMU's `-serial pty`), SysTick the
// clock, the demo machine the sensor, and the slots the last 196 KB of flash, persisted to a
// host file through semihosting when QEMU is given `-append state=PATH` (docs/firmware.md,
// "The Cortex-M4 port"); `seed=N` and `drift=none|wear|mount` there set the demo machine.
// Everything else is the portable core, as on the host port.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "device.h"
#include "flash_storage.h"
#include "semihosting.h"
#include "simulated_sensor.h"
#include "systick_clock.h"
#include "tflite/tl_interpreter.h"
#include "uart_serial.h"

#ifndef TL_FW_ARENA_BYTES
#define TL_FW_ARENA_BYTES (64 * 1024)
#endif

namespace {

using namespace tl::fw;

mps2port::SysTickClock clock_;
mps2port::UartSerial serial_;
mps2port::FlashStorage storage_;
alignas(16) uint8_t arena_[TL_FW_ARENA_BYTES];
char command_line_[256];

// Where the value of `key=` in the command line ("fw.elf state=/tmp/s seed=3 drift=wear")
// starts, and its length in `n`; null if the key is absent.
const char* find_argument(const char* key, size_t* n) {
  const size_t length = std::strlen(key);
  for (const char* p = command_line_; *p;) {
    while (*p == ' ') ++p;
    const char* word = p;
    while (*p && *p != ' ') ++p;
    if (static_cast<size_t>(p - word) > length && std::strncmp(word, key, length) == 0 &&
        word[length] == '=') {
      *n = static_cast<size_t>(p - word) - length - 1;
      return word + length + 1;
    }
  }
  return nullptr;
}

// The value of `key=`, copied into `out`; false if the key is absent or its value longer than
// `capacity` - 1.
bool argument(const char* key, char* out, size_t capacity) {
  size_t n = 0;
  const char* value = find_argument(key, &n);
  if (!value || n + 1 > capacity) return false;
  std::memcpy(out, value, n);
  out[n] = '\0';
  return true;
}

}  // namespace

extern "C" void systick_handler() { clock_.on_tick(); }
extern "C" void uart0_rx_handler() { serial_.on_receive(); }

int main() {
  clock_.begin();
  serial_.begin();

  // The command line comes only from semihosting; the scripts that start QEMU enable it.
  static char state[200];
  char seed_text[12];
  char drift_text[8];
  uint32_t seed = 1;
  tl::host::Drift drift = tl::host::Drift::kNone;
  if (tl::fw::semihosting::command_line(command_line_, sizeof command_line_)) {
    if (argument("seed", seed_text, sizeof seed_text)) {
      seed = static_cast<uint32_t>(std::strtoul(seed_text, nullptr, 10));
    }
    size_t n = 0;
    if (find_argument("drift", &n) && (!argument("drift", drift_text, sizeof drift_text) ||
                                       !tl::host::parse_drift(drift_text, &drift))) {
      // As the host port: an unknown drift is an error, not the undrifted machine.
      tl::fw::semihosting::write0("tinyloop-fw-m4: drift= takes none, wear or mount\n");
      tl::fw::semihosting::exit_failure();
    }
    if (!argument("state", state, sizeof state)) state[0] = '\0';
  }
  storage_.begin(state);

  static tl::host::SimulatedSensor sensor(seed, drift);
  static tl::Interpreter interpreter(arena_, sizeof arena_);
  DeviceInfo info;
  info.board = "qemu-mps2-an386";
  // A device id of this emulated board: "TL-M4" and the seed.
  const uint8_t id[8] = {'T', 'L', 'M', '4', uint8_t(seed >> 24), uint8_t(seed >> 16),
                         uint8_t(seed >> 8), uint8_t(seed)};
  std::memcpy(info.device_id, id, sizeof id);
  info.arena_capacity = sizeof arena_;
  static Device device(clock_, serial_, sensor, storage_, interpreter, info);
  device.boot();

  for (;;) {
    device.poll();
    // Sleep until the next byte or the next millisecond tick, unless bytes are waiting. With
    // interrupts masked between the check and WFI, an interrupt in between still wakes it.
    __asm volatile("cpsid i");
    if (!serial_.available()) __asm volatile("wfi");
    __asm volatile("cpsie i");
  }
}
