// The TinyLoop model image (docs/protocol.md, "The model image"): the exported .tflite with what
// the device needs to feed it as the app did. parse_model_image checks everything it can
// without the engine: magic, version, sizes, offsets, the feature layout; the caller then checks
// the device's channels and rate and loads the .tflite. The image is read in place (a slot).
#pragma once

#include <cstddef>
#include <cstdint>

#include "protocol/bytes.h"

namespace tl::fw {

constexpr uint16_t kImageVersion = 1;
constexpr size_t kImageHeaderBytes = 68;
constexpr size_t kImageMaxChannels = 16;

enum class FeatureKind : uint8_t { Raw = 0, Snapshot = 1, Stats = 2, Spectral = 3 };

struct ModelImage {
  const uint8_t* base = nullptr;
  uint32_t total_bytes = 0;
  uint32_t tflite_offset = 0;
  uint32_t tflite_bytes = 0;
  uint32_t model_id = 0;
  uint32_t arena_bytes = 0;
  float sample_rate_hz = 0;
  uint32_t window_samples = 0;
  uint32_t stride_samples = 0;
  uint8_t channels = 0;
  FeatureKind feature_kind = FeatureKind::Raw;
  uint16_t feature_count = 0;
  uint16_t bands = 0;
  uint16_t raw_length = 0;
  uint8_t class_count = 0;
  uint8_t model_kind = 0;
  bool normalized = false;
  float input_scale = 0;
  int32_t input_zero_point = 0;
  float output_scale = 0;
  int32_t output_zero_point = 0;
  // Where the f64 means and stds start (unaligned: read them with mean() and std()).
  uint32_t normalization_offset = 0;
  proto::Text channel_names[kImageMaxChannels];

  const uint8_t* tflite() const { return base + tflite_offset; }
  double mean(size_t feature) const;
  double std(size_t feature) const;
};

struct ImageCheck {
  bool ok;
  // Why not, for a user (a static string).
  const char* message;
};

// `limits`: what the device can hold; an image beyond them is refused here.
struct ImageLimits {
  size_t max_window_samples;
  size_t max_features;
  size_t max_channels;
};

ImageCheck parse_model_image(const uint8_t* bytes, size_t size, const ImageLimits& limits,
                             ModelImage* image);

// The features a kind gives for `channels`: what feature_count must be.
size_t expected_feature_count(FeatureKind kind, size_t channels, size_t bands, size_t raw_length);

}  // namespace tl::fw
