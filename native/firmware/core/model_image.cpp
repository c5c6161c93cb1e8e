#include "model_image.h"

#include <cmath>
#include <cstring>

#include "../../features/tinyloop_features.h"

namespace tl::fw {

double ModelImage::mean(size_t feature) const {
  double v;
  std::memcpy(&v, base + normalization_offset + 8 * feature, 8);
  return v;
}

double ModelImage::std(size_t feature) const {
  double v;
  std::memcpy(&v, base + normalization_offset + 8 * (feature_count + feature), 8);
  return v;
}

double ModelImage::gaussian_mean(size_t feature) const {
  double v;
  std::memcpy(&v, base + gaussian_mean_offset + 8 * feature, 8);
  return v;
}

double ModelImage::precision(size_t index) const {
  double v;
  std::memcpy(&v, base + precision_offset + 8 * index, 8);
  return v;
}

size_t expected_feature_count(FeatureKind kind, size_t channels, size_t bands, size_t raw_length) {
  switch (kind) {
    case FeatureKind::Raw:
      return channels * raw_length;
    case FeatureKind::Snapshot:
      return channels;
    case FeatureKind::Stats:
      return channels * TINYLOOP_STATS_PER_CHANNEL;
    case FeatureKind::Spectral:
      return channels * bands;
  }
  return 0;
}

ImageCheck parse_model_image(const uint8_t* bytes, size_t size, const ImageLimits& limits,
                             ModelImage* m) {
  auto refuse = [](const char* why) { return ImageCheck{false, why}; };
  if (size < kImageHeaderBytes) return refuse("the image is shorter than its 68-byte header");
  proto::ByteReader r(bytes, size);
  const uint8_t* magic = r.bytes(4);
  if (std::memcmp(magic, "TLMI", 4) != 0)
    return refuse("not a TinyLoop model image (no TLMI magic): flash the image the app exports");
  const uint16_t version = r.u16();
  if (version != kImageVersion)
    return refuse("the image's version is not 1: update the firmware or the app");
  const uint16_t header_bytes = r.u16();
  if (header_bytes < kImageHeaderBytes || header_bytes > size)
    return refuse("the image's header size is wrong");
  *m = ModelImage{};
  m->base = bytes;
  m->total_bytes = r.u32();
  if (m->total_bytes != size) return refuse("the image's size is not the size flashed");
  m->tflite_offset = r.u32();
  m->tflite_bytes = r.u32();
  m->model_id = r.u32();
  m->arena_bytes = r.u32();
  m->sample_rate_hz = r.f32();
  m->window_samples = r.u32();
  m->stride_samples = r.u32();
  m->channels = r.u8();
  const uint8_t kind = r.u8();
  m->feature_count = r.u16();
  m->bands = r.u16();
  m->raw_length = r.u16();
  m->class_count = r.u8();
  const uint8_t model_kind = r.u8();
  const uint8_t flags = r.u8();
  r.u8();  // reserved
  m->input_scale = r.f32();
  m->input_zero_point = r.i32();
  m->output_scale = r.f32();
  m->output_zero_point = r.i32();
  m->normalized = (flags & 1) != 0;

  if (model_kind > static_cast<uint8_t>(ModelKind::Gaussian))
    return refuse(
        "the image's model kind is unknown to this firmware (0 classifier, 1 autoencoder, 2 Gaussian)");
  m->model_kind = static_cast<ModelKind>(model_kind);
  const bool gaussian = m->model_kind == ModelKind::Gaussian;
  if (m->tflite_offset % 16 != 0) return refuse("the .tflite in the image is not 16-byte aligned");
  // The .tflite ends the image (a Gaussian's is empty: the image ends at its offset).
  if (m->tflite_offset < header_bytes || m->tflite_offset > size ||
      m->tflite_bytes != size - m->tflite_offset)
    return refuse("the .tflite is not where the image's header says");
  if (gaussian && m->tflite_bytes != 0)
    return refuse("a Gaussian model's image carries no .tflite (its tfliteBytes must be 0)");
  if (!gaussian && m->tflite_bytes < 8) return refuse("the image has no .tflite");
  if (!(m->sample_rate_hz > 0)) return refuse("the image's sample rate is not positive");
  if (m->window_samples == 0 || m->stride_samples == 0)
    return refuse("the image's window or stride is empty");
  if (m->window_samples > limits.max_window_samples)
    return refuse("the model's window is longer than the device can hold");
  if (m->channels == 0 || m->channels > limits.max_channels || m->channels > kImageMaxChannels)
    return refuse("the image's channel count is not one the device can take");
  if (kind > static_cast<uint8_t>(FeatureKind::Spectral))
    return refuse("the image's feature kind is unknown to this firmware");
  m->feature_kind = static_cast<FeatureKind>(kind);
  if (m->feature_count == 0 ||
      m->feature_count != expected_feature_count(m->feature_kind, m->channels, m->bands,
                                                 m->raw_length))
    return refuse("the image's feature count does not match its kind, channels and sizes");
  if (m->feature_count > limits.max_features)
    return refuse("the model takes more features than the device can compute");
  if (m->feature_kind == FeatureKind::Spectral && m->window_samples < 2)
    return refuse("spectral features need windows of at least 2 samples");
  if (m->model_kind == ModelKind::Classifier && m->class_count == 0)
    return refuse("the image has no classes");
  if (m->model_kind != ModelKind::Classifier && m->class_count != 0)
    return refuse("an anomaly model's image has no classes (classCount 0)");
  if (gaussian && m->feature_count > limits.max_gaussian_features)
    return refuse(
        "the Gaussian model has more features than the device takes (its precision is n² doubles)");
  if (m->model_kind == ModelKind::Autoencoder && m->feature_count > limits.max_autoencoder_features)
    return refuse(
        "the autoencoder has more than 255 features: INFERENCE carries at most 255 outputs");
  if (!gaussian && (!(m->input_scale > 0) || m->input_zero_point < -128 || m->input_zero_point > 127))
    return refuse("the image's input quantization is not int8");
  if (m->model_kind == ModelKind::Autoencoder &&
      (!(m->output_scale > 0) || !std::isfinite(m->output_scale) || m->output_zero_point < -128 ||
       m->output_zero_point > 127))
    return refuse("the autoencoder's output quantization is not int8");

  // The variable part: normalization, channel names, class names, all before the .tflite.
  proto::ByteReader v(bytes + header_bytes, m->tflite_offset - header_bytes);
  m->normalization_offset = header_bytes;
  if (m->normalized) {
    v.bytes(static_cast<size_t>(m->feature_count) * 16);
    if (!v.ok()) return refuse("the image's normalization constants run into its .tflite");
    for (size_t i = 0; i < m->feature_count; i++)
      if (!(m->std(i) > 0)) return refuse("the image's normalization has a std that is not > 0");
  }
  for (size_t c = 0; c < m->channels; c++) m->channel_names[c] = v.str8();
  for (size_t k = 0; k < m->class_count; k++) v.str8();
  if (!v.ok()) return refuse("the image's channel or class names run into its .tflite");

  if (m->model_kind != ModelKind::Classifier) {
    // An anomaly model's threshold; a Gaussian's mean and precision, read in place later.
    m->threshold = v.f64();
    if (!v.ok()) return refuse("the anomaly model's threshold runs into its .tflite");
    if (std::isnan(m->threshold)) return refuse("the anomaly model's threshold is not a number");
  }
  if (gaussian) {
    const size_t n = m->feature_count;
    m->gaussian_mean_offset = static_cast<uint32_t>(header_bytes + v.position());
    v.bytes(8 * n);
    m->precision_offset = static_cast<uint32_t>(header_bytes + v.position());
    v.bytes(8 * n * n);
    if (!v.ok()) return refuse("the Gaussian's mean and precision run past the end of the image");
    for (size_t a = 0; a < n; a++)
      if (!std::isfinite(m->gaussian_mean(a))) return refuse("the Gaussian's mean is not finite");
    for (size_t i = 0; i < n * n; i++)
      if (!std::isfinite(m->precision(i))) return refuse("the Gaussian's precision is not finite");
  }
  // Zeros up to the .tflite, as the app writes (and reads) them: bytes left over mean a part of
  // the wrong size.
  size_t left = 0;
  const uint8_t* padding = v.rest(&left);
  for (size_t i = 0; i < left; i++)
    if (padding[i] != 0) return refuse("the image's padding before its .tflite is not zeros");
  return {true, nullptr};
}

}  // namespace tl::fw
