// The anomaly model kinds (docs/anomaly.md, docs/protocol.md "The model image"): images of an
// autoencoder (kind 1: TFLM's hello_world int8, one value in and one out, is one) and of a
// Gaussian (kind 2: no .tflite, its mean and precision read in place from the slot), parsed,
// refused when wrong, flashed, scored through INPUT and on the device's own windows, and kept
// across a restart. The scores are checked against the app's formulas written out here, and
// against values worked out by hand.
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>

#include "anomaly.h"
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

// The engine on the fixture, for reference outputs.
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

// The app's int8ReconstructionScore (src-main/anomaly/autoencoder-score.ts), written out.
double app_reconstruction(const int8_t* x, const int8_t* y, size_t n, float si, int32_t zi, float so,
                          int32_t zo) {
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    const double a = static_cast<double>(so) * (static_cast<double>(y[i]) - zo);
    const double b = static_cast<double>(si) * (static_cast<double>(x[i]) - zi);
    const double d = a - b;
    const double dd = d * d;
    sum = sum + dd;
  }
  return sum / static_cast<double>(n);
}

// The app's gaussianScore (src-main/anomaly/gaussian.ts), written out: x − mean recomputed in
// the inner loop, as there.
double app_gaussian(const std::vector<double>& mean, const std::vector<double>& precision, const float* x) {
  const size_t n = mean.size();
  double sum = 0;
  for (size_t a = 0; a < n; a++) {
    const double da = static_cast<double>(x[a]) - mean[a];
    double row = 0;
    for (size_t b = 0; b < n; b++) {
      const double p = precision[a * n + b] * (static_cast<double>(x[b]) - mean[b]);
      row = row + p;
    }
    const double t = da * row;
    sum = sum + t;
  }
  return sum;
}

// An autoencoder's image around hello_world: one channel, snapshot features (one value).
ImageSpec autoencoder_spec() {
  Reference ref;
  ImageSpec s;
  s.model_id = 5;
  s.classes = {};
  s.model_kind = 1;
  s.threshold = 0.125;
  s.input_scale = ref.interpreter.input_quant().scale;
  s.input_zero_point = ref.interpreter.input_quant().zero_point;
  s.output_scale = ref.interpreter.output_quant().scale;
  s.output_zero_point = ref.interpreter.output_quant().zero_point;
  return s;
}

// A Gaussian on three channels' stats (15 features): a random symmetric precision.
ImageSpec gaussian_spec(uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  ImageSpec s;
  s.model_id = 6;
  s.channels = {"x", "y", "z"};
  s.kind = 2;  // stats: 5 per channel
  s.classes = {};
  s.model_kind = 2;
  s.threshold = 42.5;
  const size_t n = 15;
  s.mean.assign(n, 0);
  s.std.assign(n, 0);
  for (size_t i = 0; i < n; i++) {
    s.mean[i] = 0.5 * u(rng);
    s.std[i] = 0.2 + std::fabs(u(rng));
    s.gaussian_mean.push_back(0.1 * u(rng));
  }
  s.precision.assign(n * n, 0);
  for (size_t a = 0; a < n; a++)
    for (size_t b = a; b < n; b++) {
      const double v = a == b ? 1.5 + u(rng) : 0.3 * u(rng) / 3.0;
      s.precision[a * n + b] = v;
      s.precision[b * n + a] = v;
    }
  return s;
}

Bytes gaussian_image(const ImageSpec& s) { return build_image(s, {}); }

const fw::ImageLimits kLimits{1024, 4096, 8};

struct Rig {
  FakeClock clock;
  FakeSerial serial;
  FakeSensor sensor;
  RamStorage& storage;
  alignas(16) uint8_t arena[16384];
  Interpreter interpreter{arena, sizeof arena};
  fw::Device device;
  uint16_t seq = 100;

