// The golden frames shared with the TypeScript codec (tests/golden/frames.json): every `wire`
// decodes to its `frame` and to the same fields, and the fields encode to the same bytes.
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "check.h"
#include "protocol/frames.h"
#include "protocol/stream_decoder.h"

using namespace tl::proto;
using json = nlohmann::json;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes unhex(const std::string& hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::string text(const Text& t) { return std::string(t.data ? t.data : "", t.length); }

uint8_t type_of(const std::string& name) {
  static const std::pair<const char*, uint8_t> names[] = {
      {"HELLO_REQ", kHelloReq},     {"START", kStart},         {"STOP", kStop},
      {"SET_RATE", kSetRate},       {"SET_SOURCE", kSetSource}, {"SAMPLES", kSamples},
      {"INPUT", kInput},            {"MODEL_BEGIN", kModelBegin}, {"MODEL_CHUNK", kModelChunk},
      {"MODEL_COMMIT", kModelCommit}, {"MODEL_ABORT", kModelAbort}, {"HELLO", kHello},
      {"ACK", kAck},                {"NAK", kNak},             {"DATA", kData},
      {"INFERENCE", kInference},    {"LOG", kLog}};
  for (const auto& [n, t] : names)
    if (name == n) return t;
  return 0;
}

SlotInfo slot_of(const json& j) {
  return {j["state"].get<uint8_t>(), j["size"].get<uint32_t>(), j["crc32"].get<uint32_t>(),
          j["modelId"].get<uint32_t>(), j["arenaBytes"].get<uint32_t>()};
}

bool same_slot(const SlotInfo& a, const json& j) {
  const SlotInfo b = slot_of(j);
  return a.state == b.state && a.size == b.size && a.crc32 == b.crc32 &&
         a.model_id == b.model_id && a.arena_bytes == b.arena_bytes;
}

bool same_float(float a, const json& j) {
  if (j.is_null()) return std::isnan(a);
  return a == j.get<float>();
}

// Decodes `body` as `type`, compares it with `f`, and writes `f` back: the encoded body.
Bytes check_body(uint8_t type, const Bytes& body, const json& f, const std::string& name) {
  uint8_t out[kMaxBody + 64];
  ByteWriter w(out, sizeof out);
  ByteReader r(body.data(), body.size());
  const int before = tl::test::failures();
  switch (type) {
    case kHelloReq:
    case kStart:
    case kStop:
    case kModelCommit:
    case kModelAbort:
      break;
    case kSetRate:
      CHECK_EQ(r.u32(), f["rateHz"].get<uint32_t>());
      w.u32(f["rateHz"].get<uint32_t>());
      break;
    case kSetSource:
      CHECK_EQ(r.u8(), f["source"].get<uint8_t>());
      w.u8(f["source"].get<uint8_t>());
      break;
    case kSamples:
    case kData: {
      SampleBlock b;
      CHECK(read_sample_block(r, &b));
      CHECK_EQ(b.time_us, f["timeUs"].get<uint64_t>());
      CHECK_EQ(b.count, f["count"].get<uint16_t>());
      CHECK_EQ(b.channels, f["channels"].get<uint8_t>());
      CHECK_EQ(b.encoding, f["encoding"].get<uint8_t>());
      const json& values = f["values"];
      CHECK_EQ(values.size(), static_cast<size_t>(b.count) * b.channels);
      SampleBlock e;
      e.time_us = f["timeUs"].get<uint64_t>();
      e.count = f["count"].get<uint16_t>();
      e.channels = f["channels"].get<uint8_t>();
      e.encoding = f["encoding"].get<uint8_t>();
      if (e.encoding == kEncodingI16) {
        e.scale = f["scale"].get<float>();
        CHECK(b.scale == e.scale);
      }
      write_sample_header(w, e);
      for (size_t i = 0; i < values.size(); i++) {
        if (e.encoding == kEncodingI16) {
          // The golden values are the i16s as sent.
          const int16_t raw = values[i].get<int16_t>();
          CHECK(b.value(i) == static_cast<float>(raw) * b.scale);
          w.u16(static_cast<uint16_t>(raw));
        } else {
          CHECK(b.value(i) == values[i].get<float>());
          w.f32(values[i].get<float>());
        }
      }
      break;
    }
    case kInput:
    case kModelChunk: {
      Chunk c;
      CHECK(read_chunk(r, &c));
      const Bytes bytes = unhex(f["bytes"].get<std::string>());
      CHECK_EQ(c.offset, f["offset"].get<uint32_t>());
      CHECK(Bytes(c.bytes, c.bytes + c.length) == bytes);
      write_chunk(w, {f["offset"].get<uint32_t>(), bytes.data(), bytes.size()});
      break;
    }
    case kModelBegin: {
      ModelBegin m;
      CHECK(read_model_begin(r, &m));
      CHECK_EQ(m.size, f["size"].get<uint32_t>());
      CHECK_EQ(m.crc32, f["crc32"].get<uint32_t>());
      CHECK_EQ(m.model_id, f["modelId"].get<uint32_t>());
      write_model_begin(w, {f["size"].get<uint32_t>(), f["crc32"].get<uint32_t>(), f["modelId"].get<uint32_t>()});
      break;
    }
    case kHello: {
      Hello h;
      CHECK(read_hello(r, &h));
      CHECK_EQ(h.protocol, f["protocol"].get<uint8_t>());
      for (int i = 0; i < 3; i++) CHECK_EQ(h.firmware[i], f["firmware"][i].get<uint8_t>());
      const Bytes id = unhex(f["deviceId"].get<std::string>());
      CHECK(id.size() == 8 && std::memcmp(h.device_id, id.data(), 8) == 0);
      CHECK(text(h.board) == f["board"].get<std::string>());
      CHECK_EQ(h.max_body, f["maxBody"].get<uint16_t>());
      CHECK_EQ(h.window, f["window"].get<uint8_t>());
      CHECK_EQ(h.model_capacity, f["modelCapacity"].get<uint32_t>());
      CHECK_EQ(h.arena_capacity, f["arenaCapacity"].get<uint32_t>());
      CHECK(same_float(h.rate_hz, f["rateHz"]));
      CHECK_EQ(h.rate_count, f["rates"].size());
      for (size_t i = 0; i < h.rate_count; i++) CHECK_EQ(h.rates[i], f["rates"][i].get<uint32_t>());
      CHECK_EQ(h.channel_count, f["channels"].size());
      for (size_t i = 0; i < h.channel_count; i++)
        CHECK(text(h.channels[i]) == f["channels"][i].get<std::string>());
      CHECK_EQ(h.flags, f["flags"].get<uint8_t>());
      CHECK_EQ(h.active, f["active"].get<uint8_t>());
      CHECK(same_slot(h.slots[0], f["slots"][0]) && same_slot(h.slots[1], f["slots"][1]));
      CHECK_EQ(h.counters.crc, f["counters"]["crc"].get<uint32_t>());
      CHECK_EQ(h.counters.cobs, f["counters"]["cobs"].get<uint32_t>());
      CHECK_EQ(h.counters.oversize, f["counters"]["oversize"].get<uint32_t>());
      CHECK_EQ(h.counters.short_frames, f["counters"]["short"].get<uint32_t>());

      Hello e;
      e.protocol = f["protocol"].get<uint8_t>();
      for (int i = 0; i < 3; i++) e.firmware[i] = f["firmware"][i].get<uint8_t>();
      std::memcpy(e.device_id, id.data(), 8);
      const std::string board = f["board"].get<std::string>();
      e.board = {board.data(), board.size()};
      e.max_body = f["maxBody"].get<uint16_t>();
      e.window = f["window"].get<uint8_t>();
      e.model_capacity = f["modelCapacity"].get<uint32_t>();
      e.arena_capacity = f["arenaCapacity"].get<uint32_t>();
      e.rate_hz = f["rateHz"].get<float>();
      e.rate_count = static_cast<uint8_t>(f["rates"].size());
      for (size_t i = 0; i < e.rate_count; i++) e.rates[i] = f["rates"][i].get<uint32_t>();
      std::vector<std::string> channels;
      for (const json& c : f["channels"]) channels.push_back(c.get<std::string>());
      e.channel_count = static_cast<uint8_t>(channels.size());
      for (size_t i = 0; i < channels.size(); i++) e.channels[i] = {channels[i].data(), channels[i].size()};
      e.flags = f["flags"].get<uint8_t>();
      e.active = f["active"].get<uint8_t>();
      e.slots[0] = slot_of(f["slots"][0]);
      e.slots[1] = slot_of(f["slots"][1]);
      e.counters = {f["counters"]["crc"].get<uint32_t>(), f["counters"]["cobs"].get<uint32_t>(),
                    f["counters"]["oversize"].get<uint32_t>(), f["counters"]["short"].get<uint32_t>()};
      write_hello(w, e);
      break;
    }
    case kAck: {
      Ack a;
      CHECK(read_ack(r, &a));
      const uint8_t command = f["command"].get<uint8_t>();
      CHECK_EQ(a.type, command);
      ByteReader reply(a.reply, a.reply_length);
      uint8_t body_out[64];
      ByteWriter rw(body_out, sizeof body_out);
      if (command == kModelBegin) {
        CHECK_EQ(reply.u16(), f["chunk"].get<uint16_t>());
        rw.u16(f["chunk"].get<uint16_t>());
      } else if (command == kModelChunk) {
        CHECK_EQ(reply.u32(), f["next"].get<uint32_t>());
        rw.u32(f["next"].get<uint32_t>());
      } else if (command == kModelCommit) {
        SlotsReply s;
        CHECK(read_slots_reply(reply, &s));
        CHECK_EQ(s.active, f["active"].get<uint8_t>());
        CHECK(same_slot(s.slots[0], f["slots"][0]) && same_slot(s.slots[1], f["slots"][1]));
        SlotsReply e;
        e.active = f["active"].get<uint8_t>();
        e.slots[0] = slot_of(f["slots"][0]);
        e.slots[1] = slot_of(f["slots"][1]);
        write_slots_reply(rw, e);
      }
      CHECK(reply.ok());
      write_ack(w, command, body_out, rw.size());
      break;
    }
    case kNak: {
      Nak n;
      CHECK(read_nak(r, &n));
      CHECK_EQ(n.type, f["command"].get<uint8_t>());
      CHECK_EQ(n.code, f["code"].get<uint8_t>());
      CHECK_EQ(n.detail, f["detail"].get<uint32_t>());
      const std::string message = f["message"].get<std::string>();
      CHECK(text(n.message) == message);
      write_nak(w, {f["command"].get<uint8_t>(), f["code"].get<uint8_t>(), f["detail"].get<uint32_t>(),
                    {message.data(), message.size()}});
      break;
    }
    case kInference: {
      Inference inf;
      CHECK(read_inference(r, &inf));
      CHECK_EQ(inf.window_end_us, f["windowEndUs"].get<uint64_t>());
      CHECK_EQ(inf.model_crc32, f["modelCrc32"].get<uint32_t>());
      CHECK_EQ(inf.latency_us, f["latencyUs"].get<uint32_t>());
      CHECK_EQ(inf.instructions, f["instructions"].get<uint32_t>());
      CHECK_EQ(inf.count, f["outputs"].size());
      std::vector<int8_t> outputs;
      for (const json& o : f["outputs"]) outputs.push_back(o.get<int8_t>());
      for (size_t i = 0; i < inf.count; i++) CHECK_EQ(inf.outputs[i], outputs[i]);
      CHECK(same_float(inf.score, f["score"]));
      Inference e;
      e.window_end_us = f["windowEndUs"].get<uint64_t>();
      e.model_crc32 = f["modelCrc32"].get<uint32_t>();
      e.latency_us = f["latencyUs"].get<uint32_t>();
      e.instructions = f["instructions"].get<uint32_t>();
      e.count = static_cast<uint8_t>(outputs.size());
      e.outputs = outputs.data();
      e.score = f["score"].is_null() ? NAN : f["score"].get<float>();
      write_inference(w, e);
      break;
    }
    case kLog: {
      Log l;
      CHECK(read_log(r, &l));
      CHECK_EQ(l.level, f["level"].get<uint8_t>());
      const std::string t = f["text"].get<std::string>();
      CHECK(text(l.text) == t);
      write_log(w, {f["level"].get<uint8_t>(), {t.data(), t.size()}});
      break;
    }
    default:
      CHECK(!"a golden frame of a type the codec does not know");
  }
  CHECK(w.ok());
  if (tl::test::failures() != before) std::fprintf(stderr, "  in golden frame %s\n", name.c_str());
  return Bytes(out, out + w.size());
}

}  // namespace

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "tests/golden/frames.json";
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path);
    return 1;
  }
  const json golden = json::parse(in);
  size_t count = 0;
  for (const json& g : golden["frames"]) {
    const std::string name = g["name"].get<std::string>();
    const uint8_t type = type_of(g["type"].get<std::string>());
    const uint16_t seq = g["seq"].get<uint16_t>();
    const Bytes frame = unhex(g["frame"].get<std::string>());
    const Bytes wire = unhex(g["wire"].get<std::string>());
    const int before = tl::test::failures();
    CHECK(type != 0);

    // Decoding: the stream decoder gives the frame, with nothing dropped.
    StreamDecoder decoder;
    Frame f;
    bool got = false;
    const size_t used = decoder.feed(wire.data(), wire.size(), &f, &got);
    CHECK(got && used == wire.size());
    if (!got) {
      std::fprintf(stderr, "  golden frame %s did not decode\n", name.c_str());
      continue;
    }
    CHECK_EQ(f.type, type);
    CHECK_EQ(f.seq, seq);
    CHECK(Bytes(f.body - 3, f.body + f.body_length + 4) == frame);
    const Bytes body(f.body, f.body + f.body_length);

    // Encoding: the fields give the same body, frame and wire bytes.
    const Bytes encoded_body = check_body(type, body, g["fields"], name);
    CHECK(encoded_body == body);
    uint8_t frame_out[kMaxFrame];
    const size_t n = encode_frame(type, seq, encoded_body.data(), encoded_body.size(), frame_out, sizeof frame_out);
    CHECK(Bytes(frame_out, frame_out + n) == frame);
    uint8_t wire_out[kMaxWire];
    const size_t m = encode_wire(frame_out, n, wire_out, sizeof wire_out);
    CHECK(Bytes(wire_out, wire_out + m) == wire);
    if (tl::test::failures() != before) std::fprintf(stderr, "  golden frame %s differs\n", name.c_str());
    count++;
  }
  CHECK(count >= 20);
  std::printf("%zu golden frames\n", count);
  return tl::test::finish("test_golden");
}
