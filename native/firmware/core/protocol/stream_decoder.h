// Bytes from a serial link in, whole checked frames out. Resynchronizes at every 0x00: garbage
// costs at most the frame it lands in. Drops are counted by reason and never answered
// (docs/protocol.md, "Limits"). Fixed memory: the encoded bytes of one frame.
#pragma once

#include <cstddef>
#include <cstdint>

#include "frames.h"

namespace tl::proto {

class StreamDecoder {
 public:
  // `max_body`: the largest body accepted (at most kMaxBody).
  explicit StreamDecoder(size_t max_body = kMaxBody);

  // Consumes bytes of `data` up to and including the first 0x00 that ends a well-formed frame;
  // returns how many it consumed. If `frame` was filled (*got true), its body stays valid until
  // the next call. Feed the rest again to continue.
  size_t feed(const uint8_t* data, size_t n, Frame* frame, bool* got);

  const DropCounters& drops() const { return drops_; }
  // Non-empty frames decoded and checked.
  uint32_t frames() const { return frames_; }

 private:
  void end_frame(Frame* frame, bool* got);

  size_t max_frame_;
  uint8_t encoded_[kMaxEncoded];
  uint8_t decoded_[kMaxFrame];
  size_t length_ = 0;
  bool overflowed_ = false;
  DropCounters drops_;
  uint32_t frames_ = 0;
};

}  // namespace tl::proto
