#!/usr/bin/env node
// `node scripts/arduino-firmware.js [OUT]`: assembles the Arduino sketch of the TinyLoop firmware
// for the Nano 33 BLE Sense (docs/firmware.md, "The Arduino port") into OUT (default
// native/build/arduino/TinyLoopFirmware): the glue of native/firmware/ports/arduino, and in its
// src/ the portable core, the feature code and the flatbuffers headers, copied as they are (the
// same code the host and QEMU builds run; nothing is edited but the buffer sizes of a board).
// Building it needs arduino-cli and the Arduino Mbed OS Nano core, which these machines lack.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const out = resolve(process.argv[2] ?? join(root, 'native/build/arduino/TinyLoopFirmware'))
const flatbuffers = '/usr/include/flatbuffers'
if (!existsSync(flatbuffers)) {
  process.stderr.write(
    'arduino-firmware needs the flatbuffers headers: sudo apt-get install -y libflatbuffers-dev\n',
  )
  process.exit(1)
}

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
cpSync(join(root, 'native/firmware/ports/arduino/TinyLoopFirmware'), out, { recursive: true })
const src = join(out, 'src')
const skip = (path) => /\/(tests|tools)(\/|$)|CMakeLists\.txt$/.test(path)
cpSync(join(root, 'native/firmware/core'), join(src, 'firmware/core'), {
  recursive: true,
  filter: (path) => !skip(path),
})
mkdirSync(join(src, 'features'), { recursive: true })
for (const file of ['tinyloop_features.c', 'tinyloop_features.h']) {
  cpSync(join(root, 'native/features', file), join(src, 'features', file))
}
cpSync(flatbuffers, join(src, 'flatbuffers'), { recursive: true })

// A board's buffer sizes, as the Cortex-M4 build has them (native/firmware/CMakeLists.txt).
const config = join(src, 'firmware/core/config.h')
writeFileSync(
  config,
  readFileSync(config, 'utf8').replace(
    '#pragma once\n',
    '#pragma once\n\n// The Nano 33 BLE Sense (256 KB of RAM): set by scripts/arduino-firmware.js.\n' +
      '#define TL_FW_MAX_CHANNELS 6\n#define TL_FW_MAX_WINDOW_SAMPLES 1024\n#define TL_FW_MAX_FEATURES 2048\n',
  ),
)
process.stdout.write(
  `${out}\nBuild and upload (arduino-cli with the Arduino Mbed OS Nano core, and the library ` +
    'Arduino_BMI270_BMM150, or Arduino_LSM9DS1 for a Rev1 board):\n' +
    `  arduino-cli compile --fqbn arduino:mbed_nano:nano33ble --build-property ` +
    `"compiler.cpp.extra_flags=-I${src} -ffp-contract=off" --build-property ` +
    `"compiler.c.extra_flags=-ffp-contract=off" ${out}\n` +
    `  arduino-cli upload --fqbn arduino:mbed_nano:nano33ble --port /dev/ttyACM0 ${out}\n`,
)
