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

namespace tl::fw {

constexpr size_t kMaxChannels = TL_FW_MAX_CHANNELS;
constexpr size_t kMaxWindowSamples = TL_FW_MAX_WINDOW_SAMPLES;
// The ring holds a window, the sample before it and a stride's worth of slack.
constexpr size_t kRingSamples = kMaxWindowSamples + kMaxWindowSamples / 4 + 1;
constexpr size_t kMaxFeatures = TL_FW_MAX_FEATURES;
constexpr size_t kMaxInputBytes = TL_FW_MAX_FEATURES;
// MODEL_CHUNKs the host may send before waiting for their ACK: the serial receive buffer must
// hold this many encoded chunk frames.
constexpr size_t kTransferWindow = TL_FW_WINDOW;

}  // namespace tl::fw
