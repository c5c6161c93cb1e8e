// The device's state machine over fake hardware, with the real engine and a converter-made
// .tflite (TFLM's hello_world, int8) in a TinyLoop model image: hello, streaming, rates, host
// samples, the model transfer with its refusals, cut transfers and power cuts at every offset
// class, start-up fallback, windows classified as the app would, garbage between frames.
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>

#include "check.h"
#include "device.h"
#include "fakes.h"
#include "protocol/crc32.h"
#include "tinyloop_features.h"

using namespace tl;
using namespace tl::test;
using proto::ByteReader;

namespace {

Bytes read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(f)), {});
}

const Bytes& hello_world() {
  static const Bytes bytes = read_file(std::string(TL_FIXTURES_DIR) + "/hello_world_int8.tflite");
  return bytes;
}

// The engine's view of the fixture, for reference outputs.
struct Reference {
  alignas(16) uint8_t arena[16384];
  Interpreter interpreter{arena, sizeof arena};
  Reference() { interpreter.load(hello_world().data(), hello_world().size()); }
  int8_t run(int8_t in) {
    interpreter.input()[0] = in;
    interpreter.invoke();
    return interpreter.output()[0];
  }
};

ImageSpec spec_for_fixture(uint32_t id = 1) {
  Reference ref;
  ImageSpec s;
  s.model_id = id;
  s.input_scale = ref.interpreter.input_quant().scale;
  s.input_zero_point = ref.interpreter.input_quant().zero_point;
  s.output_scale = ref.interpreter.output_quant().scale;
  s.output_zero_point = ref.interpreter.output_quant().zero_point;
  return s;
}

Bytes image(uint32_t id = 1) { return build_image(spec_for_fixture(id), hello_world()); }

struct Rig {
  FakeClock clock;
  FakeSerial serial;
  FakeSensor sensor;
  RamStorage& storage;
  alignas(16) uint8_t arena[16384];
  Interpreter interpreter{arena, sizeof arena};
  fw::Device device;
  uint16_t seq = 100;

  explicit Rig(RamStorage& s) : storage(s), device(clock, serial, sensor, s, interpreter, info()) {
    device.boot();
  }
  static fw::DeviceInfo info() {
    fw::DeviceInfo i;
    i.board = "test";
    i.arena_capacity = 16384;
    for (int k = 0; k < 8; k++) i.device_id[k] = static_cast<uint8_t>(k);
    return i;
  }
  // Sends bytes and runs the device until it has read them.
  std::vector<Sent> exchange(const Bytes& bytes) {
    serial.input.insert(serial.input.end(), bytes.begin(), bytes.end());
    while (!serial.input.empty()) device.poll();
    device.poll();
    return serial.frames();
  }
  std::vector<Sent> command(uint8_t type, const Bytes& body = {}) { return exchange(wire(type, ++seq, body)); }
  // Runs the device for `us` of fake time in 1 ms steps.
  std::vector<Sent> run(uint64_t us) {
    for (uint64_t t = 0; t < us; t += 1000) {
      clock.now += 1000;
      device.poll();
    }
    return serial.frames();
  }
};

// The single reply of a command, or a frame of type 0.
Sent only(const std::vector<Sent>& frames, uint8_t type = 0) {
  std::vector<Sent> matching;
  for (const Sent& s : frames)
    if (s.type != proto::kLog && (type == 0 || s.type == type)) matching.push_back(s);
  if (matching.size() != 1) {
    std::fprintf(stderr, "expected one reply, got %zu\n", matching.size());
    return {0, 0, {}};
  }
  return matching[0];
}

bool is_ack(const Sent& s, uint8_t command) { return s.type == proto::kAck && !s.body.empty() && s.body[0] == command; }
bool is_nak(const Sent& s, uint8_t command, uint8_t code) {
  return s.type == proto::kNak && s.body.size() >= 6 && s.body[0] == command && s.body[1] == code;
}
uint32_t nak_detail(const Sent& s) { return get_u32(s.body, 2); }

proto::Hello hello_of(const Sent& s) {
  proto::Hello h;
  ByteReader r(s.body.data(), s.body.size());
  CHECK(proto::read_hello(r, &h));
  return h;
}

