// The hardware a port gives the core: four small interfaces (docs/firmware.md, "Interfaces").
// A port implements them over its board (UART, SysTick, accelerometer, flash) or over Linux (a
// pseudo-terminal, the monotonic clock, the simulated machine, files). Virtual calls only: no
// RTTI, no exceptions, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tl::fw {

class Clock {
 public:
  // Microseconds since the device started; never goes back.
  virtual uint64_t now_us() = 0;
  // Instructions executed since start-up, where the device can count them (QEMU -icount, a
  // cycle counter); 0 when it cannot.
  virtual uint64_t instructions() { return 0; }

 protected:
  ~Clock() = default;
};

class Serial {
 public:
  // Up to `capacity` bytes that have arrived, without waiting; 0 when none.
  virtual size_t read(uint8_t* buffer, size_t capacity) = 0;
  // Sends all `n` bytes, waiting as the link needs (a port may pace them to its baud rate).
  virtual void write(const uint8_t* data, size_t n) = 0;

 protected:
  ~Serial() = default;
};

class Sensor {
 public:
  virtual uint8_t channel_count() const = 0;
  virtual const char* channel_name(uint8_t channel) const = 0;
  // The rates set_rate accepts, in Hz.
  virtual size_t rate_count() const = 0;
  virtual uint32_t rate(size_t index) const = 0;
  virtual uint32_t rate_hz() const = 0;
  // One of the rates above; false (and nothing changes) for any other.
  virtual bool set_rate(uint32_t hz) = 0;
  // Begins sampling at `now_us`: the first sample's time.
  virtual void start(uint64_t now_us) = 0;
  virtual void stop() = 0;
  // Up to `max_samples` samples taken since the last read (each channel_count() values,
  // interleaved) into `values`; `*first_time_us` is the first one's time, the others follow at
  // the rate. Returns the number of samples.
  virtual size_t read(uint64_t now_us, float* values, size_t max_samples,
                      uint64_t* first_time_us) = 0;

 protected:
  ~Sensor() = default;
};

// Three regions of non-volatile memory: two model slots and the boot record.
enum class Region : uint8_t { SlotA = 0, SlotB = 1, BootRecord = 2 };

class Storage {
 public:
  virtual size_t capacity(Region region) const = 0;
  // The region's bytes in place (memory-mapped flash, or a RAM image of a file): the engine
  // runs the model from here. Valid for the life of the program; changes with write and erase.
  virtual const uint8_t* map(Region region) = 0;
  virtual bool read(Region region, size_t offset, uint8_t* out, size_t n) = 0;
  // Writes bytes erased before (as flash needs).
  virtual bool write(Region region, size_t offset, const uint8_t* data, size_t n) = 0;
  // Sets `n` bytes from `offset` to the erased value.
  virtual bool erase(Region region, size_t offset, size_t n) = 0;
  // Makes every write before it durable (a file's fsync; nothing on memory-mapped flash).
  virtual bool sync(Region region) = 0;

 protected:
  ~Storage() = default;
};

}  // namespace tl::fw
