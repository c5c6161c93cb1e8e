#include "host_hal.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

namespace tl::host {

namespace {

uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

void sleep_us(uint64_t us) {
  timespec ts{static_cast<time_t>(us / 1000000), static_cast<long>((us % 1000000) * 1000)};
  nanosleep(&ts, nullptr);
}

constexpr uint8_t kErased = 0xFF;

}  // namespace

// ---- clock ------------------------------------------------------------------------------

MonotonicClock::MonotonicClock() : start_ns_(monotonic_ns()) {}

uint64_t MonotonicClock::now_us() { return (monotonic_ns() - start_ns_) / 1000; }

// ---- serial -----------------------------------------------------------------------------

PtySerial::PtySerial(fw::Clock& clock, uint32_t baud)
    : clock_(clock), bytes_per_us_(static_cast<double>(baud) / 10 / 1e6) {}

PtySerial::~PtySerial() {
  if (master_ >= 0) close(master_);
}

bool PtySerial::open(std::string* error) {
  master_ = posix_openpt(O_RDWR | O_NOCTTY);
  if (master_ < 0 || grantpt(master_) != 0 || unlockpt(master_) != 0) {
    *error = std::string("cannot open a pseudo-terminal: ") + std::strerror(errno);
    return false;
  }
  const char* name = ptsname(master_);
  if (!name) {
    *error = "cannot name the pseudo-terminal";
    return false;
  }
  slave_path_ = name;
  // Raw bytes both ways: no echo, no line editing, no CR/LF translation, for whoever opens it.
  termios tio;
  if (tcgetattr(master_, &tio) == 0) {
    cfmakeraw(&tio);
    tcsetattr(master_, TCSANOW, &tio);
  }
  fcntl(master_, F_SETFL, fcntl(master_, F_GETFL) | O_NONBLOCK);
  in_refilled_us_ = clock_.now_us();
  return true;
}

bool PtySerial::connected() {
  pollfd p{master_, 0, 0};
  if (::poll(&p, 1, 0) < 0) return false;
  return (p.revents & POLLHUP) == 0;
}

size_t PtySerial::read(uint8_t* buffer, size_t capacity) {
  const uint64_t now = clock_.now_us();
  // A token bucket: bytes come in no faster than the line rate, in bursts of at most 1 ms.
  const double burst = std::max(64.0, bytes_per_us_ * 1000);
  in_tokens_ = std::min(burst, in_tokens_ + static_cast<double>(now - in_refilled_us_) * bytes_per_us_);
  in_refilled_us_ = now;
  size_t allowed = static_cast<size_t>(in_tokens_);
  if (allowed > capacity) allowed = capacity;
  if (allowed == 0) return 0;
  const ssize_t n = ::read(master_, buffer, allowed);
  if (n <= 0) return 0;  // EAGAIN, or EIO with no program on the other side
  in_tokens_ -= static_cast<double>(n);
  bytes_in_ += static_cast<uint64_t>(n);
  return static_cast<size_t>(n);
}

void PtySerial::write(const uint8_t* data, size_t n) {
  if (!connected()) return;
  while (n) {
    // Each piece leaves at the line rate: wait until the line has sent the previous ones.
    const uint64_t now = clock_.now_us();
    if (out_free_us_ < now) out_free_us_ = now;
    if (out_free_us_ > now + 1000) sleep_us(out_free_us_ - now - 1000);
    const size_t piece = n < 128 ? n : 128;
    const ssize_t written = ::write(master_, data, piece);
    if (written < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        // The other side is not reading: wait a little, and drop the frame if it stays so.
        pollfd p{master_, POLLOUT, 0};
        if (::poll(&p, 1, 200) <= 0 || (p.revents & POLLHUP)) return;
        continue;
      }
      return;
    }
    const size_t w = static_cast<size_t>(written);
    out_free_us_ += static_cast<uint64_t>(std::llround(static_cast<double>(w) / bytes_per_us_));
    bytes_out_ += w;
    data += w;
    n -= w;
  }
}