struct FlashOptions {
  size_t chunk = 256;
  size_t stop_after = SIZE_MAX;  // image bytes to send before the cut
  bool commit = true;
};

// A whole transfer with the window's pipelining: the commit's reply, or the last reply before a cut.
Sent flash(Rig& rig, const Bytes& img, FlashOptions o = {}) {
  Bytes begin;
  put_u32(begin, static_cast<uint32_t>(img.size()));
  put_u32(begin, proto::crc32(img.data(), img.size()));
  put_u32(begin, 77);
  Sent r = only(rig.command(proto::kModelBegin, begin));
  if (!is_ack(r, proto::kModelBegin)) return r;
  CHECK_EQ(r.body.size(), 3u);
  CHECK_EQ(r.body[1] | (r.body[2] << 8), fw::Device::kChunkBytes);
  const size_t end = std::min(o.stop_after, img.size());
  size_t offset = 0;
  while (offset < end) {
    Bytes burst;
    size_t sent = offset;
    for (size_t k = 0; k < fw::kTransferWindow && sent < end; k++) {
      const size_t n = std::min(o.chunk, end - sent);
      Bytes body;
      put_u32(body, static_cast<uint32_t>(sent));
      body.insert(body.end(), img.begin() + static_cast<long>(sent), img.begin() + static_cast<long>(sent + n));
      const Bytes w = wire(proto::kModelChunk, ++rig.seq, body);
      burst.insert(burst.end(), w.begin(), w.end());
      sent += n;
    }
    for (const Sent& s : rig.exchange(burst)) {
      if (s.type == proto::kLog) continue;
      // Anything but an ACK ends the transfer: the caller checks what came back.
      if (!is_ack(s, proto::kModelChunk)) return s;
      offset = get_u32(s.body, 1);
      r = s;
    }
    if (offset != sent) return r;
  }
  if (!o.commit) return r;
  return only(rig.command(proto::kModelCommit));
}

Sent input(Rig& rig, int8_t value) {
  Bytes body;
  put_u32(body, 0);
  body.push_back(static_cast<uint8_t>(value));
  return only(rig.command(proto::kInput, body));
}

void expect_model(Rig& rig, const Bytes& img, int8_t probe = 37) {
  static Reference ref;
  CHECK_EQ(rig.device.model_crc32(), proto::crc32(img.data(), img.size()));
  const Sent r = input(rig, probe);
  CHECK_EQ(r.type, proto::kInference);
  CHECK_EQ(r.seq, rig.seq);
  proto::Inference inf;
  ByteReader reader(r.body.data(), r.body.size());
  CHECK(proto::read_inference(reader, &inf));
  CHECK_EQ(inf.count, 1u);
  CHECK_EQ(inf.model_crc32, proto::crc32(img.data(), img.size()));
  CHECK_EQ(inf.window_end_us, 0u);
  CHECK(std::isnan(inf.score));
  if (inf.count == 1) CHECK_EQ(inf.outputs[0], ref.run(probe));
}

