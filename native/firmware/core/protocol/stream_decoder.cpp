#include "stream_decoder.h"

namespace tl::proto {

StreamDecoder::StreamDecoder(size_t max_body)
    : max_frame_(kFrameOverhead + (max_body < kMaxBody ? max_body : kMaxBody)) {}

size_t StreamDecoder::feed(const uint8_t* data, size_t n, Frame* frame, bool* got) {
  *got = false;
  for (size_t i = 0; i < n; i++) {
    const uint8_t byte = data[i];
    if (byte != 0) {
      if (length_ < kMaxEncoded)
        encoded_[length_++] = byte;
      else
        overflowed_ = true;
      continue;
    }
    end_frame(frame, got);
    if (*got) return i + 1;
  }
  return n;
}

void StreamDecoder::end_frame(Frame* frame, bool* got) {
  const size_t length = length_;
  const bool overflowed = overflowed_;
  length_ = 0;
  overflowed_ = false;
  if (overflowed) {
    drops_.oversize++;
    return;
  }
  if (length == 0) return;  // two zeros in a row: nothing to drop
  const CobsResult decoded = cobs_decode(encoded_, length, decoded_, max_frame_);
  if (decoded.status == CobsStatus::BadCode) {
    drops_.cobs++;
    return;
  }
  if (decoded.status == CobsStatus::TooLong) {
    drops_.oversize++;
    return;
  }
  switch (parse_frame(decoded_, decoded.length, frame)) {
    case FrameStatus::Short:
      drops_.short_frames++;
      return;
    case FrameStatus::BadCrc:
      drops_.crc++;
      return;
    case FrameStatus::Ok:
      frames_++;
      *got = true;
      return;
  }
}

}  // namespace tl::proto
