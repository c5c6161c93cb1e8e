// Fuzzing of the stream decoder and the device state machine, under AddressSanitizer and
// UndefinedBehaviorSanitizer: random bytes, and the golden frames mutated (bit flips, bytes
// overwritten, truncations, splices, zeros inserted, re-encoded with a right CRC so that the
// state machine sees mutated bodies, not only drops). FW_FUZZ_CASES cases (default 3,000).
// Checks: no crash or sanitizer report, every case within a time bound, the decoder always
// moving on and never giving a body over maxBody, drops counted, memory bounded (max RSS), and
// after every case the device still answers HELLO_REQ with its seq and keeps its active model.
#include <sys/resource.h>

#include <time.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "anomaly.h"
#include "check.h"
#include "device.h"
#include "fakes.h"
#include "protocol/crc32.h"

using namespace tl;
using namespace tl::test;

// A small quarantine, so that max RSS measures the program's memory, not AddressSanitizer's
// store of freed blocks (256 MB by default).
extern "C" const char* __asan_default_options() { return "quarantine_size_mb=8"; }

namespace {

double cpu_ms() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

Bytes unhex(const std::string& hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return out;
}

Bytes read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(f)), {});
}

struct Corpus {
  std::vector<Bytes> frames;  // type|seq|body|crc
};

Bytes rewire(const Bytes& frame_without_crc) {
  Bytes frame = frame_without_crc;
  put_u32(frame, proto::crc32(frame.data(), frame.size()));
  Bytes out(proto::cobs_max_encoded(frame.size()) + 1);
  out.resize(proto::encode_wire(frame.data(), frame.size(), out.data(), out.size()));
  return out;
}