void test_hello_and_garbage() {
  RamStorage storage;
  auto rig = std::make_unique<Rig>(storage);
  // The first HELLO carries the start-up log after it.
  std::vector<Sent> frames = rig->command(proto::kHelloReq);
  CHECK_EQ(frames.size(), 2u);
  CHECK(frames[0].type == proto::kHello && frames[0].seq == rig->seq);
  CHECK(frames[1].type == proto::kLog && frames[1].seq == 0);
  const proto::Hello h = hello_of(frames[0]);
  CHECK(h.board.equals("test") && h.max_body == proto::kMaxBody && h.window == fw::kTransferWindow);
  CHECK(h.channel_count == 1 && h.channels[0].equals("x") && h.rate_count == 2 && h.rate_hz == 400.0f);
  CHECK(h.active == 0 && h.slots[0].state == proto::kSlotEmpty && h.model_capacity == 8192);
  CHECK(h.arena_capacity == 16384 && h.device_id[7] == 7);

  // Garbage of every kind between frames: each frame still answered, the drops counted.
  std::mt19937 rng(5);
  Bytes stream;
  size_t expected = 0;
  for (int i = 0; i < 200; i++) {
    Bytes junk(rng() % 40);
    for (uint8_t& b : junk) b = static_cast<uint8_t>(rng());
    stream.insert(stream.end(), junk.begin(), junk.end());
    stream.push_back(0);
    const Bytes w = wire(proto::kHelloReq, static_cast<uint16_t>(1000 + i));
    stream.insert(stream.end(), w.begin(), w.end());
    expected++;
  }
  frames = rig->exchange(stream);
  CHECK_EQ(frames.size(), expected);
  for (size_t i = 0; i < frames.size(); i++) CHECK(frames[i].type == proto::kHello && frames[i].seq == 1000 + i);
  const proto::DropCounters& d = rig->device.drops();
  CHECK(d.crc + d.cobs + d.short_frames > 100);
  const proto::Hello after = hello_of(only(rig->command(proto::kHelloReq)));
  CHECK_EQ(after.counters.crc, d.crc);
  CHECK_EQ(after.counters.cobs, d.cobs);
  CHECK_EQ(after.counters.short_frames, d.short_frames);

  // Unknown commands are answered; a device's own frame types coming back are not.
  CHECK(is_nak(only(rig->command(0x7E)), 0x7E, proto::kUnknownType));
  CHECK(rig->command(proto::kData).empty());
  // A body too short for its type.
  CHECK(is_nak(only(rig->command(proto::kSetRate, {1, 2})), proto::kSetRate, proto::kBadLength));
  CHECK(is_nak(only(rig->command(proto::kModelBegin, {1})), proto::kModelBegin, proto::kBadLength));
}

void test_streaming() {
  RamStorage storage;
  auto rig = std::make_unique<Rig>(storage);
  CHECK(is_ack(only(rig->command(proto::kStart)), proto::kStart));
  CHECK(rig->device.streaming());
  std::vector<Sent> frames = rig->run(100000);
  // 400 Hz: 4 samples per 10 ms frame, about 10 frames in 100 ms.
  CHECK(frames.size() >= 9 && frames.size() <= 11);
  uint64_t last_time = 0;
  float last_value = -1;
  for (size_t i = 0; i < frames.size(); i++) {
    CHECK_EQ(frames[i].type, proto::kData);
    CHECK_EQ(frames[i].seq, i);
    proto::SampleBlock b;
    ByteReader r(frames[i].body.data(), frames[i].body.size());
    CHECK(proto::read_sample_block(r, &b));
    CHECK(b.count == 4 && b.channels == 1 && b.encoding == proto::kEncodingF32);
    if (i > 0) CHECK_EQ(b.time_us - last_time, 10000u);
    last_time = b.time_us;
    for (size_t k = 0; k < b.count; k++) {
      // The ramp, no sample lost or repeated.
      if (last_value >= 0 && b.value(k) > 0.0f) CHECK(std::fabs(b.value(k) - last_value - 0.01f) < 1e-4f);
      last_value = b.value(k);
    }
  }
  CHECK(is_ack(only(rig->command(proto::kStop), proto::kAck), proto::kStop));
  CHECK(rig->run(50000).empty());

  // Rates: one of the list, else the nearest in the NAK.
  Bytes rate;
  put_u32(rate, 100);
  CHECK(is_ack(only(rig->command(proto::kSetRate, rate)), proto::kSetRate));
  CHECK_EQ(rig->sensor.current, 100u);
  Bytes bad;
  put_u32(bad, 350);
  const Sent nak = only(rig->command(proto::kSetRate, bad));
  CHECK(is_nak(nak, proto::kSetRate, proto::kUnsupportedRate));
  CHECK_EQ(nak_detail(nak), 400u);
  // Restarting goes on with the seq: DATA at 100 Hz, one sample per frame.
  rig->command(proto::kStart);
  frames = rig->run(50000);
  CHECK(!frames.empty() && frames[0].seq == 11 - (11 - frames[0].seq));
  for (size_t i = 1; i < frames.size(); i++) CHECK_EQ(frames[i].seq, frames[i - 1].seq + 1);
  CHECK(frames.size() >= 4 && frames.size() <= 6);
  CHECK(frames[0].body.size() == 12 + 4);

  // Host samples replace the sensor's: SAMPLES without SET_SOURCE is refused.
  Bytes samples;
  for (int i = 0; i < 8; i++) samples.push_back(0);  // timeUs
  put_u16(samples, 2);
  samples.push_back(1);
  samples.push_back(proto::kEncodingF32);
  put_f32(samples, 5.5f);
  put_f32(samples, 6.5f);
  CHECK(is_nak(only(rig->command(proto::kSamples, samples)), proto::kSamples, proto::kBadState));
  CHECK(is_ack(only(rig->command(proto::kSetSource, {1})), proto::kSetSource));
  CHECK(!rig->sensor.running);
  CHECK(rig->run(30000).empty());  // the sensor no longer streams
  frames = rig->command(proto::kSamples, samples);
  CHECK(is_ack(frames.back(), proto::kSamples));
  // At 100 Hz, one sample per DATA frame: the host's two values, at its times.
  CHECK_EQ(frames.size(), 3u);
  proto::SampleBlock b;
  ByteReader r(frames[1].body.data(), frames[1].body.size());
  CHECK(proto::read_sample_block(r, &b) && b.value(0) == 6.5f && b.time_us == 10000u);
  Bytes three;  // channels other than the device's
  for (int i = 0; i < 8; i++) three.push_back(0);
  put_u16(three, 1);
  three.push_back(3);
  three.push_back(proto::kEncodingF32);
  for (int i = 0; i < 3; i++) put_f32(three, 1.0f);
  CHECK(is_nak(only(rig->command(proto::kSamples, three)), proto::kSamples, proto::kIncompatible));
  CHECK(is_nak(only(rig->command(proto::kSetSource, {2})), proto::kSetSource, proto::kIncompatible));
  CHECK(is_ack(only(rig->command(proto::kSetSource, {0}), proto::kAck), proto::kSetSource));
  CHECK(rig->sensor.running);
}

