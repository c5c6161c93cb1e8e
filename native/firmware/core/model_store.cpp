#include "model_store.h"

#include <cstring>

#include "protocol/crc32.h"

namespace tl::fw {
namespace {

constexpr uint8_t kMagic[4] = {'T', 'L', 'B', 'R'};
constexpr uint16_t kRecordVersion = 1;
constexpr size_t kCrcAt = kBootRecordBytes - 4;

// Sequence numbers wrap: a is newer than b if it is less than half the range ahead.
bool newer(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) > 0; }

}  // namespace

void encode_boot_record(const BootRecord& record, uint8_t out[kBootRecordBytes]) {
  std::memset(out, 0, kBootRecordBytes);
  proto::ByteWriter w(out, kCrcAt);
  w.bytes(kMagic, 4);
  w.u16(kRecordVersion);
  w.u16(0);
  w.u32(record.sequence);
  w.u8(record.active);
  proto::write_slot(w, record.slots[0]);
  proto::write_slot(w, record.slots[1]);
  proto::ByteWriter crc(out + kCrcAt, 4);
  crc.u32(proto::crc32(out, kCrcAt));
}

bool decode_boot_record(const uint8_t bytes[kBootRecordBytes], BootRecord* record) {
  proto::ByteReader crc(bytes + kCrcAt, 4);
  if (crc.u32() != proto::crc32(bytes, kCrcAt)) return false;
  proto::ByteReader r(bytes, kCrcAt);
  if (std::memcmp(r.bytes(4), kMagic, 4) != 0 || r.u16() != kRecordVersion) return false;
  r.u16();
  BootRecord out;
  out.sequence = r.u32();
  out.active = r.u8();
  out.slots[0] = proto::read_slot(r);
  out.slots[1] = proto::read_slot(r);
  if (out.active > 2) return false;
  for (const proto::SlotInfo& s : out.slots)
    if (s.state > proto::kSlotDamaged) return false;
  *record = out;
  return true;
}

size_t ModelStore::capacity() const {
  const size_t a = storage_.capacity(Region::SlotA);
  const size_t b = storage_.capacity(Region::SlotB);
  return a < b ? a : b;
}

void ModelStore::load() {
  record_ = BootRecord{};
  bool found = false;
  for (size_t copy = 0; copy < kBootRecordCopies; copy++) {
    BootRecord candidate;
    if (!storage_.read(Region::BootRecord, copy * kBootRecordBytes, scratch_, kBootRecordBytes))
      continue;
    if (!decode_boot_record(scratch_, &candidate)) continue;
    if (!found || newer(candidate.sequence, record_.sequence)) record_ = candidate;
    found = true;
  }
  // A record naming a slot larger than the slots is of another device: trust none of it.
  for (proto::SlotInfo& s : record_.slots)
    if (s.size > capacity()) s = proto::SlotInfo{};
}

bool ModelStore::persist() {
  BootRecord next = record_;
  next.sequence = record_.sequence + 1;
  encode_boot_record(next, scratch_);
  // The copy that does not hold the current record.
  const size_t copy = next.sequence % kBootRecordCopies;
  if (!storage_.erase(Region::BootRecord, copy * kBootRecordBytes, kBootRecordBytes)) return false;
  if (!storage_.write(Region::BootRecord, copy * kBootRecordBytes, scratch_, kBootRecordBytes))
    return false;
  if (!storage_.sync(Region::BootRecord)) return false;
  record_.sequence = next.sequence;
  return true;
}

uint32_t ModelStore::crc_of(size_t index, uint32_t size) {
  return proto::crc32(bytes(index), size);
}

bool ModelStore::begin(uint32_t size, uint32_t crc32, uint32_t model_id) {
  forget_transfer();
  const uint8_t slot = record_.active == 1 ? 1 : 0;
  // Recorded empty before a byte of it changes, so that a cut transfer leaves no claim on it.
  if (record_.slots[slot].state != proto::kSlotEmpty) {
    record_.slots[slot] = proto::SlotInfo{};
    if (!persist()) return false;
  }
  if (!storage_.erase(region(slot), 0, size)) return false;
  transfer_.open = true;
  transfer_.slot = slot;
  transfer_.size = size;
  transfer_.crc32 = crc32;
  transfer_.model_id = model_id;
  transfer_.next = 0;
  return true;
}

bool ModelStore::write_chunk(const uint8_t* data, size_t n) {
  if (!storage_.write(region(transfer_.slot), transfer_.next, data, n)) return false;
  transfer_.next += static_cast<uint32_t>(n);
  return true;
}

}  // namespace tl::fw