  Rig(RamStorage& s, std::vector<std::string> channels)
      : storage(s), device(clock, serial, sensor, s, interpreter, info()) {
    sensor.names = std::move(channels);
    device.boot();
  }
  static fw::DeviceInfo info() {
    fw::DeviceInfo i;
    i.board = "test";
    i.arena_capacity = 16384;
    return i;
  }
  std::vector<Sent> exchange(const Bytes& bytes) {
    serial.input.insert(serial.input.end(), bytes.begin(), bytes.end());
    while (!serial.input.empty()) device.poll();
    device.poll();
    return serial.frames();
  }
  std::vector<Sent> command(uint8_t type, const Bytes& body = {}) {
    return exchange(wire(type, ++seq, body));
  }
  std::vector<Sent> run(uint64_t us) {
    for (uint64_t t = 0; t < us; t += 1000) {
      clock.now += 1000;
      device.poll();
    }
    return serial.frames();
  }
};

Sent only(const std::vector<Sent>& frames) {
  std::vector<Sent> matching;
  for (const Sent& s : frames)
    if (s.type != proto::kLog) matching.push_back(s);
  if (matching.size() != 1) {
    std::fprintf(stderr, "expected one reply, got %zu\n", matching.size());
    return {0, 0, {}};
  }
  return matching[0];
}

bool is_ack(const Sent& s, uint8_t command) {
  return s.type == proto::kAck && !s.body.empty() && s.body[0] == command;
}
bool is_nak(const Sent& s, uint8_t command, uint8_t code) {
  return s.type == proto::kNak && s.body.size() >= 6 && s.body[0] == command && s.body[1] == code;
}
std::string nak_message(const Sent& s) {
  return s.body.size() > 6 ? std::string(s.body.begin() + 6, s.body.end()) : "";
}

// A whole transfer in chunks of 1,024 bytes, one at a time: the commit's reply, or the refusal.
Sent flash(Rig& rig, const Bytes& img) {
  Bytes begin;
  put_u32(begin, static_cast<uint32_t>(img.size()));
  put_u32(begin, proto::crc32(img.data(), img.size()));
  put_u32(begin, 9);
  Sent r = only(rig.command(proto::kModelBegin, begin));
  if (!is_ack(r, proto::kModelBegin)) return r;
  for (size_t at = 0; at < img.size(); at += 1024) {
    Bytes body;
    put_u32(body, static_cast<uint32_t>(at));
    const size_t end = std::min(img.size(), at + 1024);
    body.insert(body.end(), img.begin() + static_cast<long>(at), img.begin() + static_cast<long>(end));
    r = only(rig.command(proto::kModelChunk, body));
    if (!is_ack(r, proto::kModelChunk)) return r;
  }
  return only(rig.command(proto::kModelCommit));
}

// INPUT of `bytes` in parts of `part` bytes: the last reply.
Sent input(Rig& rig, const Bytes& bytes, size_t part = 1000) {
  Sent r{0, 0, {}};
  for (size_t at = 0; at < bytes.size(); at += part) {
    Bytes body;
    put_u32(body, static_cast<uint32_t>(at));
    const size_t end = std::min(bytes.size(), at + part);
    body.insert(body.end(), bytes.begin() + static_cast<long>(at), bytes.begin() + static_cast<long>(end));
    r = only(rig.command(proto::kInput, body));
  }
  return r;
}

Bytes f32_bytes(const std::vector<float>& values) {
  Bytes b;
  for (float v : values) put_f32(b, v);
  return b;
}

bool inference_of(const Sent& s, proto::Inference* inf) {
  if (s.type != proto::kInference) return false;
  ByteReader r(s.body.data(), s.body.size());
  return proto::read_inference(r, inf);
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, 4) == 0; }