void test_transfer_and_refusals() {
  RamStorage storage;
  auto rig = std::make_unique<Rig>(storage);
  const Bytes a = image(1);
  CHECK(is_nak(input(*rig, 1), proto::kInput, proto::kBadState));
  CHECK(is_nak(only(rig->command(proto::kModelCommit)), proto::kModelCommit, proto::kBadState));
  Bytes chunk;
  put_u32(chunk, 0);
  chunk.push_back(1);
  CHECK(is_nak(only(rig->command(proto::kModelChunk, chunk)), proto::kModelChunk, proto::kBadState));

  Sent r = flash(*rig, a);
  CHECK(is_ack(r, proto::kModelCommit));
  proto::SlotsReply slots;
  ByteReader reader(r.body.data() + 1, r.body.size() - 1);
  CHECK(proto::read_slots_reply(reader, &slots));
  CHECK(slots.active == 1 && slots.slots[0].state == proto::kSlotValid && slots.slots[0].model_id == 77);
  CHECK(slots.slots[0].crc32 == proto::crc32(a.data(), a.size()) && slots.slots[0].size == a.size());
  CHECK(slots.slots[0].arena_bytes > 0 && slots.slots[0].arena_bytes <= 16384);
  CHECK_EQ(rig->device.active(), 1u);
  expect_model(*rig, a);
  for (int8_t v : {-128, -1, 0, 64, 127}) expect_model(*rig, a, v);

  // INPUT in parts: out of order, beyond the tensor.
  Bytes part;
  put_u32(part, 1);
  part.push_back(3);
  Sent n = only(rig->command(proto::kInput, part));
  CHECK(is_nak(n, proto::kInput, proto::kOutOfOrder) && nak_detail(n) == 0);
  Bytes two;
  put_u32(two, 0);
  two.push_back(1);
  two.push_back(2);
  CHECK(is_nak(only(rig->command(proto::kInput, two)), proto::kInput, proto::kBadLength));

  // Refusals, each leaving model A active and working.
  const Bytes b = image(2);
  Bytes too_big;
  put_u32(too_big, 8193);
  put_u32(too_big, 0);
  put_u32(too_big, 0);
  n = only(rig->command(proto::kModelBegin, too_big));
  CHECK(is_nak(n, proto::kModelBegin, proto::kTooLarge) && nak_detail(n) == 8192);
  // Out of order: the expected offset in the detail (go-back-N).
  Bytes begin;
  put_u32(begin, static_cast<uint32_t>(b.size()));
  put_u32(begin, proto::crc32(b.data(), b.size()));
  put_u32(begin, 2);
  CHECK(is_ack(only(rig->command(proto::kModelBegin, begin)), proto::kModelBegin));
  Bytes c0;
  put_u32(c0, 0);
  c0.insert(c0.end(), b.begin(), b.begin() + 100);
  Bytes c2;
  put_u32(c2, 200);
  c2.insert(c2.end(), b.begin() + 200, b.begin() + 300);
  CHECK(is_ack(only(rig->command(proto::kModelChunk, c0)), proto::kModelChunk));
  n = only(rig->command(proto::kModelChunk, c2));
  CHECK(is_nak(n, proto::kModelChunk, proto::kOutOfOrder) && nak_detail(n) == 100);
  n = only(rig->command(proto::kModelChunk, c0));  // a duplicate
  CHECK(is_nak(n, proto::kModelChunk, proto::kOutOfOrder) && nak_detail(n) == 100);
  // Commit before the end.
  n = only(rig->command(proto::kModelCommit));
  CHECK(is_nak(n, proto::kModelCommit, proto::kBadLength) && nak_detail(n) == 100);
  // Beyond the size begun with.
  Bytes small_begin;
  put_u32(small_begin, 150);
  put_u32(small_begin, 0);
  put_u32(small_begin, 2);
  CHECK(is_ack(only(rig->command(proto::kModelBegin, small_begin)), proto::kModelBegin));
  Bytes beyond;
  put_u32(beyond, 0);
  beyond.resize(4 + 151, 0x11);
  n = only(rig->command(proto::kModelChunk, beyond));
  CHECK(is_nak(n, proto::kModelChunk, proto::kBadLength) && nak_detail(n) == 155);
  CHECK(is_ack(only(rig->command(proto::kModelAbort)), proto::kModelAbort));
  CHECK(is_nak(only(rig->command(proto::kModelChunk, c0)), proto::kModelChunk, proto::kBadState));
  expect_model(*rig, a);

  // A CRC that does not match what arrived.
  Bytes wrong = b;
  FlashOptions o;
  {
    Bytes bb;
    put_u32(bb, static_cast<uint32_t>(b.size()));
    put_u32(bb, 0x12345678);
    put_u32(bb, 2);
    CHECK(is_ack(only(rig->command(proto::kModelBegin, bb)), proto::kModelBegin));
    for (size_t off = 0; off < b.size(); off += 1000) {
      Bytes body;
      put_u32(body, static_cast<uint32_t>(off));
      body.insert(body.end(), b.begin() + static_cast<long>(off), b.begin() + static_cast<long>(std::min(off + 1000, b.size())));
      CHECK(is_ack(only(rig->command(proto::kModelChunk, body)), proto::kModelChunk));
    }
    n = only(rig->command(proto::kModelCommit), proto::kNak);
    CHECK(is_nak(n, proto::kModelCommit, proto::kCrcMismatch));
    CHECK_EQ(nak_detail(n), proto::crc32(b.data(), b.size()));
  }
  expect_model(*rig, a);
  CHECK_EQ(rig->device.active(), 1u);

  // Images the device refuses, with a right CRC: bad magic, another version, a truncated
  // .tflite, channels the device does not have, a rate it does not have, a wrong input size,
  // a .tflite of another model (float), a tiny arena.
  struct Case {
    const char* what;
    Bytes img;
    uint8_t code;
  };
  std::vector<Case> cases;
  Bytes bad_magic = b;
  bad_magic[0] = 'X';
  cases.push_back({"magic", bad_magic, proto::kBadModel});
  Bytes bad_version = b;
  bad_version[4] = 2;
  cases.push_back({"version", bad_version, proto::kBadModel});
  Bytes truncated = b;
  truncated.resize(b.size() - 100);
  truncated[8] = static_cast<uint8_t>(truncated.size());
  truncated[9] = static_cast<uint8_t>(truncated.size() >> 8);
  {
    // the .tflite's size too, so that only the flatbuffer is wrong
    const uint32_t tb = get_u32(truncated, 16) - 100;
    for (int k = 0; k < 4; k++) truncated[16 + k] = static_cast<uint8_t>(tb >> (8 * k));
  }
  cases.push_back({"truncated tflite", truncated, proto::kBadModel});
  ImageSpec s = spec_for_fixture(3);
  s.channels = {"y"};
  cases.push_back({"channel names", build_image(s, hello_world()), proto::kIncompatible});
  s = spec_for_fixture(3);
  s.rate_hz = 250;
  cases.push_back({"rate", build_image(s, hello_world()), proto::kIncompatible});
  s = spec_for_fixture(3);
  s.kind = 2;  // stats: 5 features for a model of 1 input
  s.mean.assign(5, 0);
  s.std.assign(5, 1);
  cases.push_back({"input size", build_image(s, hello_world()), proto::kBadModel});
  s = spec_for_fixture(3);
  s.input_scale *= 2;
  cases.push_back({"input quantization", build_image(s, hello_world()), proto::kBadModel});
  const Bytes float_model = read_file(std::string(TL_FIXTURES_DIR) + "/hello_world_float.tflite");
  cases.push_back({"float model", build_image(spec_for_fixture(3), float_model), proto::kBadModel});
  for (const Case& c : cases) {
    r = flash(*rig, c.img, {1000});
    if (!is_nak(r, proto::kModelCommit, c.code)) std::fprintf(stderr, "case %s not refused as expected\n", c.what);
    CHECK(is_nak(r, proto::kModelCommit, c.code));
    CHECK(r.body.size() > 6);  // a message says why
    expect_model(*rig, a);
  }
  // An arena too small: the same model on a device with 256 bytes of arena.
  {
    RamStorage other;
    FakeClock clock;
    FakeSerial serial;
    FakeSensor sensor;
    alignas(16) static uint8_t small_arena[256];
    Interpreter small(small_arena, sizeof small_arena);
    fw::DeviceInfo info;
    info.arena_capacity = 256;
    auto device = std::make_unique<fw::Device>(clock, serial, sensor, other, small, info);
    device->boot();
    Bytes bb;
    put_u32(bb, static_cast<uint32_t>(a.size()));
    put_u32(bb, proto::crc32(a.data(), a.size()));
    put_u32(bb, 1);
    Bytes all = wire(proto::kModelBegin, 1, bb);
    for (size_t off = 0; off < a.size(); off += 1000) {
      Bytes body;
      put_u32(body, static_cast<uint32_t>(off));
      body.insert(body.end(), a.begin() + static_cast<long>(off), a.begin() + static_cast<long>(std::min(off + 1000, a.size())));
      const Bytes w = wire(proto::kModelChunk, 2, body);
      all.insert(all.end(), w.begin(), w.end());
    }
    const Bytes commit = wire(proto::kModelCommit, 3);
    all.insert(all.end(), commit.begin(), commit.end());
    device->receive(all.data(), all.size());
    const std::vector<Sent> out = serial.frames();
    const Sent last = only(std::vector<Sent>(out.end() - 2, out.end()), proto::kNak);
    CHECK(is_nak(last, proto::kModelCommit, proto::kArenaTooSmall));
    CHECK(nak_detail(last) > 256);
    CHECK_EQ(device->active(), 0u);
  }

  // And a good second model goes to slot B, then a third back to A.
  r = flash(*rig, b);
  CHECK(is_ack(r, proto::kModelCommit));
  CHECK_EQ(rig->device.active(), 2u);
  expect_model(*rig, b);
  CHECK_EQ(rig->device.slot(0).state, proto::kSlotValid);  // A kept as the fallback
  const Bytes c = image(3);
  CHECK(is_ack(flash(*rig, c, {2044}), proto::kModelCommit));
  CHECK_EQ(rig->device.active(), 1u);
  expect_model(*rig, c);
}

