// tinyloop-fw-host: the firmware core on Linux, speaking the device protocol on a
// pseudo-terminal with the demo machine as its sensor (docs/firmware.md, "The host port").
//
//   tinyloop-fw-host --state DIR [--link PATH] [--seed N] [--drift none|wear|mount] [--baud N]
//
// Prints the pty's path as its first line of stdout, then serves until SIGTERM or SIGINT.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "device.h"
#include "host_hal.h"
#include "tflite/tl_interpreter.h"

namespace {

volatile sig_atomic_t g_stop = 0;

void on_signal(int) { g_stop = 1; }

constexpr size_t kArenaBytes = 256 * 1024;
alignas(16) uint8_t g_arena[kArenaBytes];

// Static, as on a board: nothing of the device lives on the heap.
tl::host::MonotonicClock g_clock;
tl::host::FileStorage g_storage;

int usage(const char* message) {
  std::fprintf(stderr,
               "%s\nusage: tinyloop-fw-host --state DIR [--link PATH] [--seed N] [--drift MODE] "
               "[--baud N]\n"
               "  --state DIR   the folder of model slots A and B and the boot record (created)\n"
               "  --link PATH   also make PATH a symbolic link to the pseudo-terminal\n"
               "  --seed N      the demo machine's seed (default 1)\n"
               "  --drift MODE  how the demo machine drifts: none (default), wear (a bearing\n"
               "                wearing over 5 minutes) or mount (the sensor turned 30 degrees)\n"
               "  --baud N      the line rate both ways, in bits per second (default 921600)\n",
               message);
  return 2;
}

bool parse_u32(const char* text, uint32_t* out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long v = std::strtoul(text, &end, 10);
  if (errno || !end || *end || v > 0xFFFFFFFFul) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

// FNV-1a of the state folder: the same folder is the same device across restarts.
void device_id_of(const std::string& dir, uint8_t id[8]) {
  char resolved[4096];
  const char* name = realpath(dir.c_str(), resolved) ? resolved : dir.c_str();
  uint64_t h = 0xcbf29ce484222325ull;
  for (const char* p = name; *p; p++) h = (h ^ static_cast<uint8_t>(*p)) * 0x100000001b3ull;
  for (int i = 0; i < 8; i++) id[i] = static_cast<uint8_t>(h >> (8 * (7 - i)));
}

}  // namespace

int main(int argc, char** argv) {
  std::string state;
  std::string link;
  uint32_t seed = 1;
  tl::host::Drift drift = tl::host::Drift::kNone;
  uint32_t baud = 921600;
  for (int i = 1; i < argc; i++) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg == "--help" || arg == "-h") return usage("tinyloop-fw-host: the TinyLoop firmware on a pseudo-terminal");
    if (!value) return usage(("missing value for " + arg).c_str());
    if (arg == "--state") {
      state = value;
    } else if (arg == "--link") {
      link = value;
    } else if (arg == "--seed") {
      if (!parse_u32(value, &seed)) return usage("--seed takes a whole number");
    } else if (arg == "--drift") {
      if (!tl::host::parse_drift(value, &drift)) {
        return usage(("--drift takes none, wear or mount, not " + std::string(value)).c_str());
      }
    } else if (arg == "--baud") {
      if (!parse_u32(value, &baud) || baud < 1200) return usage("--baud takes a rate of at least 1200");
    } else {
      return usage(("unknown option " + arg).c_str());
    }
    i++;
  }
  if (state.empty()) return usage("--state DIR is required");

  std::string error;
  if (!g_storage.open(state, &error)) {
    std::fprintf(stderr, "tinyloop-fw-host: %s\n", error.c_str());
    return 1;
  }
  static tl::host::PtySerial serial(g_clock, baud);
  if (!serial.open(&error)) {
    std::fprintf(stderr, "tinyloop-fw-host: %s\n", error.c_str());
    return 1;
  }
  if (!link.empty()) {
    unlink(link.c_str());
    if (symlink(serial.slave_path().c_str(), link.c_str()) != 0) {
      std::fprintf(stderr, "tinyloop-fw-host: cannot link %s: %s\n", link.c_str(), std::strerror(errno));
      return 1;
    }
  }

  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  static tl::host::SimulatedSensor sensor(seed, drift);
  static tl::Interpreter interpreter(g_arena, kArenaBytes);
  tl::fw::DeviceInfo info;
  info.board = "host";
  device_id_of(state, info.device_id);
  info.arena_capacity = kArenaBytes;
  static tl::fw::Device device(g_clock, serial, sensor, g_storage, interpreter, info);
  device.boot();

  std::printf("%s\n", serial.slave_path().c_str());
  std::fflush(stdout);

  while (!g_stop) {
    const uint64_t before = serial.bytes_in();
    device.poll();
    // Idle: wait for bytes, or for the next sample (1 ms at most).
    if (serial.bytes_in() == before) serial.wait(device.streaming() ? 500 : 2000);
  }
  if (!link.empty()) unlink(link.c_str());
  return 0;
}
