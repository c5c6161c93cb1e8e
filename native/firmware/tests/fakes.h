// Test doubles of the hardware interfaces (hal.h) for the core's host tests: a clock the test
// moves, a serial link the test writes to and reads decoded frames from, a sensor of a ramp
// signal, and storage in memory that can be cut off part-way through a write (a power cut).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "hal.h"
#include "protocol/frames.h"
#include "protocol/stream_decoder.h"

namespace tl::test {

using Bytes = std::vector<uint8_t>;

class FakeClock final : public fw::Clock {
 public:
  uint64_t now = 1000;
  uint64_t now_us() override { return now; }
};

// A frame the device sent, with its body copied.
struct Sent {
  uint8_t type;
  uint16_t seq;
  Bytes body;
};

class FakeSerial final : public fw::Serial {
 public:
  Bytes input;  // what the device will read
  Bytes output;  // what it wrote
  size_t read_limit = 256;

  size_t read(uint8_t* buffer, size_t capacity) override {
    size_t n = std::min({capacity, input.size(), read_limit});
    if (n == 0) return 0;
    std::memcpy(buffer, input.data(), n);
    input.erase(input.begin(), input.begin() + static_cast<long>(n));
    return n;
  }
  void write(const uint8_t* data, size_t n) override { output.insert(output.end(), data, data + n); }

  // The frames written since the last call.
  std::vector<Sent> frames() {
    std::vector<Sent> out;
    size_t at = 0;
    while (at < output.size()) {
      proto::Frame f;
      bool got = false;
      at += decoder_.feed(output.data() + at, output.size() - at, &f, &got);
      if (got) out.push_back({f.type, f.seq, Bytes(f.body, f.body + f.body_length)});
    }
    output.clear();
    return out;
  }
  const proto::DropCounters& drops() const { return decoder_.drops(); }

 private:
  proto::StreamDecoder decoder_;
};

// A ramp: sample k of channel c is (k % 97) * 0.01 + c, taken at the rate by the clock.
class FakeSensor final : public fw::Sensor {
 public:
  std::vector<std::string> names = {"x"};
  std::vector<uint32_t> rates = {100, 400};
  uint32_t current = 400;
  bool running = false;
  uint64_t start_us = 0;
  uint64_t taken = 0;
  uint64_t total = 0;  // samples since construction: the ramp goes on across restarts

  uint8_t channel_count() const override { return static_cast<uint8_t>(names.size()); }
  const char* channel_name(uint8_t c) const override { return names[c].c_str(); }
  size_t rate_count() const override { return rates.size(); }
  uint32_t rate(size_t i) const override { return rates[i]; }
  uint32_t rate_hz() const override { return current; }
  bool set_rate(uint32_t hz) override {
    for (uint32_t r : rates)
      if (r == hz) {
        current = hz;
        return true;
      }
    return false;
  }
  void start(uint64_t now) override {
    running = true;
    start_us = now;
    taken = 0;
  }
  void stop() override { running = false; }
  size_t read(uint64_t now, float* values, size_t max, uint64_t* first) override {
    if (!running) return 0;
    const uint64_t due = (now - start_us) * current / 1000000 + 1;
    if (due <= taken) return 0;
    size_t n = std::min<size_t>(max, due - taken);
    *first = start_us + taken * 1000000 / current;
    for (size_t i = 0; i < n; i++, total++)
      for (size_t c = 0; c < names.size(); c++)
        values[i * names.size() + c] = static_cast<float>((total % 97) * 0.01 + static_cast<double>(c));
    taken += n;
    return n;
  }
};

class RamStorage final : public fw::Storage {
 public:
  explicit RamStorage(size_t slot_bytes = 8192) {
    regions[0].assign(slot_bytes, 0xFF);
    regions[1].assign(slot_bytes, 0xFF);
    regions[2].assign(128, 0xFF);
  }
  std::vector<uint8_t> regions[3];
  // Bytes that may still be written (erases count one per byte) before the power goes: -1 never.
  long budget = -1;
  bool power_lost = false;
  size_t writes = 0;

  size_t capacity(fw::Region r) const override { return regions[static_cast<int>(r)].size(); }
  const uint8_t* map(fw::Region r) override { return regions[static_cast<int>(r)].data(); }
  bool read(fw::Region r, size_t offset, uint8_t* out, size_t n) override {
    auto& v = regions[static_cast<int>(r)];
    if (offset + n > v.size()) return false;
    std::memcpy(out, v.data() + offset, n);
    return true;
  }
  bool write(fw::Region r, size_t offset, const uint8_t* data, size_t n) override {
    auto& v = regions[static_cast<int>(r)];
    if (offset + n > v.size()) return false;
    writes++;
    for (size_t i = 0; i < n; i++) {
      if (!spend()) return false;
      v[offset + i] = data[i];
    }
    return true;
  }
  bool erase(fw::Region r, size_t offset, size_t n) override {
    auto& v = regions[static_cast<int>(r)];
    if (offset + n > v.size()) return false;
    for (size_t i = 0; i < n; i++) {
      if (!spend()) return false;
      v[offset + i] = 0xFF;
    }
    return true;
  }
  bool sync(fw::Region) override { return !power_lost; }