// A transfer cut at `cut` image bytes, by a restart of the device (power or the process gone),
// or by garbage and a new MODEL_BEGIN: the previous model stays, and a retry succeeds.
void test_cut_transfers() {
  const Bytes a = image(1);
  const Bytes b = image(2);
  std::vector<size_t> cuts = {0, 1, 67, 68, 69, 255, 256, 257, 1023, 1024, 2043, 2044, 2045};
  for (size_t k = 1; k < 16; k++) cuts.push_back(b.size() * k / 16);
  cuts.push_back(b.size() - 1);
  cuts.push_back(b.size());  // every byte, no commit
  for (size_t cut : cuts) {
    for (int how = 0; how < 3; how++) {
      RamStorage storage;
      auto rig = std::make_unique<Rig>(storage);
      CHECK(is_ack(flash(*rig, a), proto::kModelCommit));
      FlashOptions o;
      o.stop_after = cut;
      o.commit = false;
      flash(*rig, b, o);
      if (how == 0) {
        // Restart: the device reboots from its storage.
        rig.reset();
        rig = std::make_unique<Rig>(storage);
      } else if (how == 1) {
        // Half a frame, garbage, then a new transfer.
        Bytes body;
        put_u32(body, static_cast<uint32_t>(cut));
        body.insert(body.end(), 300, 0x42);
        Bytes w = wire(proto::kModelChunk, 1, body);
        w.resize(w.size() / 2);
        Bytes junk = {0x13, 0x37, 0x00, 0xFF, 0xFE, 0x00};
        w.insert(w.end(), junk.begin(), junk.end());
        rig->exchange(w);
      } else {
        CHECK(is_ack(only(rig->command(proto::kModelAbort)), proto::kModelAbort));
      }
      CHECK_EQ(rig->device.active(), 1u);
      expect_model(*rig, a);
      if (how == 0) CHECK_EQ(rig->device.slot(1).state, proto::kSlotEmpty);
      CHECK(is_ack(flash(*rig, b), proto::kModelCommit));
      CHECK_EQ(rig->device.active(), 2u);
      expect_model(*rig, b);
      // And it survives a restart.
      rig.reset();
      rig = std::make_unique<Rig>(storage);
      CHECK_EQ(rig->device.active(), 2u);
      expect_model(*rig, b);
    }
  }
}

