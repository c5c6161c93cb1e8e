#!/usr/bin/env node
// `npm run build:native`: the firmware and its tests (docs/firmware.md). CMake builds
//   native/build     the host: the core's CTest suite, the Linux host port (tinyloop-fw-host),
//                    the engine's test tool;
//   native/build/m4  the Cortex-M4 build for QEMU's mps2-an386 (tinyloop-fw-m4.elf), when the
//                    Arm cross-compiler is installed (Debian: gcc-arm-none-eabi
//                    libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib).
// Incremental: a second run only checks that everything is up to date.
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const jobs = process.env.TINYLOOP_BUILD_JOBS ?? '2'

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' })
  if (result.error) {
    process.stderr.write(`build:native: ${command} could not start (${result.error.message}).\n`)
    process.exit(1)
  }
  if (result.status !== 0) process.exit(result.status ?? 1)
}

const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0

if (!onPath('cmake')) {
  process.stderr.write(
    'build:native needs CMake and a C++ compiler: sudo apt-get install -y cmake g++ make\n',
  )
  process.exit(1)
}
run('cmake', ['-S', 'native', '-B', 'native/build', '-DCMAKE_BUILD_TYPE=Release'])
run('cmake', ['--build', 'native/build', `-j${jobs}`])

if (onPath('arm-none-eabi-g++')) {
  run('cmake', [
    '-S',
    'native',
    '-B',
    'native/build/m4',
    '-DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake',
    '-DCMAKE_BUILD_TYPE=MinSizeRel',
    '-DBUILD_TESTING=OFF',
  ])
  run('cmake', ['--build', 'native/build/m4', `-j${jobs}`])
} else {
  process.stdout.write(
    'build:native: no Arm cross-compiler, so no Cortex-M4 build (sudo apt-get install -y ' +
      'gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib)\n',
  )
}