void test_scores_by_hand() {
  // (0.5·(3 − 1) − 0.25·(2 − (−2)))² = 0 and (0.5·(−1 − 1) − 0.25·(6 + 2))² = 9: mean 4.5.
  const int8_t x[2] = {2, 6};
  const int8_t y[2] = {3, -1};
  CHECK(fw::autoencoder_score(x, y, 2, 0.25f, -2, 0.5f, 1) == 4.5);
  // A Gaussian of P = diag(2, 2, 2) about (1, 0, −1): 2·(0² + 2² + 4²) = 40.
  ImageSpec s;
  s.channels = {"x", "y", "z"};
  s.kind = 1;
  s.classes = {};
  s.model_kind = 2;
  s.normalized = false;
  s.mean = {};
  s.std = {};
  s.gaussian_mean = {1, 0, -1};
  s.precision = {2, 0, 0, 0, 2, 0, 0, 0, 2};
  const Bytes img = gaussian_image(s);
  fw::ModelImage m;
  CHECK(fw::parse_model_image(img.data(), img.size(), kLimits, &m).ok);
  const float features[3] = {1, 2, 3};
  double scratch[3];
  CHECK(fw::gaussian_score(m, features, scratch) == 40.0);
  // The rounding of the app's order, not another's: the same random cases bit for bit.
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(-4, 4);
  const ImageSpec g = gaussian_spec(2);
  const Bytes gimg = gaussian_image(g);
  CHECK(fw::parse_model_image(gimg.data(), gimg.size(), kLimits, &m).ok);
  for (int k = 0; k < 200; k++) {
    float v[15];
    for (float& f : v) f = static_cast<float>(u(rng));
    double d[15];
    CHECK(fw::gaussian_score(m, v, d) == app_gaussian(g.gaussian_mean, g.precision, v));
    int8_t xi[15], yi[15];
    for (size_t i = 0; i < 15; i++) {
      xi[i] = static_cast<int8_t>(rng());
      yi[i] = static_cast<int8_t>(rng());
    }
    CHECK(fw::autoencoder_score(xi, yi, 15, 0.0371f, -5, 0.0123f, 17) ==
          app_reconstruction(xi, yi, 15, 0.0371f, -5, 0.0123f, 17));
  }
}

