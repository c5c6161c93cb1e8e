// The TinyLoop model image (docs/protocol.md, "The model image"): the exported .tflite with what
// the device needs to feed it as the app did. parse_model_image checks everything it can
// without the engine: magic, version, sizes, offsets, the feature layout, an anomaly model's
// threshold and a Gaussian's constants; the caller then checks the device's channels and rate
// and loads the .tflite (none for a Gaussian). The image is read in place (a slot).
#pragma once

#include <cstddef>
#include <cstdint>

#include "config.h"
#include "protocol/bytes.h"

namespace tl::fw {

constexpr uint16_t kImageVersion = 1;
constexpr size_t kImageHeaderBytes = 68;
constexpr size_t kImageMaxChannels = 16;

enum class FeatureKind : uint8_t { Raw = 0, Snapshot = 1, Stats = 2, Spectral = 3 };
// docs/anomaly.md: a classifier's outputs are its classes' scores; an autoencoder's its
// reconstruction of the input; a Gaussian has no .tflite, only its mean and precision.
enum class ModelKind : uint8_t { Classifier = 0, Autoencoder = 1, Gaussian = 2 };

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
  ModelKind model_kind = ModelKind::Classifier;
  bool normalized = false;
  float input_scale = 0;
  int32_t input_zero_point = 0;
  float output_scale = 0;
  int32_t output_zero_point = 0;
  // Where the f64 means and stds start (unaligned: read them with mean() and std()).
  uint32_t normalization_offset = 0;
  proto::Text channel_names[kImageMaxChannels];
  // An anomaly model's: a score over it is an anomaly (the device reports scores, the app flags).
  double threshold = 0;
  // A Gaussian's f64 mean (feature_count) and precision (feature_count², row-major), unaligned
  // in the slot: read them with gaussian_mean() and precision().
  uint32_t gaussian_mean_offset = 0;
  uint32_t precision_offset = 0;

  const uint8_t* tflite() const { return base + tflite_offset; }
  double mean(size_t feature) const;
  double std(size_t feature) const;
  double gaussian_mean(size_t feature) const;
  // P[a·n + b].
  double precision(size_t index) const;
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
  size_t max_gaussian_features = kMaxGaussianFeatures;
  size_t max_autoencoder_features = kMaxAutoencoderFeatures;
};

ImageCheck parse_model_image(const uint8_t* bytes, size_t size, const ImageLimits& limits,
                             ModelImage* image);

// The features a kind gives for `channels`: what feature_count must be.
size_t expected_feature_count(FeatureKind kind, size_t channels, size_t bands, size_t raw_length);

}  // namespace tl::fw
