// The TinyLoop firmware on an Arduino Nano 33 BLE Sense (Rev2 with the BMI270, or Rev1 with the
// LSM9DS1: define TINYLOOP_IMU_LSM9DS1). Everything but this glue is the portable core in src/,
// copied there from native/ by `node scripts/arduino-firmware.js` (docs/firmware.md, "The
// Arduino port"). The board then records, takes models and classifies exactly as the host and
// QEMU builds that the app tests.
#include "arduino_hal.h"
#include "src/firmware/core/device.h"
#include "src/firmware/core/tflite/tl_interpreter.h"

namespace {
tl::arduino::MicrosClock clock_;
tl::arduino::UsbSerial link_;
tl::arduino::ImuSensor imu_;
tl::arduino::FlashStorage storage_;
alignas(16) uint8_t arena_[64 * 1024];
tl::Interpreter interpreter_(arena_, sizeof arena_);
tl::fw::Device* device_ = nullptr;
}  // namespace

void setup() {
  Serial.begin(921600);  // USB CDC: the rate is not used, the link runs at USB speed
  storage_.begin();
  imu_.begin();
  tl::fw::DeviceInfo info;
  info.board = "nano33ble";
  // The nRF52840's factory-set device id (FICR DEVICEID[0..1]).
  const uint32_t id[2] = {NRF_FICR->DEVICEID[0], NRF_FICR->DEVICEID[1]};
  for (int i = 0; i < 8; i++) info.device_id[i] = static_cast<uint8_t>(id[i / 4] >> (8 * (i % 4)));
  info.arena_capacity = sizeof arena_;
  static tl::fw::Device device(clock_, link_, imu_, storage_, interpreter_, info);
  device_ = &device;
  device_->boot();
}

void loop() { device_->poll(); }