void test_parse() {
  // The Gaussian: no .tflite, its constants in place, read unaligned.
  const ImageSpec g = gaussian_spec();
  const Bytes img = gaussian_image(g);
  fw::ModelImage m;
  fw::ImageCheck c = fw::parse_model_image(img.data(), img.size(), kLimits, &m);
  CHECK(c.ok);
  CHECK(m.model_kind == fw::ModelKind::Gaussian && m.tflite_bytes == 0 && m.tflite_offset == img.size());
  CHECK(m.feature_count == 15 && m.class_count == 0 && m.threshold == 42.5);
  Bytes shifted(img.size() + 5);
  std::memcpy(shifted.data() + 5, img.data(), img.size());
  CHECK(fw::parse_model_image(shifted.data() + 5, img.size(), kLimits, &m).ok);
  for (size_t i = 0; i < 15; i++) CHECK(m.gaussian_mean(i) == g.gaussian_mean[i]);
  for (size_t i = 0; i < 225; i++) CHECK(m.precision(i) == g.precision[i]);
  CHECK(m.mean(14) == g.mean[14] && m.std(14) == g.std[14]);

  // The autoencoder: a .tflite, its threshold.
  const ImageSpec a = autoencoder_spec();
  const Bytes aimg = build_image(a, hello_world());
  c = fw::parse_model_image(aimg.data(), aimg.size(), kLimits, &m);
  CHECK(c.ok);
  CHECK(m.model_kind == fw::ModelKind::Autoencoder && m.tflite_bytes == hello_world().size());
  CHECK(m.threshold == 0.125);

  auto refused = [&](const Bytes& bytes, const char* expect) {
    fw::ModelImage out;
    const fw::ImageCheck r = fw::parse_model_image(bytes.data(), bytes.size(), kLimits, &out);
    const bool ok = !r.ok && r.message && std::strstr(r.message, expect);
    if (!ok)
      std::fprintf(stderr, "  expected a refusal with \"%s\", got %s\n", expect, r.ok ? "ok" : r.message);
    CHECK(ok);
  };
  {
    // A Gaussian with a .tflite.
    refused(build_image(g, hello_world()), "carries no .tflite");
    // Classes.
    ImageSpec s = g;
    s.classes = {"normal"};
    refused(gaussian_image(s), "has no classes");
    // One precision short: the constants run past the end.
    s = g;
    s.precision.pop_back();
    refused(gaussian_image(s), "run past the end");
    // One precision too many: left over before the (empty) .tflite.
    s = g;
    s.precision.push_back(1.0);
    refused(gaussian_image(s), "padding");
    // A mean short, a mean too long.
    s = g;
    s.gaussian_mean.pop_back();
    refused(gaussian_image(s), "run past the end");
    // Not finite.
    s = g;
    s.precision[17] = INFINITY;
    refused(gaussian_image(s), "precision is not finite");
    s = g;
    s.gaussian_mean[3] = NAN;
    refused(gaussian_image(s), "mean is not finite");
    s = g;
    s.threshold = NAN;
    refused(gaussian_image(s), "threshold is not a number");
    // No threshold at all (nor constants): the names end the image.
    s = g;
    s.model_kind = 0;
    Bytes bare = gaussian_image(s);
    bare[49] = 2;
    refused(bare, "");
  }
  {
    // Too many features: 257 spectral bands of one channel (refused before its constants).
    ImageSpec s;
    s.kind = 3;
    s.bands = 257;
    s.classes = {};
    s.model_kind = 2;
    s.normalized = false;
    s.mean = {};
    s.std = {};
    s.gaussian_mean.assign(257, 0);
    s.precision.assign(257 * 257, 0);
    refused(gaussian_image(s), "more features than the device takes");
    // 256 are taken.
    s.bands = 256;
    s.gaussian_mean.assign(256, 0);
    s.precision.assign(256 * 256, 0);
    const Bytes most = gaussian_image(s);
    CHECK(fw::parse_model_image(most.data(), most.size(), kLimits, &m).ok);
    // A port's lower limit.
    fw::ImageLimits small = kLimits;
    small.max_gaussian_features = 64;
    CHECK(!fw::parse_model_image(most.data(), most.size(), small, &m).ok);
  }
  {
    // The autoencoder: more than 255 features, classes, no output quantization, no .tflite.
    ImageSpec s = a;
    s.kind = 3;
    s.bands = 256;
    s.normalized = false;
    refused(build_image(s, hello_world()), "more than 255 features");
    s = a;
    s.classes = {"x"};
    refused(build_image(s, hello_world()), "has no classes");
    s = a;
    s.output_scale = 0;
    refused(build_image(s, hello_world()), "output quantization is not int8");
    s = a;
    s.output_zero_point = 200;
    refused(build_image(s, hello_world()), "output quantization is not int8");
    refused(build_image(a, {}), "has no .tflite");
    // An unknown kind.
    Bytes unknown = aimg;
    unknown[49] = 3;
    refused(unknown, "model kind is unknown");
  }
  // Every truncation (with its total size made to agree) and every single byte changed in the
  // Gaussian's variable part: refused or parsed, never read out of bounds (CTest's ASan build
  // of the fuzz harness covers the same parser; here the values are checked).
  for (size_t n = 0; n < img.size(); n++) {
    Bytes cut(img.begin(), img.begin() + static_cast<long>(n));
    if (n >= 16) {
      const uint32_t size = static_cast<uint32_t>(n);
      std::memcpy(cut.data() + 8, &size, 4);
      std::memcpy(cut.data() + 12, &size, 4);
    }
    fw::ModelImage out;
    CHECK(!fw::parse_model_image(cut.data(), cut.size(), kLimits, &out).ok);
  }
}