// The power goes at every byte of storage writing during a whole transfer and commit: after the
// restart, the model is the previous one or the new one, whole, never none or a mix.
void test_power_cuts() {
  const Bytes a = image(1);
  const Bytes b = image(2);
  // Bytes the transfer of b writes to storage, with its erases and boot records.
  RamStorage probe;
  {
    auto rig = std::make_unique<Rig>(probe);
    flash(*rig, a);
    probe.budget = 1 << 30;
    flash(*rig, b);
  }
  const long total = (1 << 30) - probe.budget;
  CHECK(total > static_cast<long>(b.size()));
  size_t old_model = 0;
  size_t new_model = 0;
  for (long budget = 0; budget <= total; budget += (budget < 300 || total - budget < 300) ? 1 : 97) {
    RamStorage storage;
    {
      auto rig = std::make_unique<Rig>(storage);
      flash(*rig, a);
      storage.budget = budget;
      flash(*rig, b);
    }
    storage.budget = -1;
    storage.power_lost = false;
    auto rig = std::make_unique<Rig>(storage);
    const uint8_t active = rig->device.active();
    CHECK(active == 1 || active == 2);
    if (active == 1) {
      expect_model(*rig, a);
      old_model++;
    } else {
      expect_model(*rig, b);
      new_model++;
    }
    CHECK(is_ack(flash(*rig, b), proto::kModelCommit));
    expect_model(*rig, b);
  }
  CHECK(old_model > 0 && new_model > 0);
}

