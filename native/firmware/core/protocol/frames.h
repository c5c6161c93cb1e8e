// The frames of the TinyLoop device protocol, version 1 (docs/protocol.md): their types, codes
// and bodies, each with a writer and a reader, and the whole-frame encoding
// (type | seq | body | crc, then COBS and a 0x00). Bodies are read in place: Text and byte
// pointers point into the received buffer. Readers accept (and ignore) bytes after the fields
// they know, and return false for a body too short for its fields.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bytes.h"
#include "cobs.h"

namespace tl::proto {

constexpr uint8_t kProtocolVersion = 1;
// The largest body the firmware accepts and sends (`maxBody` in HELLO).
constexpr size_t kMaxBody = 2048;
constexpr size_t kFrameOverhead = 7;  // type u8, seq u16, crc u32
constexpr size_t kMaxFrame = kFrameOverhead + kMaxBody;
// An encoded frame longer than this before its 0x00 is dropped as oversize.
constexpr size_t kMaxEncoded = 4200;
constexpr size_t kMaxWire = cobs_max_encoded(kMaxFrame) + 1;
constexpr size_t kMaxRates = 16;
constexpr size_t kMaxChannelNames = 16;

enum FrameType : uint8_t {
  kHelloReq = 0x01,
  kStart = 0x02,
  kStop = 0x03,
  kSetRate = 0x04,
  kSetSource = 0x05,
  kSamples = 0x06,
  kInput = 0x07,
  kModelBegin = 0x10,
  kModelChunk = 0x11,
  kModelCommit = 0x12,
  kModelAbort = 0x13,
  kHello = 0x81,
  kAck = 0x82,
  kNak = 0x83,
  kData = 0x84,
  kInference = 0x85,
  kLog = 0x86,
};

enum NakCode : uint8_t {
  kUnknownType = 1,
  kBadLength = 2,
  kBadState = 3,
  kOutOfOrder = 4,
  kTooLarge = 5,
  kCrcMismatch = 6,
  kBadModel = 7,
  kArenaTooSmall = 8,
  kUnsupportedRate = 9,
  kIncompatible = 10,
  kBusy = 11,
};

enum LogLevel : uint8_t { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

enum SlotState : uint8_t { kSlotEmpty = 0, kSlotValid = 1, kSlotDamaged = 2 };

// The HELLO's `flags`.
constexpr uint8_t kFlagStreaming = 1;
constexpr uint8_t kFlagHostSource = 2;

// DATA and SAMPLES value encodings.
constexpr uint8_t kEncodingF32 = 1;
constexpr uint8_t kEncodingI16 = 2;

// A decoded frame: the body points into the decoder's buffer.
struct Frame {
  uint8_t type = 0;
  uint16_t seq = 0;
  const uint8_t* body = nullptr;
  size_t body_length = 0;
};

// type | seq | body | crc into `out`. Returns the frame's length, 0 if it does not fit.
size_t encode_frame(uint8_t type, uint16_t seq, const uint8_t* body, size_t body_length,
                    uint8_t* out, size_t capacity);
// COBS of a frame and its 0x00 into `out`. Returns the wire length, 0 if it does not fit.
size_t encode_wire(const uint8_t* frame, size_t frame_length, uint8_t* out, size_t capacity);

enum class FrameStatus : uint8_t { Ok, Short, BadCrc };
// Checks a decoded frame's length and CRC and points `frame` at its parts.
FrameStatus parse_frame(const uint8_t* bytes, size_t length, Frame* frame);

struct SlotInfo {
  uint8_t state = kSlotEmpty;
  uint32_t size = 0;
  uint32_t crc32 = 0;
  uint32_t model_id = 0;
  uint32_t arena_bytes = 0;
};
constexpr size_t kSlotInfoBytes = 17;

struct DropCounters {
  uint32_t crc = 0;
  uint32_t cobs = 0;
  uint32_t oversize = 0;
  uint32_t short_frames = 0;
};

struct Hello {
  uint8_t protocol = kProtocolVersion;
  uint8_t firmware[3] = {0, 0, 0};
  uint8_t device_id[8] = {};
  Text board;
  uint16_t max_body = 0;
  uint8_t window = 0;
  uint32_t model_capacity = 0;
  uint32_t arena_capacity = 0;
  float rate_hz = 0;
  uint8_t rate_count = 0;
  uint32_t rates[kMaxRates] = {};
  uint8_t channel_count = 0;
  Text channels[kMaxChannelNames];
  uint8_t flags = 0;
  uint8_t active = 0;
  SlotInfo slots[2];
  DropCounters counters;
};

// DATA and SAMPLES. `values` points at count × channels values of the encoding.
struct SampleBlock {
  uint64_t time_us = 0;
  uint16_t count = 0;
  uint8_t channels = 0;
  uint8_t encoding = kEncodingF32;
  float scale = 1;
  const uint8_t* values = nullptr;
  size_t values_length = 0;

  // Value `i` (sample i / channels, channel i % channels) as a float.
  float value(size_t i) const;
};

struct Inference {
  uint64_t window_end_us = 0;
  uint32_t model_crc32 = 0;
  uint32_t latency_us = 0;
  uint32_t instructions = 0;
  uint8_t count = 0;
  const int8_t* outputs = nullptr;
  float score = 0;
};

struct Nak {
  uint8_t type = 0;
  uint8_t code = 0;
  uint32_t detail = 0;
  Text message;
};

struct Ack {
  uint8_t type = 0;
  const uint8_t* reply = nullptr;  // the command's reply body
  size_t reply_length = 0;
};

struct Log {
  uint8_t level = kInfo;
  Text text;
};

struct ModelBegin {
  uint32_t size = 0;
  uint32_t crc32 = 0;
  uint32_t model_id = 0;
};

// MODEL_CHUNK and INPUT: an offset and bytes.
struct Chunk {
  uint32_t offset = 0;
  const uint8_t* bytes = nullptr;
  size_t length = 0;
};

// ACK MODEL_COMMIT's reply: the active slot and both slots.
struct SlotsReply {
  uint8_t active = 0;
  SlotInfo slots[2];
};

void write_slot(ByteWriter& w, const SlotInfo& slot);
SlotInfo read_slot(ByteReader& r);

void write_hello(ByteWriter& w, const Hello& hello);
bool read_hello(ByteReader& r, Hello* hello);

// The header of a sample block; the caller appends the values.
void write_sample_header(ByteWriter& w, const SampleBlock& block);
// Also checks that the values the header announces are all there.
bool read_sample_block(ByteReader& r, SampleBlock* block);

void write_inference(ByteWriter& w, const Inference& inference);
bool read_inference(ByteReader& r, Inference* inference);

void write_nak(ByteWriter& w, const Nak& nak);
bool read_nak(ByteReader& r, Nak* nak);

void write_ack(ByteWriter& w, uint8_t type, const uint8_t* reply, size_t reply_length);
bool read_ack(ByteReader& r, Ack* ack);

void write_log(ByteWriter& w, const Log& log);
bool read_log(ByteReader& r, Log* log);

void write_model_begin(ByteWriter& w, const ModelBegin& begin);
bool read_model_begin(ByteReader& r, ModelBegin* begin);

void write_chunk(ByteWriter& w, const Chunk& chunk);
bool read_chunk(ByteReader& r, Chunk* chunk);

void write_slots_reply(ByteWriter& w, const SlotsReply& reply);
bool read_slots_reply(ByteReader& r, SlotsReply* reply);

}  // namespace tl::proto
