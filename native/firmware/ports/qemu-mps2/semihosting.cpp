#include "semihosting.h"

#include <cstring>

namespace tl::fw::semihosting {

namespace {

enum Op : uint32_t {
  kOpen = 0x01,
  kClose = 0x02,
  kWrite0 = 0x04,
  kWrite = 0x05,
  kRead = 0x06,
  kSeek = 0x0A,
  kFlen = 0x0C,
  kGetCmdline = 0x15,
  kExit = 0x18,
};

// SYS_EXIT's reasons: on AArch32 only ApplicationExit is a success.
enum Reason : uint32_t {
  kRunTimeErrorUnknown = 0x20023,
};

int32_t call(uint32_t op, const void* args) {
  register uint32_t r0 __asm("r0") = op;
  register const void* r1 __asm("r1") = args;
  __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return static_cast<int32_t>(r0);
}

// The semihosting open modes, in the order of their numbers.
constexpr const char* kModes[] = {"r", "rb", "r+", "r+b", "w", "wb", "w+", "w+b"};

}  // namespace

bool command_line(char* out, size_t capacity) {
  uint32_t args[2] = {reinterpret_cast<uint32_t>(out), static_cast<uint32_t>(capacity)};
  if (capacity == 0 || call(kGetCmdline, args) != 0) return false;
  out[capacity - 1] = '\0';
  return true;
}

int open(const char* path, const char* mode) {
  for (uint32_t m = 0; m < sizeof kModes / sizeof kModes[0]; ++m) {
    if (std::strcmp(kModes[m], mode) != 0) continue;
    uint32_t args[3] = {reinterpret_cast<uint32_t>(path), m,
                        static_cast<uint32_t>(std::strlen(path))};
    return call(kOpen, args);
  }
  return -1;
}

bool close(int handle) {
  uint32_t args[1] = {static_cast<uint32_t>(handle)};
  return call(kClose, args) == 0;
}

bool seek(int handle, size_t position) {
  uint32_t args[2] = {static_cast<uint32_t>(handle), static_cast<uint32_t>(position)};
  return call(kSeek, args) == 0;
}

long length(int handle) {
  uint32_t args[1] = {static_cast<uint32_t>(handle)};
  return call(kFlen, args);
}

bool read(int handle, void* out, size_t n) {
  uint32_t args[3] = {static_cast<uint32_t>(handle), reinterpret_cast<uint32_t>(out),
                      static_cast<uint32_t>(n)};
  return call(kRead, args) == 0;  // the count of bytes not read
}

bool write(int handle, const void* data, size_t n) {
  uint32_t args[3] = {static_cast<uint32_t>(handle), reinterpret_cast<uint32_t>(data),
                      static_cast<uint32_t>(n)};
  return call(kWrite, args) == 0;  // the count of bytes not written
}

void write0(const char* text) { call(kWrite0, text); }

void exit_failure() {
  // On AArch32 the reason is r1 itself, not a parameter block.
  call(kExit, reinterpret_cast<const void*>(static_cast<uintptr_t>(kRunTimeErrorUnknown)));
  for (;;) {
  }
}

}  // namespace tl::fw::semihosting