// One fuzz input: a stream of frames and garbage.
Bytes make_case(std::mt19937& rng, const Corpus& corpus) {
  Bytes out;
  const int pieces = 1 + static_cast<int>(rng() % 12);
  for (int p = 0; p < pieces; p++) {
    const unsigned kind = rng() % 8;
    if (kind == 0 || corpus.frames.empty()) {
      Bytes junk(rng() % 300);
      for (uint8_t& b : junk) b = static_cast<uint8_t>(rng() % 4 == 0 ? 0 : rng());
      out.insert(out.end(), junk.begin(), junk.end());
      continue;
    }
    Bytes f = corpus.frames[rng() % corpus.frames.size()];
    Bytes body(f.begin(), f.end() - 4);  // mutate the frame, then give it a right CRC
    const unsigned mutations = rng() % 4;
    for (unsigned m = 0; m < mutations && !body.empty(); m++) {
      switch (rng() % 6) {
        case 0:
          body[rng() % body.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
          break;
        case 1:
          body[rng() % body.size()] = static_cast<uint8_t>(rng());
          break;
        case 2:
          body.resize(rng() % (body.size() + 1));
          break;
        case 3: {
          const Bytes& other = corpus.frames[rng() % corpus.frames.size()];
          const size_t at = rng() % (body.size() + 1);
          body.insert(body.begin() + static_cast<long>(at), other.begin(), other.begin() + static_cast<long>(rng() % other.size()));
          break;
        }
        case 4:
          body.insert(body.begin() + static_cast<long>(rng() % (body.size() + 1)), 0);
          break;
        case 5:
          // Host commands mostly: the device answers those.
          body[0] = static_cast<uint8_t>(rng() % 0x14);
          break;
      }
    }
    Bytes w;
    if (rng() % 4 == 0) {
      // The original wire bytes, damaged after encoding: drops.
      w = rewire(Bytes(f.begin(), f.end() - 4));
      w[rng() % w.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
      if (rng() % 2) w.resize(rng() % w.size());
    } else {
      w = rewire(body);
    }
    out.insert(out.end(), w.begin(), w.end());
  }
  return out;
}

}  // namespace

int main() {
  const char* env = std::getenv("FW_FUZZ_CASES");
  const long cases = env ? std::atol(env) : 3000;
  Corpus corpus;
  {
    std::ifstream in(TL_GOLDEN_PATH);
    if (in) {
      const nlohmann::json golden = nlohmann::json::parse(in);
      for (const auto& g : golden["frames"]) corpus.frames.push_back(unhex(g["frame"].get<std::string>()));
    }
  }
  CHECK(corpus.frames.size() >= 20);
  const Bytes tflite = read_file(std::string(TL_FIXTURES_DIR) + "/hello_world_int8.tflite");
  CHECK(!tflite.empty());

  // A device with model A active, made once: every case runs on the state the last one left.
  RamStorage storage;
  FakeClock clock;
  FakeSerial serial;
  FakeSensor sensor;
  alignas(16) static uint8_t arena[16384];
  Interpreter interpreter(arena, sizeof arena);
  fw::DeviceInfo info;
  info.arena_capacity = sizeof arena;
  auto device = std::make_unique<fw::Device>(clock, serial, sensor, storage, interpreter, info);
  device->boot();
  {
    alignas(16) static uint8_t probe_arena[16384];
    Interpreter probe(probe_arena, sizeof probe_arena);
    probe.load(tflite.data(), tflite.size());
    ImageSpec spec;
    spec.input_scale = probe.input_quant().scale;
    spec.input_zero_point = probe.input_quant().zero_point;
    const Bytes img = build_image(spec, tflite);
    Bytes begin;
    put_u32(begin, static_cast<uint32_t>(img.size()));
    put_u32(begin, proto::crc32(img.data(), img.size()));
    put_u32(begin, 1);
    Bytes all = wire(proto::kModelBegin, 1, begin);
    for (size_t off = 0; off < img.size(); off += 1000) {
      Bytes body;
      put_u32(body, static_cast<uint32_t>(off));
      body.insert(body.end(), img.begin() + static_cast<long>(off), img.begin() + static_cast<long>(std::min(off + 1000, img.size())));
      const Bytes w = wire(proto::kModelChunk, 2, body);
      all.insert(all.end(), w.begin(), w.end());
    }
    const Bytes commit = wire(proto::kModelCommit, 3);
    all.insert(all.end(), commit.begin(), commit.end());
    device->receive(all.data(), all.size());
    CHECK_EQ(device->active(), 1u);
  }
  const uint32_t model = device->model_crc32();
  serial.frames();

  std::mt19937 rng(12345);
  proto::StreamDecoder decoder;
  uint64_t bytes_total = 0;
  double slowest_ms = 0;
  uint16_t seq = 0x4000;
  for (long c = 0; c < cases; c++) {
    const Bytes input = make_case(rng, corpus);
    bytes_total += input.size();
    // CPU time, not wall time: a busy machine may stop the process, a hang would not stop.
    const double t0 = cpu_ms();

    // The decoder alone.
    size_t at = 0;
    while (at < input.size()) {
      proto::Frame f;
      bool got = false;
      const size_t used = decoder.feed(input.data() + at, input.size() - at, &f, &got);
      CHECK(used > 0 || at == input.size());
      if (got) CHECK(f.body_length <= proto::kMaxBody);
      at += used;
    }

    // The device: the bytes in pieces, time moving on.
    size_t fed = 0;
    while (fed < input.size()) {
      const size_t n = std::min<size_t>(1 + rng() % 512, input.size() - fed);
      device->receive(input.data() + fed, n);
      fed += n;
      clock.now += rng() % 3000;
      device->poll();
    }
    serial.frames();
    // Still answering, and the model that was active is (unless a whole valid transfer came).
    ++seq;
    const Bytes tail = {0x00};
    device->receive(tail.data(), tail.size());
    const Bytes hello = wire(proto::kHelloReq, seq);
    device->receive(hello.data(), hello.size());
    bool answered = false;
    for (const Sent& s : serial.frames()) answered = answered || (s.type == proto::kHello && s.seq == seq);
    CHECK(answered);
    if (device->active() == 0 || device->model_crc32() != model) {
      std::fprintf(stderr, "case %ld: the active model changed\n", c);
      CHECK(false);
      break;
    }
    const double ms = cpu_ms() - t0;
    if (ms > slowest_ms) slowest_ms = ms;
    if (tl::test::failures() > 20) break;
  }
  // Model images of the anomaly kinds, mutated, parsed and (where parsed) scored: every read of
  // the parser and the Gaussian's in-place constants under the sanitizers. FW_FUZZ_CASES × 4.
  {
    ImageSpec g;
    g.channels = {"x", "y", "z"};
    g.kind = 2;  // stats, 15 features
    g.classes = {};
    g.model_kind = 2;
    g.threshold = 3;
    g.mean.assign(15, 0.5);
    g.std.assign(15, 2);
    g.gaussian_mean.assign(15, 0.25);
    g.precision.assign(225, 0.125);
    ImageSpec a;
    a.classes = {};
    a.model_kind = 1;
    a.threshold = 0.5;
    a.input_scale = 0.1f;
    a.output_scale = 0.1f;
    const Bytes seeds[2] = {build_image(g, {}), build_image(a, tflite)};
    const fw::ImageLimits limits{1024, 4096, 8};
    size_t parsed = 0;
    for (long c = 0; c < 4 * cases; c++) {
      Bytes img = seeds[c % 2];
      const unsigned mutations = 1 + rng() % 4;
      for (unsigned m = 0; m < mutations; m++) {
        switch (rng() % 4) {
          case 0:
            img[rng() % img.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
            break;
          case 1:
            img[rng() % std::min<size_t>(img.size(), 72)] = static_cast<uint8_t>(rng());
            break;
          case 2: {
            // Cut, with the sizes in the header made to agree.
            img.resize(rng() % (img.size() + 1));
            const uint32_t n = static_cast<uint32_t>(img.size());
            if (n >= 20) {
              std::memcpy(img.data() + 8, &n, 4);
              if (rng() % 2) std::memcpy(img.data() + 12, &n, 4);
            }
            break;
          }
          case 3:
            img.insert(img.begin() + static_cast<long>(rng() % (img.size() + 1)), static_cast<uint8_t>(rng()));
            break;
        }
        if (img.empty()) break;
      }
      // Off any alignment, as a slot's bytes may be.
      Bytes shifted(img.size() + 1);
      if (!img.empty()) std::memcpy(shifted.data() + 1, img.data(), img.size());
      fw::ModelImage m;
      if (!fw::parse_model_image(shifted.data() + 1, img.size(), limits, &m).ok) continue;
      parsed++;
      if (m.model_kind == fw::ModelKind::Gaussian) {
        float x[4096];
        double d[fw::kMaxGaussianFeatures];
        for (size_t i = 0; i < m.feature_count; i++) x[i] = static_cast<float>(i) * 0.5f;
        (void)fw::gaussian_score(m, x, d);
      }
    }
    std::printf("%ld anomaly images mutated, %zu parsed\n", 4 * cases, parsed);
    CHECK(parsed > 0);
  }

  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  const proto::DropCounters& d = decoder.drops();
  const proto::DropCounters& dd = device->drops();
  std::printf("%ld cases, %llu bytes; decoder: %u frames, drops crc %u cobs %u oversize %u short %u; "
              "device drops crc %u cobs %u oversize %u short %u; slowest case %.1f ms of CPU; max RSS %ld MB\n",
              cases, static_cast<unsigned long long>(bytes_total), decoder.frames(), d.crc, d.cobs,
              d.oversize, d.short_frames, dd.crc, dd.cobs, dd.oversize, dd.short_frames, slowest_ms,
              usage.ru_maxrss / 1024);
  CHECK(d.crc + d.cobs + d.oversize + d.short_frames > 0);
  CHECK(slowest_ms < 2000);
  CHECK(usage.ru_maxrss / 1024 < 100);
  return tl::test::finish("fuzz_device");
}
