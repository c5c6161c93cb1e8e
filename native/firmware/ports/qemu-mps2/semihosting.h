// ARM semihosting (`bkpt 0xAB`): the firmware asks QEMU, its host, for its command line and to
// read and write files. Only with `-semihosting-config enable=on,target=native`: without it the
// breakpoint faults, so the port calls these only when QEMU was started so (scripts do).
#pragma once

#include <cstddef>
#include <cstdint>

namespace tl::fw::semihosting {

// The command line (`-append`), NUL-terminated; false if the host gives none.
bool command_line(char* out, size_t capacity);
// A file handle, or -1. Modes as fopen's: "rb", "r+b", "w+b".
int open(const char* path, const char* mode);
bool close(int handle);
bool seek(int handle, size_t position);
long length(int handle);
bool read(int handle, void* out, size_t n);
bool write(int handle, const void* data, size_t n);
// A NUL-terminated message on the host's console (QEMU's stderr).
void write0(const char* text);
// Ends the emulation as a failure (QEMU exits with status 1).
[[noreturn]] void exit_failure();

}  // namespace tl::fw::semihosting
