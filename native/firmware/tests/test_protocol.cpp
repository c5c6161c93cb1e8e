// COBS, CRC-32, frame bodies and the stream decoder, against docs/protocol.md.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "protocol/cobs.h"
#include "protocol/crc32.h"
#include "protocol/frames.h"
#include "protocol/stream_decoder.h"

using namespace tl::proto;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes encode(const Bytes& in) {
  Bytes out(cobs_max_encoded(in.size()));
  const size_t n = cobs_encode(in.data(), in.size(), out.data(), out.size());
  out.resize(n);
  return out;
}

bool decode(const Bytes& in, Bytes* out) {
  out->assign(in.size() + 1, 0);
  const CobsResult r = cobs_decode(in.data(), in.size(), out->data(), out->size());
  if (r.status != CobsStatus::Ok) return false;
  out->resize(r.length);
  return true;
}

Bytes wire_of(uint8_t type, uint16_t seq, const Bytes& body) {
  Bytes frame(kFrameOverhead + body.size());
  const size_t n = encode_frame(type, seq, body.data(), body.size(), frame.data(), frame.size());
  Bytes wire(cobs_max_encoded(n) + 1);
  wire.resize(encode_wire(frame.data(), n, wire.data(), wire.size()));
  return wire;
}

void test_crc() {
  const char* check = "123456789";
  CHECK_EQ(crc32(reinterpret_cast<const uint8_t*>(check), 9), 0xCBF43926u);
  CHECK_EQ(crc32(nullptr, 0), 0u);
  // Incremental equals whole.
  const uint32_t part = crc32_update(0, reinterpret_cast<const uint8_t*>(check), 4);
  CHECK_EQ(crc32_update(part, reinterpret_cast<const uint8_t*>(check) + 4, 5), 0xCBF43926u);
  const uint8_t zeros[4] = {0, 0, 0, 0};
  CHECK_EQ(crc32(zeros, 4), 0x2144DF1Cu);
}

void test_cobs() {
  // The examples of the COBS paper and of Wikipedia.
  CHECK(encode({}) == Bytes({0x01}));
  CHECK(encode({0x00}) == Bytes({0x01, 0x01}));
  CHECK(encode({0x00, 0x00}) == Bytes({0x01, 0x01, 0x01}));
  CHECK(encode({0x11, 0x22, 0x00, 0x33}) == Bytes({0x03, 0x11, 0x22, 0x02, 0x33}));
  CHECK(encode({0x11, 0x00, 0x00, 0x00}) == Bytes({0x02, 0x11, 0x01, 0x01, 0x01}));
  // 254 non-zero bytes: one full block and no code after it.
  Bytes run(254);
  for (size_t i = 0; i < run.size(); i++) run[i] = static_cast<uint8_t>(i + 1);
  Bytes enc = encode(run);
  CHECK_EQ(enc.size(), 255u);
  CHECK_EQ(enc[0], 0xFF);
  // 255 non-zero bytes: a full block, then a block of one.
  run.push_back(0xFF);
  enc = encode(run);
  CHECK_EQ(enc.size(), 257u);
  CHECK_EQ(enc[0], 0xFF);
  CHECK_EQ(enc[255], 0x02);
  // 254 non-zero bytes then a zero.
  run.pop_back();
  run.push_back(0);
  enc = encode(run);
  CHECK(enc.size() == 257u && enc[0] == 0xFF && enc[255] == 0x01 && enc[256] == 0x01);

  // Round trips of every length to 1,100 and random contents, sparse and dense in zeros.
  std::mt19937 rng(7);
  for (size_t n = 0; n < 1100; n++) {
    for (int density : {0, 3, 50, 255}) {
      Bytes in(n);
      for (uint8_t& b : in) b = (rng() % 256) < static_cast<unsigned>(density) ? 0 : static_cast<uint8_t>(1 + rng() % 255);
      const Bytes out = encode(in);
      CHECK(out.size() <= cobs_max_encoded(n));
      CHECK(std::find(out.begin(), out.end(), 0) == out.end());
      Bytes back;
      CHECK(decode(out, &back));
      CHECK(back == in);
    }
  }
  // A decoder also takes the trailing code some encoders add after a final full block.
  Bytes full(255, 0x55);
  full[0] = 0xFF;
  full.push_back(0x01);
  Bytes back;
  CHECK(decode(full, &back));
  CHECK(back == Bytes(254, 0x55));

  // Bad codes: running past the end, and a zero inside.
  CHECK(!decode({0x05, 0x11, 0x22}, &back));
  CHECK(!decode({0x03, 0x11, 0x00}, &back));
  CHECK(!decode({0x00}, &back));
  // Too long for the output.
  uint8_t small[2];
  CHECK(cobs_decode(Bytes({0x04, 1, 2, 3}).data(), 4, small, 2).status == CobsStatus::TooLong);
  // Too small an output for the encoding.
  uint8_t tiny[3];
  const Bytes four = {1, 2, 3, 4};
  CHECK_EQ(cobs_encode(four.data(), 4, tiny, 3), 0u);
  uint8_t exact[5];
  CHECK_EQ(cobs_encode(four.data(), 4, exact, 5), 5u);
}