void test_gaussian_on_device() {
  RamStorage storage(16384);
  auto rig = std::make_unique<Rig>(storage, std::vector<std::string>{"x", "y", "z"});
  const ImageSpec g = gaussian_spec();
  const Bytes img = gaussian_image(g);
  const uint32_t crc = proto::crc32(img.data(), img.size());
  Sent r = flash(*rig, img);
  CHECK(is_ack(r, proto::kModelCommit));
  CHECK_EQ(rig->device.model_crc32(), crc);
  CHECK_EQ(rig->device.slot(0).arena_bytes, 0u);

  // INPUT: the normalized features as f32, in parts; the score, no outputs.
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(-3, 3);
  for (int k = 0; k < 20; k++) {
    std::vector<float> x(15);
    for (float& v : x) v = static_cast<float>(u(rng));
    proto::Inference inf;
    CHECK(inference_of(input(*rig, f32_bytes(x), k % 2 ? 7 : 1000), &inf));
    CHECK_EQ(inf.count, 0u);
    CHECK_EQ(inf.model_crc32, crc);
    CHECK_EQ(inf.window_end_us, 0u);
    CHECK(same_bits(inf.score, static_cast<float>(app_gaussian(g.gaussian_mean, g.precision, x.data()))));
  }
  // Parts out of order, and beyond the 60 bytes of features.
  Bytes part;
  put_u32(part, 4);
  part.push_back(0);
  CHECK(is_nak(only(rig->command(proto::kInput, part)), proto::kInput, proto::kOutOfOrder));
  CHECK(is_nak(input(*rig, Bytes(61, 0), 61), proto::kInput, proto::kBadLength));

  // The device's own windows: stats of each channel, normalized, scored.
  rig->command(proto::kStart);
  const std::vector<Sent> frames = rig->run(100000);
  std::vector<float> samples;
  std::vector<proto::Inference> results;
  std::vector<Bytes> bodies;
  for (const Sent& s : frames) {
    ByteReader br(s.body.data(), s.body.size());
    if (s.type == proto::kData) {
      proto::SampleBlock b;
      CHECK(proto::read_sample_block(br, &b));
      for (size_t k = 0; k < size_t{b.count} * 3; k++) samples.push_back(b.value(k));
    } else if (s.type == proto::kInference) {
      bodies.push_back(s.body);
    }
  }
  CHECK(bodies.size() >= 7);
  for (size_t w = 0; w < bodies.size(); w++) {
    proto::Inference inf;
    ByteReader br(bodies[w].data(), bodies[w].size());
    CHECK(proto::read_inference(br, &inf));
    const size_t end = 8 + 4 * w;
    if (end * 3 > samples.size()) break;
    const float* window = samples.data() + (end - 8) * 3;
    float features[15];
    tinyloop_stats_window(window, 8, 3, window, features);
    float normalized[15];
    tinyloop_normalize(features, 15, g.mean.data(), g.std.data(), normalized);
    CHECK_EQ(inf.count, 0u);
    CHECK(std::isfinite(inf.score));
    CHECK(same_bits(inf.score, static_cast<float>(app_gaussian(g.gaussian_mean, g.precision, normalized))));
  }
  rig->command(proto::kStop);

  // A restart: the Gaussian is active again, with no engine.
  rig = std::make_unique<Rig>(storage, std::vector<std::string>{"x", "y", "z"});
  CHECK_EQ(rig->device.model_crc32(), crc);
  const std::vector<float> zeros(15, 0.0f);
  proto::Inference inf;
  CHECK(inference_of(input(*rig, f32_bytes(zeros)), &inf));
  CHECK(same_bits(inf.score, static_cast<float>(app_gaussian(g.gaussian_mean, g.precision, zeros.data()))));

  // Refused at the commit, the Gaussian staying: too many features, a .tflite, the wrong channels.
  ImageSpec big;
  big.channels = {"x", "y", "z"};
  big.kind = 3;
  big.bands = 100;  // 300 features
  big.classes = {};
  big.model_kind = 2;
  big.normalized = false;
  big.mean = {};
  big.std = {};
  r = flash(*rig, gaussian_image(big));
  CHECK(is_nak(r, proto::kModelCommit, proto::kBadModel));
  CHECK(nak_message(r).find("more features than the device takes") != std::string::npos);
  CHECK(is_nak(flash(*rig, build_image(g, hello_world())), proto::kModelCommit, proto::kBadModel));
  ImageSpec other = g;
  other.channels = {"a", "b", "c"};
  CHECK(is_nak(flash(*rig, gaussian_image(other)), proto::kModelCommit, proto::kIncompatible));
  CHECK_EQ(rig->device.model_crc32(), crc);
  CHECK(inference_of(input(*rig, f32_bytes(zeros)), &inf) && inf.count == 0);
}

