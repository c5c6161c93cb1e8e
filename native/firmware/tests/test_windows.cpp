// The sample ring and its windows, and the model image parser's checks.
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "fakes.h"
#include "model_image.h"
#include "sample_ring.h"

using namespace tl;
using namespace tl::test;

namespace {

void test_ring() {
  static fw::SampleRing ring;
  CHECK(!ring.reset(0, 8, 4));
  CHECK(!ring.reset(2, fw::kRingSamples, 1));
  CHECK(!ring.reset(2, 8, 0));
  CHECK(ring.reset(2, 8, 3));
  std::vector<float> window(16);
  std::vector<double> times(8);
  float previous[2];
  size_t windows = 0;
  for (uint64_t k = 0; k < 100; k++) {
    const float v[2] = {static_cast<float>(k), -static_cast<float>(k)};
    ring.push(v, 1000 + k * 2500);
    // Windows end after samples 8, 11, 14, ...: one per stride, none before a whole window.
    const bool due = k + 1 >= 8 && (k + 1 - 8) % 3 == 0;
    CHECK_EQ(ring.window_due(), due);
    if (!ring.window_due()) continue;
    ring.take_window(window.data(), times.data(), previous);
    CHECK(!ring.window_due());
    const uint64_t first = k + 1 - 8;
    for (size_t i = 0; i < 8; i++) {
      CHECK_EQ(window[i * 2], static_cast<float>(first + i));
      CHECK_EQ(window[i * 2 + 1], -static_cast<float>(first + i));
      CHECK_EQ(times[i], 1000.0 + static_cast<double>((first + i) * 2500));
    }
    // The sample before the window, or the window's first when there is none.
    CHECK_EQ(previous[0], static_cast<float>(first == 0 ? 0 : first - 1));
    windows++;
  }
  CHECK_EQ(windows, (100 - 8) / 3 + 1);

  // Fallen behind by more than the ring holds: the windows go on at the latest whole one, on
  // the stride's grid, with the right samples.
  CHECK(ring.reset(1, 100, 10));
  for (uint64_t k = 0; k < 5000; k++) {
    const float v = static_cast<float>(k);
    ring.push(&v, k);
  }
  CHECK(ring.window_due());
  std::vector<float> w(100);
  std::vector<double> t(100);
  ring.take_window(w.data(), t.data(), previous);
  CHECK(static_cast<uint64_t>(w[0]) % 10 == 0);
  for (size_t i = 1; i < 100; i++) CHECK_EQ(w[i], w[0] + static_cast<float>(i));
  CHECK(w[99] + fw::kRingSamples >= 5000.0f);
  CHECK_EQ(previous[0], w[0] - 1);
  // A window (0) means no windows at all.
  CHECK(ring.reset(3, 0, 0));
  const float three[3] = {1, 2, 3};
  ring.push(three, 0);
  CHECK(!ring.window_due());
}

Bytes fake_tflite(size_t n) {
  Bytes b(n, 0x5A);
  return b;
}

void test_image() {
  const fw::ImageLimits limits{1024, 4096, 8};
  ImageSpec spec;
  spec.channels = {"ax", "ay", "az"};
  spec.kind = 3;
  spec.bands = 4;
  spec.mean = std::vector<double>(12, 0.125);
  spec.std = std::vector<double>(12, 3.0);
  spec.mean[11] = 1.0 / 3.0;
  spec.classes = {"normal", "imbalance", "bearing"};
  spec.window = 400;
  spec.stride = 200;
  spec.input_scale = 0.05f;
  spec.input_zero_point = -3;
  const Bytes good = build_image(spec, fake_tflite(100));
  fw::ModelImage m;
  fw::ImageCheck c = fw::parse_model_image(good.data(), good.size(), limits, &m);
  CHECK(c.ok);
  CHECK(m.tflite_offset % 16 == 0 && m.tflite_bytes == 100 && m.tflite()[0] == 0x5A);
  CHECK(m.feature_kind == fw::FeatureKind::Spectral && m.feature_count == 12 && m.bands == 4);
  CHECK(m.channels == 3 && m.channel_names[2].equals("az") && m.class_count == 3);
  CHECK(m.window_samples == 400 && m.stride_samples == 200 && m.sample_rate_hz == 400.0f);
  CHECK(m.normalized && m.mean(11) == 1.0 / 3.0 && m.std(0) == 3.0);
  CHECK(m.input_scale == 0.05f && m.input_zero_point == -3);

  // The mean and std are read unaligned from wherever the slot puts the image.
  Bytes shifted(good.size() + 3);
  std::memcpy(shifted.data() + 3, good.data(), good.size());
  CHECK(fw::parse_model_image(shifted.data() + 3, good.size(), limits, &m).ok && m.mean(11) == 1.0 / 3.0);

  struct Mutation {
    const char* what;
    size_t at;
    std::vector<uint8_t> bytes;
  };
  auto refused = [&](const Bytes& img) {
    fw::ModelImage out;
    const fw::ImageCheck r = fw::parse_model_image(img.data(), img.size(), limits, &out);
    CHECK(!r.ok && r.message && std::strlen(r.message) > 10);
    return !r.ok;
  };
  const std::vector<Mutation> mutations = {
      {"magic", 0, {'T', 'L', 'M', 'X'}},
      {"version", 4, {2, 0}},
      {"header size", 6, {60, 0}},
      {"total size", 8, {1, 0, 0, 0}},
      {"unaligned tflite", 12, {0x51, 0, 0, 0}},
      {"tflite beyond the end", 16, {0xFF, 0xFF, 0, 0}},
      {"rate", 28, {0, 0, 0, 0}},
      {"empty window", 32, {0, 0, 0, 0}},
      {"window beyond the device", 32, {0x01, 0x10, 0, 0}},
      {"empty stride", 36, {0, 0, 0, 0}},
      {"no channels", 40, {0}},
      {"too many channels", 40, {9}},
      {"unknown feature kind", 41, {4}},
      {"feature count", 42, {13, 0}},
      {"no classes", 48, {0}},
      {"anomaly model", 49, {1}},
      {"input scale", 52, {0, 0, 0, 0}},
      {"input zero point", 56, {0x80, 0, 0, 0}},
      {"std of 0", 68 + 12 * 8, {0, 0, 0, 0, 0, 0, 0, 0}},
  };
  for (const Mutation& mu : mutations) {
    Bytes img = good;
    std::memcpy(img.data() + mu.at, mu.bytes.data(), mu.bytes.size());
    if (!refused(img)) std::fprintf(stderr, "  not refused: %s\n", mu.what);
  }
  // Short images, and names that run into the .tflite.
  for (size_t n : {size_t{0}, size_t{4}, size_t{67}}) refused(Bytes(good.begin(), good.begin() + static_cast<long>(n)));
  Bytes names = good;
  const size_t first_name = 68 + 24 * 8;
  names[first_name] = 200;
  refused(names);
  // Feature counts of every kind.
  CHECK_EQ(fw::expected_feature_count(fw::FeatureKind::Raw, 3, 0, 400), 1200u);
  CHECK_EQ(fw::expected_feature_count(fw::FeatureKind::Snapshot, 3, 0, 0), 3u);
  CHECK_EQ(fw::expected_feature_count(fw::FeatureKind::Stats, 3, 0, 0), 15u);
  CHECK_EQ(fw::expected_feature_count(fw::FeatureKind::Spectral, 3, 16, 0), 48u);
}

}  // namespace

int main() {
  test_ring();
  test_image();
  return tl::test::finish("test_windows");
}