void test_frames() {
  // A frame: type | seq | body | crc, CRC over the rest.
  const Bytes body = {0xAA, 0x00, 0xBB};
  uint8_t frame[32];
  const size_t n = encode_frame(kAck, 0x1234, body.data(), body.size(), frame, sizeof frame);
  CHECK_EQ(n, 10u);
  CHECK(frame[0] == kAck && frame[1] == 0x34 && frame[2] == 0x12);
  const uint32_t crc = crc32(frame, 6);
  CHECK(frame[6] == (crc & 0xFF) && frame[9] == (crc >> 24));
  Frame f;
  CHECK(parse_frame(frame, n, &f) == FrameStatus::Ok);
  CHECK(f.type == kAck && f.seq == 0x1234 && f.body_length == 3 && f.body[2] == 0xBB);
  frame[4] ^= 1;
  CHECK(parse_frame(frame, n, &f) == FrameStatus::BadCrc);
  CHECK(parse_frame(frame, 6, &f) == FrameStatus::Short);
  CHECK_EQ(encode_frame(kAck, 0, body.data(), body.size(), frame, 9), 0u);

  // HELLO round trip.
  Hello h;
  h.firmware[0] = 0;
  h.firmware[1] = 1;
  h.firmware[2] = 2;
  for (int i = 0; i < 8; i++) h.device_id[i] = static_cast<uint8_t>(0xA0 + i);
  h.board = {"host", 4};
  h.max_body = 2048;
  h.window = 4;
  h.model_capacity = 262144;
  h.arena_capacity = 131072;
  h.rate_hz = 400;
  h.rate_count = 3;
  h.rates[0] = 100;
  h.rates[1] = 400;
  h.rates[2] = 1600;
  h.channel_count = 3;
  h.channels[0] = {"ax", 2};
  h.channels[1] = {"ay", 2};
  h.channels[2] = {"az", 2};
  h.flags = kFlagStreaming;
  h.active = 2;
  h.slots[1] = {kSlotValid, 5000, 0xDEADBEEF, 42, 9000};
  h.counters = {1, 2, 3, 4};
  uint8_t buf[512];
  ByteWriter w(buf, sizeof buf);
  write_hello(w, h);
  CHECK(w.ok());
  // 1 + 3 + 8 + 5 + 2 + 1 + 4 + 4 + 4 + 13 + 10 + 1 + 1 + 34 + 16
  CHECK_EQ(w.size(), 107u);
  Hello back;
  ByteReader r(buf, w.size());
  CHECK(read_hello(r, &back));
  CHECK(back.board.equals("host") && back.max_body == 2048 && back.window == 4);
  CHECK(back.rate_hz == 400.0f && back.rate_count == 3 && back.rates[2] == 1600);
  CHECK(back.channel_count == 3 && back.channels[2].equals("az"));
  CHECK(back.active == 2 && back.slots[1].crc32 == 0xDEADBEEF && back.slots[1].arena_bytes == 9000);
  CHECK(back.counters.short_frames == 4 && back.device_id[7] == 0xA7);
  // Every shorter body is refused; a longer one (a later version's fields) is read.
  for (size_t len = 0; len < w.size(); len++) {
    ByteReader shorter(buf, len);
    CHECK(!read_hello(shorter, &back));
  }
  buf[w.size()] = 0x77;
  ByteReader longer(buf, w.size() + 1);
  CHECK(read_hello(longer, &back));

  // DATA, both encodings.
  SampleBlock block;
  block.time_us = 0x0102030405060708ull;
  block.count = 2;
  block.channels = 3;
  w = ByteWriter(buf, sizeof buf);
  write_sample_header(w, block);
  for (float v : {1.0f, -2.5f, 3.25f, 0.0f, 1e-3f, -7.0f}) w.f32(v);
  CHECK_EQ(w.size(), 12u + 24u);
  SampleBlock got;
  r = ByteReader(buf, w.size());
  CHECK(read_sample_block(r, &got));
  CHECK(got.time_us == block.time_us && got.count == 2 && got.channels == 3);
  CHECK(got.value(1) == -2.5f && got.value(5) == -7.0f);
  r = ByteReader(buf, w.size() - 1);
  CHECK(!read_sample_block(r, &got));
  block.encoding = kEncodingI16;
  block.scale = 0.5f;
  block.count = 1;
  block.channels = 2;
  w = ByteWriter(buf, sizeof buf);
  write_sample_header(w, block);
  w.u16(static_cast<uint16_t>(-4));
  w.u16(3);
  r = ByteReader(buf, w.size());
  CHECK(read_sample_block(r, &got));
  CHECK(got.scale == 0.5f && got.value(0) == -2.0f && got.value(1) == 1.5f);
  buf[11] = 9;  // an unknown encoding
  r = ByteReader(buf, w.size());
  CHECK(!read_sample_block(r, &got));

  // INFERENCE.
  const int8_t outputs[3] = {-128, 5, 127};
  Inference inf;
  inf.window_end_us = 123456789;
  inf.model_crc32 = 0xCAFEF00D;
  inf.latency_us = 321;
  inf.instructions = 0;
  inf.count = 3;
  inf.outputs = outputs;
  inf.score = NAN;
  w = ByteWriter(buf, sizeof buf);
  write_inference(w, inf);
  CHECK_EQ(w.size(), 8u + 4 + 4 + 4 + 1 + 3 + 4);
  Inference inf_back;
  r = ByteReader(buf, w.size());
  CHECK(read_inference(r, &inf_back));
  CHECK(inf_back.count == 3 && inf_back.outputs[0] == -128 && inf_back.outputs[2] == 127);
  CHECK(std::isnan(inf_back.score) && inf_back.model_crc32 == 0xCAFEF00D);

  // NAK with its message, ACK with its reply, LOG.
  Nak nak{kModelChunk, kOutOfOrder, 4088, {"resend", 6}};
  w = ByteWriter(buf, sizeof buf);
  write_nak(w, nak);
  Nak nak_back;
  r = ByteReader(buf, w.size());
  CHECK(read_nak(r, &nak_back));
  CHECK(nak_back.code == kOutOfOrder && nak_back.detail == 4088 && nak_back.message.equals("resend"));
  r = ByteReader(buf, 5);
  CHECK(!read_nak(r, &nak_back));
  const uint8_t next[4] = {0x00, 0x10, 0, 0};
  w = ByteWriter(buf, sizeof buf);
  write_ack(w, kModelChunk, next, 4);
  Ack a;
  r = ByteReader(buf, w.size());
  CHECK(read_ack(r, &a) && a.type == kModelChunk && a.reply_length == 4 && a.reply[1] == 0x10);
  r = ByteReader(buf, 0);
  CHECK(!read_ack(r, &a));
  Log log{kWarn, {"hot", 3}};
  w = ByteWriter(buf, sizeof buf);
  write_log(w, log);
  Log log_back;
  r = ByteReader(buf, w.size());
  CHECK(read_log(r, &log_back) && log_back.level == kWarn && log_back.text.equals("hot"));

  // MODEL_BEGIN, chunks, the commit's slots.
  w = ByteWriter(buf, sizeof buf);
  write_model_begin(w, {1000, 0x11223344, 7});
  ModelBegin mb;
  r = ByteReader(buf, w.size());
  CHECK(read_model_begin(r, &mb) && mb.size == 1000 && mb.crc32 == 0x11223344 && mb.model_id == 7);
  r = ByteReader(buf, 11);
  CHECK(!read_model_begin(r, &mb));
  SlotsReply sr;
  sr.active = 1;
  sr.slots[0] = {kSlotValid, 1, 2, 3, 4};
  sr.slots[1] = {kSlotDamaged, 5, 6, 7, 8};
  w = ByteWriter(buf, sizeof buf);
  write_slots_reply(w, sr);
  CHECK_EQ(w.size(), 35u);
  SlotsReply sr_back;
  r = ByteReader(buf, w.size());
  CHECK(read_slots_reply(r, &sr_back) && sr_back.slots[1].state == kSlotDamaged && sr_back.slots[1].arena_bytes == 8);
}

