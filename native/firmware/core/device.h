// The device: the protocol's state machine over the hardware interfaces (docs/protocol.md,
// docs/firmware.md). One object holds all the device's state; a port makes it static, calls
// boot() once and poll() forever. poll() reads what the serial link has, answers every command,
// takes the sensor's samples, streams them as DATA frames and classifies windows with the active
// model. No heap, no exceptions, no RTTI.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../../features/tinyloop_features.h"
#include "config.h"
#include "hal.h"
#include "model_image.h"
#include "model_store.h"
#include "protocol/frames.h"
#include "protocol/stream_decoder.h"
#include "sample_ring.h"
#include "tflite/tl_interpreter.h"

namespace tl::fw {

struct DeviceInfo {
  const char* board = "host";
  uint8_t device_id[8] = {};
  uint8_t firmware[3] = {0, 1, 0};
  // Bytes of the arena the interpreter was given.
  uint32_t arena_capacity = 0;
};

class Device {
 public:
  Device(Clock& clock, Serial& serial, Sensor& sensor, Storage& storage,
         tl::Interpreter& interpreter, const DeviceInfo& info);

  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  // Reads the boot record and loads the active model, falling back to the other slot.
  void boot();
  // One turn of the main loop: serial in, commands answered, samples out, windows classified.
  void poll();
  // Feeds received bytes as poll() does (tests and fuzzing).
  void receive(const uint8_t* data, size_t n);

  bool streaming() const { return streaming_; }
  bool host_source() const { return host_source_; }
  uint8_t active() const { return store_.active(); }
  const proto::SlotInfo& slot(size_t index) const { return store_.slot(index); }
  const proto::DropCounters& drops() const { return decoder_.drops(); }
  const ModelStore::Transfer& transfer() const { return store_.transfer(); }
  uint32_t model_crc32() const { return model_ready_ ? active_crc_ : 0; }
  // Chunk bytes per MODEL_CHUNK: a body of an offset and the bytes.
  static constexpr uint16_t kChunkBytes = static_cast<uint16_t>(proto::kMaxBody - 4);

 private:
  struct Refusal {
    uint8_t code;  // 0: accepted
    uint32_t detail;
    const char* message;
  };

  void handle(const proto::Frame& frame);
  void on_hello(uint16_t seq);
  void on_set_rate(const proto::Frame& frame);
  void on_set_source(const proto::Frame& frame);
  void on_samples(const proto::Frame& frame);
  void on_input(const proto::Frame& frame);
  void on_model_begin(const proto::Frame& frame);
  void on_model_chunk(const proto::Frame& frame);
  void on_model_commit(const proto::Frame& frame);

  Refusal activate(size_t slot, uint32_t size, uint32_t crc);
  void reload_active();
  void prepare_pipeline();
  void start_sampling();
  void on_sample(const float* values, uint64_t time_us);
  void flush_data();
  void run_window();
  void compute_features(const float* window, const double* times, const float* previous);
  // The bytes INPUT fills: the int8 input tensor, or a Gaussian's features as f32.
  size_t input_size() const;
  // The active model on its input: int8 `x` (a classifier, an autoencoder) or the normalized
  // features `features` (a Gaussian); fills `inf`'s outputs and score.
  void infer(const int8_t* x, const float* features, proto::Inference* inf);

  void send(uint8_t type, uint16_t seq, const uint8_t* body, size_t body_length);
  void ack(uint8_t type, uint16_t seq, const uint8_t* reply = nullptr, size_t reply_length = 0);
  void nak(uint8_t type, uint16_t seq, uint8_t code, size_t detail, const char* message);
  void log(uint8_t level, const char* text);
  uint64_t sample_period_us(size_t i) const;

  Clock& clock_;
  Serial& serial_;
  Sensor& sensor_;
  tl::Interpreter& interpreter_;
  DeviceInfo info_;
  ModelStore store_;
  proto::StreamDecoder decoder_;

  bool streaming_ = false;
  bool host_source_ = false;
  bool said_hello_ = false;
  uint16_t data_seq_ = 0;
  char boot_message_[96] = {};

  // The active model.
  bool model_ready_ = false;
  uint32_t active_crc_ = 0;
  ModelImage image_;
  bool rate_warned_ = false;
  tinyloop_spectral_workspace spectral_{};

  // DATA being gathered: up to a frame's worth of samples.
  static constexpr size_t kDataValues = (proto::kMaxBody - 16) / 4;
  float pending_[kDataValues] = {};
  size_t pending_samples_ = 0;
  uint64_t pending_time_us_ = 0;

  SampleRing ring_;
  float window_[kMaxWindowSamples * kMaxChannels] = {};
  double window_times_[kMaxWindowSamples] = {};
  float features_[kMaxFeatures] = {};
  double spectral_scratch_[TINYLOOP_SPECTRAL_SCRATCH_DOUBLES(kMaxWindowSamples)] = {};

  // INPUT parts, gathered here so that windows classified meanwhile do not disturb them.
  int8_t input_[kMaxInputBytes] = {};
  size_t input_filled_ = 0;
  // An autoencoder's int8 input, kept for its score: the engine may reuse the input tensor's
  // bytes for later activations while it runs.
  int8_t autoencoder_input_[kMaxAutoencoderFeatures] = {};
  // A Gaussian's x − mean.
  double deviation_[kMaxGaussianFeatures] = {};

  uint8_t rx_[256] = {};
  uint8_t body_[proto::kMaxBody] = {};
  uint8_t frame_[proto::kMaxFrame] = {};
  uint8_t wire_[proto::kMaxWire] = {};
};

}  // namespace tl::fw