void test_autoencoder_on_device() {
  RamStorage storage(16384);
  auto rig = std::make_unique<Rig>(storage, std::vector<std::string>{"x"});
  const ImageSpec a = autoencoder_spec();
  const Bytes img = build_image(a, hello_world());
  const uint32_t crc = proto::crc32(img.data(), img.size());
  CHECK(is_ack(flash(*rig, img), proto::kModelCommit));
  CHECK(rig->device.slot(0).arena_bytes > 0);
  Reference ref;
  // Every int8 input: the output byte and the reconstruction score.
  for (int v = -128; v <= 127; v++) {
    const int8_t x = static_cast<int8_t>(v);
    proto::Inference inf;
    CHECK(inference_of(input(*rig, Bytes{static_cast<uint8_t>(x)}), &inf));
    const int8_t y = ref.run(x);
    CHECK_EQ(inf.count, 1u);
    CHECK_EQ(inf.model_crc32, crc);
    if (inf.count == 1) CHECK_EQ(inf.outputs[0], y);
    const double expected =
        app_reconstruction(&x, &y, 1, a.input_scale, a.input_zero_point, a.output_scale, a.output_zero_point);
    CHECK(same_bits(inf.score, static_cast<float>(expected)));
  }
  // Its own windows: the snapshot, normalized and quantized as the app does.
  rig->command(proto::kStart);
  const std::vector<Sent> frames = rig->run(100000);
  std::vector<float> samples;
  std::vector<Bytes> bodies;
  for (const Sent& s : frames) {
    ByteReader br(s.body.data(), s.body.size());
    if (s.type == proto::kData) {
      proto::SampleBlock b;
      CHECK(proto::read_sample_block(br, &b));
      for (size_t k = 0; k < b.count; k++) samples.push_back(b.value(k));
    } else if (s.type == proto::kInference) {
      bodies.push_back(s.body);
    }
  }
  CHECK(bodies.size() >= 7);
  size_t nonzero = 0;
  for (size_t w = 0; w < bodies.size(); w++) {
    proto::Inference inf;
    ByteReader br(bodies[w].data(), bodies[w].size());
    CHECK(proto::read_inference(br, &inf));
    const size_t end = 8 + 4 * w;
    if (end > samples.size()) break;
    const float mean = tinyloop_snapshot(samples.data() + end - 8, 8, 1, 0);
    float normalized;
    tinyloop_normalize(&mean, 1, a.mean.data(), a.std.data(), &normalized);
    int8_t x;
    tinyloop_quantize_input(&normalized, 1, a.input_scale, a.input_zero_point, &x);
    const int8_t y = ref.run(x);
    CHECK(inf.count == 1 && inf.outputs[0] == y);
    const double expected =
        app_reconstruction(&x, &y, 1, a.input_scale, a.input_zero_point, a.output_scale, a.output_zero_point);
    CHECK(same_bits(inf.score, static_cast<float>(expected)));
    if (inf.score > 0) nonzero++;
  }
  CHECK(nonzero > 0);
  rig->command(proto::kStop);

  // Refused at the commit, the autoencoder staying: the header's output quantization not the
  // .tflite's, and input and output not as wide as the features (three channels' snapshot).
  ImageSpec s = a;
  s.output_scale = a.output_scale * 2;
  Sent r = flash(*rig, build_image(s, hello_world()));
  CHECK(is_nak(r, proto::kModelCommit, proto::kBadModel));
  CHECK(nak_message(r).find("output quantization") != std::string::npos);
  CHECK_EQ(rig->device.model_crc32(), crc);
  // A restart keeps it.
  rig = std::make_unique<Rig>(storage, std::vector<std::string>{"x"});
  CHECK_EQ(rig->device.model_crc32(), crc);
  proto::Inference inf;
  CHECK(inference_of(input(*rig, Bytes{5}), &inf) && inf.count == 1 && std::isfinite(inf.score));

  RamStorage storage3(16384);
  auto rig3 = std::make_unique<Rig>(storage3, std::vector<std::string>{"x", "y", "z"});
  s = a;
  s.channels = {"x", "y", "z"};
  s.mean = {0.25, 0.25, 0.25};
  s.std = {0.5, 0.5, 0.5};
  r = flash(*rig3, build_image(s, hello_world()));
  CHECK(is_nak(r, proto::kModelCommit, proto::kBadModel));
  CHECK(nak_message(r).find("input tensor is not the size") != std::string::npos);
}

}  // namespace

int main() {
  if (hello_world().empty()) {
    std::fprintf(stderr, "cannot read the hello_world_int8.tflite fixture\n");
    return 1;
  }
  test_scores_by_hand();
  test_parse();
  test_gaussian_on_device();
  test_autoencoder_on_device();
  return tl::test::finish("test_anomaly");
}