void test_fallback() {
  const Bytes a = image(1);
  const Bytes b = image(2);
  RamStorage storage;
  {
    auto rig = std::make_unique<Rig>(storage);
    flash(*rig, a);
    flash(*rig, b);
    CHECK_EQ(rig->device.active(), 2u);
  }
  // Slot B damaged: start-up falls back to A, says so, and records it.
  storage.regions[1][100] ^= 0xFF;
  auto rig = std::make_unique<Rig>(storage);
  CHECK_EQ(rig->device.active(), 1u);
  CHECK_EQ(rig->device.slot(1).state, proto::kSlotDamaged);
  expect_model(*rig, a);
  std::vector<Sent> frames = rig->command(proto::kHelloReq);
  CHECK(frames.size() == 2 && frames[1].type == proto::kLog);
  const std::string text(frames[1].body.begin() + 1, frames[1].body.end());
  CHECK(text.find("fell back") != std::string::npos);
  // Both damaged: no model, still streaming.
  storage.regions[0][100] ^= 0xFF;
  rig.reset();
  rig = std::make_unique<Rig>(storage);
  CHECK_EQ(rig->device.active(), 0u);
  CHECK(is_ack(only(rig->command(proto::kStart)), proto::kStart));
  CHECK(!rig->run(20000).empty());
  // A torn boot record (the newer copy) leaves the older one.
  RamStorage torn;
  {
    auto r2 = std::make_unique<Rig>(torn);
    flash(*r2, a);
    flash(*r2, b);
  }
  const fw::ModelStore probe_store(torn);
  (void)probe_store;
  for (size_t copy = 0; copy < 2; copy++) {
    RamStorage t2 = torn;
    fw::BootRecord records[2];
    bool valid[2];
    for (size_t k = 0; k < 2; k++) valid[k] = fw::decode_boot_record(t2.regions[2].data() + 64 * k, &records[k]);
    CHECK(valid[0] && valid[1]);
    const size_t newest = static_cast<int32_t>(records[0].sequence - records[1].sequence) > 0 ? 0 : 1;
    if (copy != newest) continue;
    t2.regions[2][64 * newest + 30] ^= 0x01;
    auto r3 = std::make_unique<Rig>(t2);
    CHECK_EQ(r3->device.active(), records[1 - newest].active);
  }
}

