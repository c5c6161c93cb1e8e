// Slots A and B and the boot record that says which one is active (docs/firmware.md, "Slots").
// A transfer writes only the slot that is not active; the switch is one write of the boot record,
// made after the new slot is durable and checked. The boot record region holds two copies, each
// with a sequence number and a CRC, written alternately: a write cut half-way leaves the other
// copy, the previous state, as the newest valid one.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hal.h"
#include "protocol/frames.h"

namespace tl::fw {

constexpr size_t kBootRecordBytes = 64;
constexpr size_t kBootRecordCopies = 2;

struct BootRecord {
  uint32_t sequence = 0;
  uint8_t active = 0;  // 0 none, 1 A, 2 B
  proto::SlotInfo slots[2];
};

void encode_boot_record(const BootRecord& record, uint8_t out[kBootRecordBytes]);
// False for a copy that is erased, torn or of another format.
bool decode_boot_record(const uint8_t bytes[kBootRecordBytes], BootRecord* record);

class ModelStore {
 public:
  explicit ModelStore(Storage& storage) : storage_(storage) {}

  // Reads the newest valid copy of the boot record; none gives empty slots.
  void load();
  // Writes the current state as the next copy: the one switch-over point.
  bool persist();

  uint8_t active() const { return record_.active; }
  const proto::SlotInfo& slot(size_t index) const { return record_.slots[index]; }
  proto::SlotInfo& slot(size_t index) { return record_.slots[index]; }
  void set_active(uint8_t active) { record_.active = active; }
  uint32_t sequence() const { return record_.sequence; }
  size_t capacity() const;
  Region region(size_t index) const { return index == 0 ? Region::SlotA : Region::SlotB; }
  const uint8_t* bytes(size_t index) { return storage_.map(region(index)); }
  // CRC-32 of the first `size` bytes of a slot.
  uint32_t crc_of(size_t index, uint32_t size);

  // The transfer in progress.
  struct Transfer {
    bool open = false;
    uint8_t slot = 0;  // index 0 (A) or 1 (B)
    uint32_t size = 0;
    uint32_t crc32 = 0;
    uint32_t model_id = 0;
    uint32_t next = 0;
  };
  const Transfer& transfer() const { return transfer_; }

  // Opens a transfer into the slot that is not active: erases it and records it empty.
  bool begin(uint32_t size, uint32_t crc32, uint32_t model_id);
  bool write_chunk(const uint8_t* data, size_t n);
  // Makes a slot's bytes durable; true if they are.
  bool sync_slot(size_t index) { return storage_.sync(region(index)); }
  void forget_transfer() { transfer_ = Transfer{}; }

 private:
  Storage& storage_;
  BootRecord record_;
  Transfer transfer_;
  uint8_t scratch_[kBootRecordBytes];
};

}  // namespace tl::fw