void PtySerial::wait(uint64_t timeout_us) {
  if (in_tokens_ < 1) {
    // Out of line rate: the next byte is due in 1 / rate.
    sleep_us(static_cast<uint64_t>(1 / bytes_per_us_) + 1);
    return;
  }
  pollfd p{master_, POLLIN, 0};
  const int ms = static_cast<int>((timeout_us + 999) / 1000);
  if (::poll(&p, 1, ms) > 0 && (p.revents & POLLHUP)) sleep_us(timeout_us);
}

// ---- storage ----------------------------------------------------------------------------

bool FileStorage::open(const std::string& dir, std::string* error) {
  dir_ = dir;
  mkdir(dir.c_str(), 0755);
  const char* names[2] = {"slot-a.bin", "slot-b.bin"};
  for (int i = 0; i < 2; i++) {
    const std::string path = dir + "/" + names[i];
    slot_fd_[i] = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);
    if (slot_fd_[i] < 0) {
      *error = "cannot open " + path + ": " + std::strerror(errno);
      return false;
    }
    std::memset(slots_[i], kErased, kSlotBytes);
    const ssize_t n = pread(slot_fd_[i], slots_[i], kSlotBytes, 0);
    if (n < static_cast<ssize_t>(kSlotBytes)) {
      // A new (or short) slot file: erased flash.
      const size_t have = n > 0 ? static_cast<size_t>(n) : 0;
      std::memset(slots_[i] + have, kErased, kSlotBytes - have);
      if (pwrite(slot_fd_[i], slots_[i], kSlotBytes, 0) != static_cast<ssize_t>(kSlotBytes)) {
        *error = "cannot write " + path + ": " + std::strerror(errno);
        return false;
      }
      fsync(slot_fd_[i]);
    }
  }
  std::memset(boot_, kErased, kBootBytes);
  const std::string boot = dir + "/boot.bin";
  const int fd = ::open(boot.c_str(), O_RDONLY);
  if (fd >= 0) {
    const ssize_t n = pread(fd, boot_, kBootBytes, 0);
    (void)n;  // a short file leaves erased bytes: its copies fail their CRC
    close(fd);
  }
  return true;
}

size_t FileStorage::capacity(fw::Region region) const {
  return region == fw::Region::BootRecord ? kBootBytes : kSlotBytes;
}

uint8_t* FileStorage::bytes(fw::Region region) {
  switch (region) {
    case fw::Region::SlotA:
      return slots_[0];
    case fw::Region::SlotB:
      return slots_[1];
    case fw::Region::BootRecord:
      return boot_;
  }
  return boot_;
}

const uint8_t* FileStorage::map(fw::Region region) { return bytes(region); }

bool FileStorage::read(fw::Region region, size_t offset, uint8_t* out, size_t n) {
  if (offset > capacity(region) || n > capacity(region) - offset) return false;
  std::memcpy(out, bytes(region) + offset, n);
  return true;
}

bool FileStorage::write(fw::Region region, size_t offset, const uint8_t* data, size_t n) {
  if (offset > capacity(region) || n > capacity(region) - offset) return false;
  std::memcpy(bytes(region) + offset, data, n);
  return store(region, offset, n);
}

bool FileStorage::erase(fw::Region region, size_t offset, size_t n) {
  if (offset > capacity(region) || n > capacity(region) - offset) return false;
  std::memset(bytes(region) + offset, kErased, n);
  return store(region, offset, n);
}

bool FileStorage::store(fw::Region region, size_t offset, size_t n) {
  if (region == fw::Region::BootRecord) return replace_boot_record();
  const int fd = slot_fd_[static_cast<int>(region)];
  return pwrite(fd, bytes(region) + offset, n, static_cast<off_t>(offset)) == static_cast<ssize_t>(n);
}

bool FileStorage::sync(fw::Region region) {
  if (region == fw::Region::BootRecord) return true;  // replaced durably by every write
  return fsync(slot_fd_[static_cast<int>(region)]) == 0;
}

bool FileStorage::replace_boot_record() {
  const std::string path = dir_ + "/boot.bin";
  const std::string temp = dir_ + "/boot.bin.tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return false;
  const bool written = ::write(fd, boot_, kBootBytes) == static_cast<ssize_t>(kBootBytes) && fsync(fd) == 0;
  close(fd);
  if (!written || rename(temp.c_str(), path.c_str()) != 0) return false;
  const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return true;
}

}  // namespace tl::host