void test_stream_decoder() {
  StreamDecoder d;
  std::vector<Frame> got;
  std::vector<Bytes> bodies;
  auto feed = [&](const Bytes& bytes, size_t step) {
    for (size_t at = 0; at < bytes.size();) {
      size_t n = std::min(step, bytes.size() - at);
      while (n) {
        Frame f;
        bool ok;
        const size_t used = d.feed(bytes.data() + at, n, &f, &ok);
        at += used;
        n -= used;
        if (ok) {
          got.push_back(f);
          bodies.emplace_back(f.body, f.body + f.body_length);
        }
      }
    }
  };
  const Bytes a = wire_of(kHelloReq, 1, {});
  const Bytes b = wire_of(kSetRate, 2, {0x90, 0x01, 0, 0});
  Bytes stream = {0x00, 0x00};  // empty frames: ignored, not counted
  stream.insert(stream.end(), a.begin(), a.end());
  // Garbage with no zero in it: glued to the next frame and so dropped with it (its first
  // byte, 'h', is a COBS code running past the end).
  Bytes garbage = {'h', 'e', 'l', 'l', 'o', '\n'};
  stream.insert(stream.end(), garbage.begin(), garbage.end());
  stream.insert(stream.end(), b.begin(), b.end());
  // Resynchronized: the same frame again after a zero.
  stream.push_back(0);
  stream.insert(stream.end(), b.begin(), b.end());
  // A short frame, a bad code, a frame whose CRC is wrong.
  Bytes shortf = {0x04, 1, 2, 3, 0};
  stream.insert(stream.end(), shortf.begin(), shortf.end());
  Bytes badcode = {0x09, 1, 2, 0};
  stream.insert(stream.end(), badcode.begin(), badcode.end());
  Bytes corrupt = b;
  corrupt[1] ^= 0x40;  // the type byte: only the CRC can tell
  stream.insert(stream.end(), corrupt.begin(), corrupt.end());
  for (size_t step : {size_t{1}, size_t{3}, size_t{64}, size_t{4096}}) {
    d = StreamDecoder();
    got.clear();
    bodies.clear();
    feed(stream, step);
    CHECK_EQ(got.size(), 2u);
    if (got.size() == 2) {
      CHECK(got[0].type == kHelloReq && got[0].seq == 1);
      CHECK(got[1].type == kSetRate && got[1].seq == 2 && bodies[1] == Bytes({0x90, 0x01, 0, 0}));
    }
    CHECK_EQ(d.drops().crc, 1u);
    CHECK_EQ(d.drops().short_frames, 1u);
    CHECK_EQ(d.drops().cobs, 2u);
    CHECK_EQ(d.drops().oversize, 0u);
    CHECK_EQ(d.frames(), 2u);
  }

  // The largest body passes; one byte more is oversize; so is a run of 5,000 non-zero bytes.
  d = StreamDecoder();
  got.clear();
  bodies.clear();
  feed(wire_of(kModelChunk, 9, Bytes(kMaxBody, 0x5A)), 100);
  CHECK_EQ(got.size(), 1u);
  CHECK(bodies.size() == 1 && bodies[0].size() == kMaxBody);
  feed(wire_of(kModelChunk, 9, Bytes(kMaxBody + 1, 0x5A)), 100);
  CHECK_EQ(d.drops().oversize, 1u);
  Bytes flood(5000, 0x42);
  flood.push_back(0);
  feed(flood, 333);
  CHECK_EQ(d.drops().oversize, 2u);
  feed(a, 1);
  CHECK_EQ(got.size(), 2u);
  // A decoder with a smaller maxBody drops bodies above it.
  StreamDecoder small(256);
  Frame f;
  bool ok = false;
  const Bytes big = wire_of(kModelChunk, 1, Bytes(257, 1));
  small.feed(big.data(), big.size(), &f, &ok);
  CHECK(!ok && small.drops().oversize == 1);
}

}  // namespace

int main() {
  test_crc();
  test_cobs();
  test_frames();
  test_stream_decoder();
  return tl::test::finish("test_protocol");
}
