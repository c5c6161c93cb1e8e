// Sizes of the core's static buffers. A port may set any of them with a compile definition
// (a Cortex-M4 port with three channels and 400-sample windows needs far less than the host).
#pragma once

#include <cstddef>

#ifndef TL_FW_MAX_CHANNELS
#define TL_FW_MAX_CHANNELS 8
#endif
#ifndef TL_FW_MAX_WINDOW_SAMPLES
#define TL_FW_MAX_WINDOW_SAMPLES 1024
#endif
#ifndef TL_FW_MAX_FEATURES
#define TL_FW_MAX_FEATURES 4096
#endif
#ifndef TL_FW_WINDOW
#define TL_FW_WINDOW 4
#endif
// A Gaussian anomaly model's features (its precision has this many squared doubles). They are
// read in place from the slot, never copied: the RAM cost is one double per feature; the slot
// bounds it too (8·n² bytes of precision: at most 109 features in the M4 port's 96 KB slots).
#ifndef TL_FW_MAX_GAUSSIAN_FEATURES
#define TL_FW_MAX_GAUSSIAN_FEATURES 256
#endif

namespace tl::fw {

constexpr size_t kMaxChannels = TL_FW_MAX_CHANNELS;
constexpr size_t kMaxWindowSamples = TL_FW_MAX_WINDOW_SAMPLES;
// The ring holds a window, the sample before it and a stride's worth of slack.
constexpr size_t kRingSamples = kMaxWindowSamples + kMaxWindowSamples / 4 + 1;
constexpr size_t kMaxFeatures = TL_FW_MAX_FEATURES;
constexpr size_t kMaxInputBytes = TL_FW_MAX_FEATURES;
// A Gaussian's features: at most the app's own limit of 256 (docs/anomaly.md), and no more than
// INPUT's staging buffer holds as f32 (INPUT to a Gaussian is its normalized features).
constexpr size_t kMaxGaussianFeatures = TL_FW_MAX_GAUSSIAN_FEATURES < kMaxInputBytes / 4
                                            ? TL_FW_MAX_GAUSSIAN_FEATURES
                                            : kMaxInputBytes / 4;
static_assert(kMaxGaussianFeatures <= 256, "a Gaussian's n² doubles must stay far from overflow");
// An autoencoder's INFERENCE carries its whole output, one byte per feature, counted in a u8.
constexpr size_t kMaxAutoencoderFeatures = 255;
// MODEL_CHUNKs the host may send before waiting for their ACK: the serial receive buffer must
// hold this many encoded chunk frames.
constexpr size_t kTransferWindow = TL_FW_WINDOW;

}  // namespace tl::fw
