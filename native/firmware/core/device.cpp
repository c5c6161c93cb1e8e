#include "device.h"

#include <cmath>
#include <cstring>

#include "anomaly.h"
#include "protocol/crc32.h"
#include "text.h"

namespace tl::fw {

using proto::ByteReader;
using proto::ByteWriter;
using proto::Frame;

namespace {

const char* slot_name(size_t index) { return index == 0 ? "A" : "B"; }

// A Gaussian's INFERENCE has no outputs (a non-null pointer for the writer's memcpy of 0 bytes).
const int8_t kNoOutputs[1] = {0};

}  // namespace

Device::Device(Clock& clock, Serial& serial, Sensor& sensor, Storage& storage,
               tl::Interpreter& interpreter, const DeviceInfo& info)
    : clock_(clock),
      serial_(serial),
      sensor_(sensor),
      interpreter_(interpreter),
      info_(info),
      store_(storage),
      decoder_(proto::kMaxBody) {}

// ---- start-up ---------------------------------------------------------------------------

void Device::boot() {
  store_.load();
  const uint8_t recorded = store_.active();
  TextBuffer<sizeof(boot_message_)> message;
  message.add("TinyLoop firmware ")
      .add(info_.firmware[0])
      .add(".")
      .add(info_.firmware[1])
      .add(".")
      .add(info_.firmware[2])
      .add(": ");
  bool changed = false;
  // The recorded slot first, then the other one.
  for (size_t attempt = 0; attempt < 2 && recorded != 0; attempt++) {
    const size_t index = attempt == 0 ? recorded - 1u : 2u - recorded;
    proto::SlotInfo& slot = store_.slot(index);
    if (slot.state != proto::kSlotValid) continue;
    const bool intact = store_.crc_of(index, slot.size) == slot.crc32;
    if (intact && activate(index, slot.size, slot.crc32).code == 0) {
      if (attempt == 1) {
        message.add("slot ").add(slot_name(recorded - 1u)).add(" is damaged, fell back to ");
        store_.set_active(static_cast<uint8_t>(index + 1));
        changed = true;
      }
      message.add("model ").hex(slot.crc32).add(" active in slot ").add(slot_name(index));
      break;
    }
    slot.state = proto::kSlotDamaged;
    changed = true;
  }
  if (!model_ready_) {
    if (store_.active() != 0) {
      store_.set_active(0);
      changed = true;
    }
    message.add("no model, streaming only");
  }
  if (changed) store_.persist();
  std::memcpy(boot_message_, message.c_str(), message.length() + 1);
}

// ---- the main loop ----------------------------------------------------------------------

void Device::poll() {
  const size_t n = serial_.read(rx_, sizeof rx_);
  if (n) receive(rx_, n);

  if (!streaming_ || host_source_) return;
  float values[64 * kMaxChannels];
  uint64_t first_time_us = 0;
  const size_t count = sensor_.read(clock_.now_us(), values, 64, &first_time_us);
  const size_t channels = sensor_.channel_count();
  for (size_t i = 0; i < count; i++)
    on_sample(values + i * channels, first_time_us + sample_period_us(i));
}

void Device::receive(const uint8_t* data, size_t n) {
  while (n) {
    Frame frame;
    bool got = false;
    const size_t used = decoder_.feed(data, n, &frame, &got);
    data += used;
    n -= used;
    if (got) handle(frame);
  }
}

uint64_t Device::sample_period_us(size_t i) const {
  return static_cast<uint64_t>(std::llround(static_cast<double>(i) * 1e6 / sensor_.rate_hz()));
}

void Device::handle(const Frame& frame) {
  switch (frame.type) {
    case proto::kHelloReq:
      on_hello(frame.seq);
      return;
    case proto::kStart:
      if (!streaming_) {
        streaming_ = true;
        start_sampling();
      }
      ack(frame.type, frame.seq);
      return;
    case proto::kStop:
      if (streaming_) {
        flush_data();
        streaming_ = false;
        sensor_.stop();
      }
      ack(frame.type, frame.seq);
      return;
    case proto::kSetRate:
      on_set_rate(frame);
      return;
    case proto::kSetSource:
      on_set_source(frame);
      return;
    case proto::kSamples:
      on_samples(frame);
      return;
    case proto::kInput:
      on_input(frame);
      return;
    case proto::kModelBegin:
      on_model_begin(frame);
      return;
    case proto::kModelChunk:
      on_model_chunk(frame);
      return;
    case proto::kModelCommit:
      on_model_commit(frame);
      return;
    case proto::kModelAbort:
      store_.forget_transfer();
      ack(frame.type, frame.seq);
      return;
    default:
      // A device's own frame types coming back (a link that echoes) are not commands: answering
      // them would answer every answer.
      if (frame.type >= 0x80) return;
      nak(frame.type, frame.seq, proto::kUnknownType, 0, "unknown command type");
  }
}

void Device::on_hello(uint16_t seq) {
  proto::Hello h;
  std::memcpy(h.firmware, info_.firmware, 3);
  std::memcpy(h.device_id, info_.device_id, 8);
  h.board.data = info_.board;
  h.board.length = std::strlen(info_.board);
  h.max_body = proto::kMaxBody;
  h.window = kTransferWindow;
  h.model_capacity = static_cast<uint32_t>(store_.capacity());
  h.arena_capacity = info_.arena_capacity;
  h.rate_hz = static_cast<float>(sensor_.rate_hz());
  h.rate_count = static_cast<uint8_t>(
      sensor_.rate_count() < proto::kMaxRates ? sensor_.rate_count() : proto::kMaxRates);
  for (size_t i = 0; i < h.rate_count; i++) h.rates[i] = sensor_.rate(i);
  h.channel_count = sensor_.channel_count();
  for (uint8_t c = 0; c < h.channel_count && c < proto::kMaxChannelNames; c++) {
    h.channels[c].data = sensor_.channel_name(c);
    h.channels[c].length = std::strlen(h.channels[c].data);
  }
  h.flags = static_cast<uint8_t>((streaming_ ? proto::kFlagStreaming : 0) |
                                 (host_source_ ? proto::kFlagHostSource : 0));
  h.active = store_.active();
  h.slots[0] = store_.slot(0);
  h.slots[1] = store_.slot(1);
  h.counters = decoder_.drops();
  ByteWriter w(body_, sizeof body_);
  proto::write_hello(w, h);
  send(proto::kHello, seq, body_, w.size());
  // The start-up message waits for someone to listen: bytes sent before the host opened the
  // link would be lost.
  if (!said_hello_) {
    said_hello_ = true;
    log(proto::kInfo, boot_message_);
  }
}

void Device::on_set_rate(const Frame& frame) {
  ByteReader r(frame.body, frame.body_length);
  const uint32_t rate = r.u32();
  if (!r.ok()) return nak(frame.type, frame.seq, proto::kBadLength, frame.body_length, "SET_RATE needs rateHz u32");
  uint32_t nearest = 0;
  for (size_t i = 0; i < sensor_.rate_count(); i++) {
    const uint32_t candidate = sensor_.rate(i);
    const uint32_t d = candidate > rate ? candidate - rate : rate - candidate;
    const uint32_t best = nearest > rate ? nearest - rate : rate - nearest;
    if (i == 0 || d < best) nearest = candidate;
  }
  if (nearest != rate || !sensor_.set_rate(rate))
    return nak(frame.type, frame.seq, proto::kUnsupportedRate, nearest,
               "the device does not sample at that rate: use one of HELLO's rates");
  rate_warned_ = false;
  if (streaming_) start_sampling();
  ack(frame.type, frame.seq);
}

void Device::on_set_source(const Frame& frame) {
  ByteReader r(frame.body, frame.body_length);
  const uint8_t source = r.u8();
  if (!r.ok()) return nak(frame.type, frame.seq, proto::kBadLength, frame.body_length, "SET_SOURCE needs source u8");
  if (source > 1)
    return nak(frame.type, frame.seq, proto::kIncompatible, 0,
               "the source is 0 (the sensor) or 1 (samples sent by the host)");
  if (host_source_ != (source == 1)) {
    if (streaming_) flush_data();
    sensor_.stop();
    host_source_ = source == 1;
    if (streaming_) start_sampling();
  }
  ack(frame.type, frame.seq);
}

void Device::on_samples(const Frame& frame) {
  ByteReader r(frame.body, frame.body_length);
  proto::SampleBlock block;
  if (!proto::read_sample_block(r, &block))
    return nak(frame.type, frame.seq, proto::kBadLength, frame.body_length,
               "SAMPLES is shorter than its count, channels and encoding say");
  if (!host_source_)
    return nak(frame.type, frame.seq, proto::kBadState, 0,
               "the device samples its sensor: send SET_SOURCE 1 first");
  if (block.channels != sensor_.channel_count())
    return nak(frame.type, frame.seq, proto::kIncompatible, 0,
               "SAMPLES must have the channel count of the device's HELLO");
  float values[kMaxChannels];
  for (size_t i = 0; i < block.count; i++) {
    for (size_t c = 0; c < block.channels; c++) values[c] = block.value(i * block.channels + c);
    on_sample(values, block.time_us + sample_period_us(i));
  }
  ack(frame.type, frame.seq);
}

void Device::on_input(const Frame& frame) {
  ByteReader r(frame.body, frame.body_length);
  proto::Chunk part;
  if (!proto::read_chunk(r, &part))
    return nak(frame.type, frame.seq, proto::kBadLength, frame.body_length, "INPUT needs offset u32");
  if (!model_ready_)
    return nak(frame.type, frame.seq, proto::kBadState, 0, "no model is active: flash one first");
  const size_t size = input_size();
  if (part.offset == 0) input_filled_ = 0;
  if (part.offset != input_filled_)
    return nak(frame.type, frame.seq, proto::kOutOfOrder, static_cast<uint32_t>(input_filled_),
               "INPUT parts must follow each other");
  if (part.length > size - input_filled_)
    return nak(frame.type, frame.seq, proto::kBadLength, frame.body_length,
               "INPUT goes beyond the model's input tensor");
  std::memcpy(input_ + input_filled_, part.bytes, part.length);
  input_filled_ += part.length;
  if (input_filled_ < size) return ack(frame.type, frame.seq);
  input_filled_ = 0;

  const uint64_t t0 = clock_.now_us();
  const uint64_t i0 = clock_.instructions();
  proto::Inference inf;
  if (image_.model_kind == ModelKind::Gaussian) {
    // The normalized features, f32 little-endian (as the device holds them before it scores).
    for (size_t i = 0; i < image_.feature_count; i++) std::memcpy(features_ + i, input_ + 4 * i, 4);
    infer(nullptr, features_, &inf);
  } else {
    infer(input_, nullptr, &inf);
  }
  inf.window_end_us = 0;
  inf.model_crc32 = active_crc_;
  inf.latency_us = static_cast<uint32_t>(clock_.now_us() - t0);
  inf.instructions = static_cast<uint32_t>(clock_.instructions() - i0);
  ByteWriter w(body_, sizeof body_);
  proto::write_inference(w, inf);
  send(proto::kInference, frame.seq, body_, w.size());
}

// ---- model transfer ---------------------------------------------------------------------

void Device::on_model_begin(const Frame& frame) {
  ByteReader r(frame.body, frame.body_length);
  proto::ModelBegin begin;
  if (!proto::read_model_begin(r, &begin))
    return nak(frame.type, frame.seq, proto::kBadLength, frame.body_length,
               "MODEL_BEGIN needs size, crc32 and modelId (u32 each)");
  store_.forget_transfer();
  if (begin.size > store_.capacity())
    return nak(frame.type, frame.seq, proto::kTooLarge, static_cast<uint32_t>(store_.capacity()),
               "the model image is larger than a model slot");
  if (begin.size < kImageHeaderBytes)
    return nak(frame.type, frame.seq, proto::kBadModel, 0,
               "a model image is at least its 68-byte header");
  if (!store_.begin(begin.size, begin.crc32, begin.model_id))
    return nak(frame.type, frame.seq, proto::kBadState, 0, "the model slot could not be erased");
  uint8_t reply[2];
  ByteWriter w(reply, sizeof reply);
  w.u16(kChunkBytes);
  ack(frame.type, frame.seq, reply, w.size());
}

void Device::on_model_chunk(const Frame& frame) {
  ByteReader r(frame.body, frame.body_length);
  proto::Chunk chunk;
  if (!proto::read_chunk(r, &chunk))
    return nak(frame.type, frame.seq, proto::kBadLength, frame.body_length, "MODEL_CHUNK needs offset u32");
  const ModelStore::Transfer& t = store_.transfer();
  if (!t.open)
    return nak(frame.type, frame.seq, proto::kBadState, 0, "no transfer begun: send MODEL_BEGIN");
  if (chunk.offset != t.next)
    return nak(frame.type, frame.seq, proto::kOutOfOrder, t.next, "resend from the offset expected");
  if (chunk.length > t.size - t.next)
    return nak(frame.type, frame.seq, proto::kBadLength, frame.body_length,
               "the chunk goes beyond the size begun with");
  if (!store_.write_chunk(chunk.bytes, chunk.length))
    return nak(frame.type, frame.seq, proto::kBadState, 0, "the model slot could not be written");
  uint8_t reply[4];
  ByteWriter w(reply, sizeof reply);
  w.u32(t.next);
  ack(frame.type, frame.seq, reply, w.size());
}

void Device::on_model_commit(const Frame& frame) {
  const ModelStore::Transfer t = store_.transfer();
  if (!t.open)
    return nak(frame.type, frame.seq, proto::kBadState, 0, "no transfer begun: send MODEL_BEGIN");
  if (t.next != t.size)
    return nak(frame.type, frame.seq, proto::kBadLength, t.next,
               "commit before every byte of the image arrived");
  store_.forget_transfer();
  if (!store_.sync_slot(t.slot))
    return nak(frame.type, frame.seq, proto::kBadState, 0, "the model slot could not be written");
  const uint32_t crc = store_.crc_of(t.slot, t.size);
  if (crc != t.crc32)
    return nak(frame.type, frame.seq, proto::kCrcMismatch, crc,
               "the bytes that arrived do not have the CRC-32 begun with: send the model again");

  const uint8_t previous = store_.active();
  const Refusal refusal = activate(t.slot, t.size, crc);
  if (refusal.code != 0) {
    reload_active();
    TextBuffer<160> text;
    text.add("model refused: ").add(refusal.message);
    log(proto::kWarn, text.c_str());
    return nak(frame.type, frame.seq, refusal.code, refusal.detail, refusal.message);
  }
  proto::SlotInfo& slot = store_.slot(t.slot);
  slot.state = proto::kSlotValid;
  slot.size = t.size;
  slot.crc32 = crc;
  slot.model_id = t.model_id;
  slot.arena_bytes = static_cast<uint32_t>(interpreter_.arena_used());
  store_.set_active(static_cast<uint8_t>(t.slot + 1));
  if (!store_.persist()) {
    slot = proto::SlotInfo{};
    store_.set_active(previous);
    reload_active();
    return nak(frame.type, frame.seq, proto::kBadState, 0, "the boot record could not be written");
  }
  TextBuffer<96> text;
  text.add("model ").hex(crc).add(" active in slot ").add(slot_name(t.slot));
  log(proto::kInfo, text.c_str());

  proto::SlotsReply reply;
  reply.active = store_.active();
  reply.slots[0] = store_.slot(0);
  reply.slots[1] = store_.slot(1);
  uint8_t body[1 + 2 * proto::kSlotInfoBytes];
  ByteWriter w(body, sizeof body);
  proto::write_slots_reply(w, reply);
  ack(frame.type, frame.seq, body, w.size());
}

// Checks the image in `slot` and loads its model; on refusal nothing is loaded.
Device::Refusal Device::activate(size_t slot, uint32_t size, uint32_t crc) {
  model_ready_ = false;
  interpreter_.unload();
  ModelImage image;
  const ImageLimits limits{kMaxWindowSamples, kMaxFeatures, kMaxChannels};
  const ImageCheck check = parse_model_image(store_.bytes(slot), size, limits, &image);
  if (!check.ok) return {proto::kBadModel, 0, check.message};
  if (image.channels != sensor_.channel_count())
    return {proto::kIncompatible, 0, "the model takes another number of channels than the device has"};
  for (uint8_t c = 0; c < image.channels; c++)
    if (!image.channel_names[c].equals(sensor_.channel_name(c)))
      return {proto::kIncompatible, 0, "the model's channels are not the device's (names differ)"};
  bool rate_ok = false;
  for (size_t i = 0; i < sensor_.rate_count(); i++)
    rate_ok = rate_ok || std::fabs(static_cast<double>(sensor_.rate(i)) - image.sample_rate_hz) < 0.5;
  if (!rate_ok) return {proto::kIncompatible, 0, "the model's sample rate is not one the device has"};

  // A Gaussian is its constants in the slot: no engine.
  if (image.model_kind != ModelKind::Gaussian) {
    const tl::LoadResult loaded = interpreter_.load(image.tflite(), image.tflite_bytes);
    if (loaded.status == tl::LoadStatus::ArenaTooSmall)
      return {proto::kArenaTooSmall, loaded.arena_needed, loaded.message};
    if (loaded.status != tl::LoadStatus::Ok) return {proto::kBadModel, 0, loaded.message};
    const tl::TensorQuant in = interpreter_.input_quant();
    const tl::TensorQuant out = interpreter_.output_quant();
    const bool autoencoder = image.model_kind == ModelKind::Autoencoder;
    const char* mismatch = nullptr;
    if (interpreter_.input_bytes() != image.feature_count)
      mismatch = "the model's input tensor is not the size of the image's features";
    else if (interpreter_.input_bytes() > kMaxInputBytes)
      mismatch = "the model's input is larger than the device can hold";
    else if (!autoencoder && interpreter_.output_bytes() != image.class_count)
      mismatch = "the model's output tensor is not one score per class of the image";
    else if (autoencoder && interpreter_.output_bytes() != image.feature_count)
      mismatch = "the autoencoder's output tensor is not as wide as its input";
    else if (in.scale != image.input_scale || in.zero_point != image.input_zero_point)
      mismatch = "the image's input quantization is not the .tflite's";
    else if (autoencoder &&
             (out.scale != image.output_scale || out.zero_point != image.output_zero_point))
      mismatch = "the image's output quantization is not the autoencoder's";
    if (mismatch) {
      interpreter_.unload();
      return {proto::kBadModel, 0, mismatch};
    }
  }
  image_ = image;
  active_crc_ = crc;
  model_ready_ = true;
  input_filled_ = 0;
  prepare_pipeline();
  return {0, 0, nullptr};
}

// After a refused commit: the model of the active slot again (it loaded before, it loads again).
void Device::reload_active() {
  const uint8_t active = store_.active();
  if (active == 0) return;
  const proto::SlotInfo& slot = store_.slot(active - 1u);
  if (activate(active - 1u, slot.size, slot.crc32).code != 0) {
    store_.slot(active - 1u).state = proto::kSlotDamaged;
    store_.set_active(0);
    store_.persist();
  }
}

// ---- samples, windows, inference --------------------------------------------------------

void Device::prepare_pipeline() {
  rate_warned_ = false;
  const uint32_t model_rate = static_cast<uint32_t>(std::lround(image_.sample_rate_hz));
  if (model_rate != sensor_.rate_hz() && sensor_.set_rate(model_rate) && streaming_)
    start_sampling();
  ring_.reset(image_.channels, image_.window_samples, image_.stride_samples);
  if (image_.feature_kind == FeatureKind::Spectral)
    tinyloop_spectral_prepare(&spectral_, image_.window_samples, spectral_scratch_,
                              sizeof spectral_scratch_ / sizeof spectral_scratch_[0]);
}

void Device::start_sampling() {
  flush_data();
  pending_samples_ = 0;
  if (model_ready_) ring_.reset(image_.channels, image_.window_samples, image_.stride_samples);
  if (!host_source_) sensor_.start(clock_.now_us());
}

void Device::on_sample(const float* values, uint64_t time_us) {
  const size_t channels = sensor_.channel_count();
  if (streaming_) {
    const size_t per_frame_rate = (sensor_.rate_hz() + 99) / 100;  // 10 ms of samples
    const size_t per_frame_body = kDataValues / channels;
    const size_t per_frame = per_frame_rate < per_frame_body ? per_frame_rate : per_frame_body;
    if (pending_samples_ == 0) pending_time_us_ = time_us;
    std::memcpy(pending_ + pending_samples_ * channels, values, channels * sizeof(float));
    if (++pending_samples_ >= (per_frame ? per_frame : 1)) flush_data();
  }
  if (!model_ready_ || !streaming_) return;
  if (static_cast<uint32_t>(std::lround(image_.sample_rate_hz)) != sensor_.rate_hz()) {
    if (!rate_warned_) log(proto::kWarn, "windows are not classified: the rate is not the model's");
    rate_warned_ = true;
    return;
  }
  ring_.push(values, time_us);
  if (ring_.window_due()) run_window();
}

void Device::flush_data() {
  if (pending_samples_ == 0) return;
  const size_t channels = sensor_.channel_count();
  proto::SampleBlock block;
  block.time_us = pending_time_us_;
  block.count = static_cast<uint16_t>(pending_samples_);
  block.channels = static_cast<uint8_t>(channels);
  block.encoding = proto::kEncodingF32;
  ByteWriter w(body_, sizeof body_);
  proto::write_sample_header(w, block);
  for (size_t i = 0; i < pending_samples_ * channels; i++) w.f32(pending_[i]);
  pending_samples_ = 0;
  send(proto::kData, data_seq_++, body_, w.size());
}

void Device::run_window() {
  float previous[kMaxChannels];
  const uint64_t t0 = clock_.now_us();
  const uint64_t i0 = clock_.instructions();
  ring_.take_window(window_, window_times_, previous);
  compute_features(window_, window_times_, previous);
  const size_t n = image_.feature_count;
  if (image_.normalized) {
    // One value at a time: the constants are unaligned f64 in the slot.
    for (size_t i = 0; i < n; i++) {
      const double mean = image_.mean(i);
      const double std = image_.std(i);
      tinyloop_normalize(features_ + i, 1, &mean, &std, features_ + i);
    }
  }
  proto::Inference inf;
  switch (image_.model_kind) {
    case ModelKind::Classifier:
      tinyloop_quantize_input(features_, n, image_.input_scale, image_.input_zero_point,
                              interpreter_.input());
      interpreter_.invoke();
      inf.count = static_cast<uint8_t>(interpreter_.output_bytes());
      inf.outputs = interpreter_.output();
      inf.score = NAN;
      break;
    case ModelKind::Autoencoder:
      tinyloop_quantize_input(features_, n, image_.input_scale, image_.input_zero_point,
                              autoencoder_input_);
      infer(autoencoder_input_, nullptr, &inf);
      break;
    case ModelKind::Gaussian:
      infer(nullptr, features_, &inf);
      break;
  }
  const double period_us = 1e6 / image_.sample_rate_hz;
  inf.window_end_us =
      static_cast<uint64_t>(window_times_[image_.window_samples - 1]) + static_cast<uint64_t>(std::llround(period_us));
  inf.model_crc32 = active_crc_;
  inf.latency_us = static_cast<uint32_t>(clock_.now_us() - t0);
  inf.instructions = static_cast<uint32_t>(clock_.instructions() - i0);
  ByteWriter w(body_, sizeof body_);
  proto::write_inference(w, inf);
  send(proto::kInference, 0, body_, w.size());
}

size_t Device::input_size() const {
  return image_.model_kind == ModelKind::Gaussian ? 4u * image_.feature_count
                                                  : interpreter_.input_bytes();
}

void Device::infer(const int8_t* x, const float* features, proto::Inference* inf) {
  const size_t n = image_.feature_count;
  if (image_.model_kind == ModelKind::Gaussian) {
    inf->count = 0;
    inf->outputs = kNoOutputs;
    inf->score = static_cast<float>(gaussian_score(image_, features, deviation_));
    return;
  }
  std::memcpy(interpreter_.input(), x, interpreter_.input_bytes());
  interpreter_.invoke();
  inf->count = static_cast<uint8_t>(interpreter_.output_bytes());
  inf->outputs = interpreter_.output();
  inf->score = image_.model_kind == ModelKind::Autoencoder
                   ? static_cast<float>(autoencoder_score(
                         x, interpreter_.output(), n, image_.input_scale,
                         image_.input_zero_point, image_.output_scale, image_.output_zero_point))
                   : NAN;
}

void Device::compute_features(const float* window, const double* times, const float* previous) {
  const size_t count = image_.window_samples;
  const size_t channels = image_.channels;
  switch (image_.feature_kind) {
    case FeatureKind::Snapshot:
      tinyloop_snapshot_window(window, count, channels, previous, features_);
      return;
    case FeatureKind::Stats:
      tinyloop_stats_window(window, count, channels, previous, features_);
      return;
    case FeatureKind::Spectral:
      tinyloop_spectral_window(&spectral_, window, channels, image_.bands, features_);
      return;
    case FeatureKind::Raw: {
      const double window_us = static_cast<double>(count) * 1e6 / image_.sample_rate_hz;
      tinyloop_raw(times, window, count, channels, times[0], times[0] + window_us,
                   image_.raw_length, features_, channels);
      return;
    }
  }
}

// ---- frames out -------------------------------------------------------------------------

void Device::send(uint8_t type, uint16_t seq, const uint8_t* body, size_t body_length) {
  const size_t frame_length = proto::encode_frame(type, seq, body, body_length, frame_, sizeof frame_);
  if (frame_length == 0) return;
  const size_t wire_length = proto::encode_wire(frame_, frame_length, wire_, sizeof wire_);
  if (wire_length) serial_.write(wire_, wire_length);
}

void Device::ack(uint8_t type, uint16_t seq, const uint8_t* reply, size_t reply_length) {
  uint8_t body[1 + 2 * proto::kSlotInfoBytes + 4];
  ByteWriter w(body, sizeof body);
  proto::write_ack(w, type, reply, reply_length);
  send(proto::kAck, seq, body, w.size());
}

void Device::nak(uint8_t type, uint16_t seq, uint8_t code, size_t detail, const char* message) {
  uint8_t body[256];
  proto::Nak n;
  n.type = type;
  n.code = code;
  n.detail = static_cast<uint32_t>(detail);
  n.message.data = message;
  n.message.length = std::strlen(message);
  if (n.message.length > sizeof body - 6) n.message.length = sizeof body - 6;
  ByteWriter w(body, sizeof body);
  proto::write_nak(w, n);
  send(proto::kNak, seq, body, w.size());
}

void Device::log(uint8_t level, const char* text) {
  uint8_t body[256];
  proto::Log l;
  l.level = level;
  l.text.data = text;
  l.text.length = std::strlen(text);
  if (l.text.length > sizeof body - 1) l.text.length = sizeof body - 1;
  ByteWriter w(body, sizeof body);
  proto::write_log(w, l);
  send(proto::kLog, 0, body, w.size());
}

}  // namespace tl::fw