 private:
  bool spend() {
    if (budget == 0) power_lost = true;
    if (power_lost) return false;
    if (budget > 0) budget--;
    return true;
  }
};

inline Bytes wire(uint8_t type, uint16_t seq, const Bytes& body = {}) {
  Bytes frame(proto::kFrameOverhead + body.size());
  const size_t n = proto::encode_frame(type, seq, body.data(), body.size(), frame.data(), frame.size());
  Bytes out(proto::cobs_max_encoded(n) + 1);
  out.resize(proto::encode_wire(frame.data(), n, out.data(), out.size()));
  return out;
}

inline void put_u32(Bytes& b, uint32_t v) {
  for (int i = 0; i < 4; i++) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
inline void put_u16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}
inline void put_f32(Bytes& b, float f) {
  uint32_t v;
  std::memcpy(&v, &f, 4);
  put_u32(b, v);
}
inline void put_f64(Bytes& b, double d) {
  uint64_t v;
  std::memcpy(&v, &d, 8);
  put_u32(b, static_cast<uint32_t>(v));
  put_u32(b, static_cast<uint32_t>(v >> 32));
}
inline uint32_t get_u32(const Bytes& b, size_t at) {
  return static_cast<uint32_t>(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) | (static_cast<uint32_t>(b[at + 3]) << 24);
}

// A TinyLoop model image (docs/protocol.md, "The model image") around a .tflite.
struct ImageSpec {
  uint32_t model_id = 1;
  float rate_hz = 400;
  uint32_t window = 8;
  uint32_t stride = 4;
  std::vector<std::string> channels = {"x"};
  uint8_t kind = 1;  // snapshot
  uint16_t bands = 0;
  uint16_t raw_length = 0;
  std::vector<std::string> classes = {"only"};
  bool normalized = true;
  std::vector<double> mean = {0.25};
  std::vector<double> std = {0.5};
  float input_scale = 0;
  int32_t input_zero_point = 0;
  float output_scale = 0;
  int32_t output_zero_point = 0;
  // 0 a classifier, 1 an autoencoder, 2 a Gaussian; an anomaly model's threshold and a
  // Gaussian's mean and precision (written as given, whatever their sizes).
  uint8_t model_kind = 0;
  double threshold = 0;
  std::vector<double> gaussian_mean;
  std::vector<double> precision;
};

inline Bytes build_image(const ImageSpec& s, const Bytes& tflite) {
  const uint16_t features = static_cast<uint16_t>(
      s.kind == 0 ? s.channels.size() * s.raw_length
      : s.kind == 1 ? s.channels.size()
      : s.kind == 2 ? s.channels.size() * 5
                    : s.channels.size() * s.bands);
  Bytes var;
  if (s.normalized) {
    for (double m : s.mean) put_f64(var, m);
    for (double d : s.std) put_f64(var, d);
  }
  for (const auto& n : s.channels) {
    var.push_back(static_cast<uint8_t>(n.size()));
    var.insert(var.end(), n.begin(), n.end());
  }
  for (const auto& n : s.classes) {
    var.push_back(static_cast<uint8_t>(n.size()));
    var.insert(var.end(), n.begin(), n.end());
  }
  if (s.model_kind != 0) put_f64(var, s.threshold);
  if (s.model_kind == 2) {
    for (double m : s.gaussian_mean) put_f64(var, m);
    for (double p : s.precision) put_f64(var, p);
  }
  const uint32_t tflite_offset = static_cast<uint32_t>((68 + var.size() + 15) / 16 * 16);
  const uint32_t total = tflite_offset + static_cast<uint32_t>(tflite.size());
  Bytes b = {'T', 'L', 'M', 'I'};
  put_u16(b, 1);
  put_u16(b, 68);
  put_u32(b, total);
  put_u32(b, tflite_offset);
  put_u32(b, static_cast<uint32_t>(tflite.size()));
  put_u32(b, s.model_id);
  put_u32(b, 2048);
  put_f32(b, s.rate_hz);
  put_u32(b, s.window);
  put_u32(b, s.stride);
  b.push_back(static_cast<uint8_t>(s.channels.size()));
  b.push_back(s.kind);
  put_u16(b, features);
  put_u16(b, s.bands);
  put_u16(b, s.raw_length);
  b.push_back(static_cast<uint8_t>(s.classes.size()));
  b.push_back(s.model_kind);
  b.push_back(s.normalized ? 1 : 0);
  b.push_back(0);
  put_f32(b, s.input_scale);
  put_u32(b, static_cast<uint32_t>(s.input_zero_point));
  put_f32(b, s.output_scale);
  put_u32(b, static_cast<uint32_t>(s.output_zero_point));
  b.insert(b.end(), var.begin(), var.end());
  b.resize(tflite_offset, 0);
  b.insert(b.end(), tflite.begin(), tflite.end());
  return b;
}

}  // namespace tl::test
