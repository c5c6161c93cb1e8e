#include "frames.h"

#include "crc32.h"

namespace tl::proto {

size_t encode_frame(uint8_t type, uint16_t seq, const uint8_t* body, size_t body_length,
                    uint8_t* out, size_t capacity) {
  ByteWriter w(out, capacity);
  w.u8(type);
  w.u16(seq);
  w.bytes(body, body_length);
  if (!w.ok()) return 0;
  w.u32(crc32(out, w.size()));
  return w.ok() ? w.size() : 0;
}

size_t encode_wire(const uint8_t* frame, size_t frame_length, uint8_t* out, size_t capacity) {
  if (capacity < 2) return 0;
  const size_t n = cobs_encode(frame, frame_length, out, capacity - 1);
  if (n == 0) return 0;
  out[n] = 0;
  return n + 1;
}

FrameStatus parse_frame(const uint8_t* bytes, size_t length, Frame* frame) {
  if (length < kFrameOverhead) return FrameStatus::Short;
  ByteReader crc_reader(bytes + length - 4, 4);
  if (crc_reader.u32() != crc32(bytes, length - 4)) return FrameStatus::BadCrc;
  frame->type = bytes[0];
  frame->seq = static_cast<uint16_t>(bytes[1] | (bytes[2] << 8));
  frame->body = bytes + 3;
  frame->body_length = length - kFrameOverhead;
  return FrameStatus::Ok;
}

void write_slot(ByteWriter& w, const SlotInfo& slot) {
  w.u8(slot.state);
  w.u32(slot.size);
  w.u32(slot.crc32);
  w.u32(slot.model_id);
  w.u32(slot.arena_bytes);
}

SlotInfo read_slot(ByteReader& r) {
  SlotInfo slot;
  slot.state = r.u8();
  slot.size = r.u32();
  slot.crc32 = r.u32();
  slot.model_id = r.u32();
  slot.arena_bytes = r.u32();
  return slot;
}

void write_hello(ByteWriter& w, const Hello& h) {
  w.u8(h.protocol);
  w.bytes(h.firmware, 3);
  w.bytes(h.device_id, 8);
  w.str8(h.board.data, h.board.length);
  w.u16(h.max_body);
  w.u8(h.window);
  w.u32(h.model_capacity);
  w.u32(h.arena_capacity);
  w.f32(h.rate_hz);
  w.u8(h.rate_count);
  for (size_t i = 0; i < h.rate_count && i < kMaxRates; i++) w.u32(h.rates[i]);
  w.u8(h.channel_count);
  for (size_t i = 0; i < h.channel_count && i < kMaxChannelNames; i++)
    w.str8(h.channels[i].data, h.channels[i].length);
  w.u8(h.flags);
  w.u8(h.active);
  write_slot(w, h.slots[0]);
  write_slot(w, h.slots[1]);
  w.u32(h.counters.crc);
  w.u32(h.counters.cobs);
  w.u32(h.counters.oversize);
  w.u32(h.counters.short_frames);
}

bool read_hello(ByteReader& r, Hello* h) {
  h->protocol = r.u8();
  for (uint8_t& b : h->firmware) b = r.u8();
  for (uint8_t& b : h->device_id) b = r.u8();
  h->board = r.str8();
  h->max_body = r.u16();
  h->window = r.u8();
  h->model_capacity = r.u32();
  h->arena_capacity = r.u32();
  h->rate_hz = r.f32();
  h->rate_count = r.u8();
  for (size_t i = 0; i < h->rate_count; i++) {
    const uint32_t rate = r.u32();
    if (i < kMaxRates) h->rates[i] = rate;
  }
  if (h->rate_count > kMaxRates) return false;
  h->channel_count = r.u8();
  for (size_t i = 0; i < h->channel_count; i++) {
    const Text name = r.str8();
    if (i < kMaxChannelNames) h->channels[i] = name;
  }
  if (h->channel_count > kMaxChannelNames) return false;
  h->flags = r.u8();
  h->active = r.u8();
  h->slots[0] = read_slot(r);
  h->slots[1] = read_slot(r);
  h->counters.crc = r.u32();
  h->counters.cobs = r.u32();
  h->counters.oversize = r.u32();
  h->counters.short_frames = r.u32();
  return r.ok();
}

float SampleBlock::value(size_t i) const {
  ByteReader r(values, values_length);
  if (encoding == kEncodingF32) {
    r.bytes(i * 4);
    return r.f32();
  }
  r.bytes(i * 2);
  return static_cast<float>(static_cast<int16_t>(r.u16())) * scale;
}

void write_sample_header(ByteWriter& w, const SampleBlock& b) {
  w.u64(b.time_us);
  w.u16(b.count);
  w.u8(b.channels);
  w.u8(b.encoding);
  if (b.encoding == kEncodingI16) w.f32(b.scale);
}

bool read_sample_block(ByteReader& r, SampleBlock* b) {
  b->time_us = r.u64();
  b->count = r.u16();
  b->channels = r.u8();
  b->encoding = r.u8();
  b->scale = 1;
  size_t bytes_per_value;
  if (b->encoding == kEncodingF32) {
    bytes_per_value = 4;
  } else if (b->encoding == kEncodingI16) {
    b->scale = r.f32();
    bytes_per_value = 2;
  } else {
    return false;
  }
  b->values_length = static_cast<size_t>(b->count) * b->channels * bytes_per_value;
  b->values = r.bytes(b->values_length);
  return r.ok();
}

void write_inference(ByteWriter& w, const Inference& inf) {
  w.u64(inf.window_end_us);
  w.u32(inf.model_crc32);
  w.u32(inf.latency_us);
  w.u32(inf.instructions);
  w.u8(inf.count);
  w.bytes(inf.outputs, inf.count);
  w.f32(inf.score);
}

bool read_inference(ByteReader& r, Inference* inf) {
  inf->window_end_us = r.u64();
  inf->model_crc32 = r.u32();
  inf->latency_us = r.u32();
  inf->instructions = r.u32();
  inf->count = r.u8();
  inf->outputs = reinterpret_cast<const int8_t*>(r.bytes(inf->count));
  inf->score = r.f32();
  return r.ok();
}

void write_nak(ByteWriter& w, const Nak& nak) {
  w.u8(nak.type);
  w.u8(nak.code);
  w.u32(nak.detail);
  w.bytes(nak.message.data, nak.message.length);
}

bool read_nak(ByteReader& r, Nak* nak) {
  nak->type = r.u8();
  nak->code = r.u8();
  nak->detail = r.u32();
  size_t n;
  const uint8_t* text = r.rest(&n);
  nak->message.data = reinterpret_cast<const char*>(text);
  nak->message.length = n;
  return r.ok();
}

void write_ack(ByteWriter& w, uint8_t type, const uint8_t* reply, size_t reply_length) {
  w.u8(type);
  w.bytes(reply, reply_length);
}

bool read_ack(ByteReader& r, Ack* ack) {
  ack->type = r.u8();
  const bool ok = r.ok();
  ack->reply = r.rest(&ack->reply_length);
  return ok;
}

void write_log(ByteWriter& w, const Log& log) {
  w.u8(log.level);
  w.bytes(log.text.data, log.text.length);
}

bool read_log(ByteReader& r, Log* log) {
  log->level = r.u8();
  const bool ok = r.ok();
  size_t n;
  log->text.data = reinterpret_cast<const char*>(r.rest(&n));
  log->text.length = n;
  return ok;
}

void write_model_begin(ByteWriter& w, const ModelBegin& b) {
  w.u32(b.size);
  w.u32(b.crc32);
  w.u32(b.model_id);
}

bool read_model_begin(ByteReader& r, ModelBegin* b) {
  b->size = r.u32();
  b->crc32 = r.u32();
  b->model_id = r.u32();
  return r.ok();
}

void write_chunk(ByteWriter& w, const Chunk& c) {
  w.u32(c.offset);
  w.bytes(c.bytes, c.length);
}

bool read_chunk(ByteReader& r, Chunk* c) {
  c->offset = r.u32();
  const bool ok = r.ok();
  c->bytes = r.rest(&c->length);
  return ok;
}

void write_slots_reply(ByteWriter& w, const SlotsReply& reply) {
  w.u8(reply.active);
  write_slot(w, reply.slots[0]);
  write_slot(w, reply.slots[1]);
}

bool read_slots_reply(ByteReader& r, SlotsReply* reply) {
  reply->active = r.u8();
  reply->slots[0] = read_slot(r);
  reply->slots[1] = read_slot(r);
  return r.ok();
}

}  // namespace tl::proto