// Windows classified while streaming: one INFERENCE per stride, the outputs of the app's
// pipeline (snapshot, normalization, quantization, the model) on the ramp's windows.
void test_windows() {
  RamStorage storage;
  auto rig = std::make_unique<Rig>(storage);
  const ImageSpec spec = spec_for_fixture(1);
  const Bytes a = build_image(spec, hello_world());
  CHECK(is_ack(flash(*rig, a), proto::kModelCommit));
  rig->command(proto::kStart);
  const std::vector<Sent> frames = rig->run(200000);
  std::vector<float> samples;
  std::vector<uint64_t> times;
  std::vector<proto::Inference> results;
  std::vector<Bytes> bodies;
  for (const Sent& s : frames) {
    ByteReader r(s.body.data(), s.body.size());
    if (s.type == proto::kData) {
      proto::SampleBlock b;
      CHECK(proto::read_sample_block(r, &b));
      for (size_t k = 0; k < b.count; k++) {
        samples.push_back(b.value(k));
        times.push_back(b.time_us + k * 2500);
      }
    } else if (s.type == proto::kInference) {
      bodies.push_back(s.body);
    }
  }
  // 80 samples in 200 ms: windows of 8 every 4 samples end at samples 8, 12, ... (at most 19).
  CHECK(bodies.size() >= 17 && bodies.size() <= 19);
  Reference ref;
  for (size_t w = 0; w < bodies.size(); w++) {
    proto::Inference inf;
    ByteReader r(bodies[w].data(), bodies[w].size());
    CHECK(proto::read_inference(r, &inf));
    const size_t end = 8 + 4 * w;
    if (end > samples.size()) break;
    CHECK_EQ(inf.window_end_us, times[end - 1] + 2500);
    const float mean = tinyloop_snapshot(samples.data() + end - 8, 8, 1, 0);
    float normalized;
    tinyloop_normalize(&mean, 1, spec.mean.data(), spec.std.data(), &normalized);
    int8_t q;
    tinyloop_quantize_input(&normalized, 1, spec.input_scale, spec.input_zero_point, &q);
    CHECK_EQ(inf.outputs[0], ref.run(q));
    CHECK_EQ(inf.model_crc32, proto::crc32(a.data(), a.size()));
  }
  // At another rate than the model's, windows are not classified (and a LOG says why).
  Bytes rate;
  put_u32(rate, 100);
  std::vector<Sent> after = rig->command(proto::kSetRate, rate);
  for (const Sent& s : rig->run(200000)) after.push_back(s);
  bool warned = false;
  for (const Sent& s : after) {
    CHECK(s.type != proto::kInference);
    warned = warned || s.type == proto::kLog;
  }
  CHECK(warned);
}

}  // namespace

int main() {
  if (hello_world().empty()) {
    std::fprintf(stderr, "cannot read the hello_world_int8.tflite fixture\n");
    return 1;
  }
  test_hello_and_garbage();
  test_streaming();
  test_transfer_and_refusals();
  test_cut_transfers();
  test_power_cuts();
  test_fallback();
  test_windows();
  return tl::test::finish("test_device");
}
