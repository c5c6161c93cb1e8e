#!/usr/bin/env node
// `npm install` / `npm ci` run this (package.json "postinstall"). LiteRT.js 2.5.3 (@litertjs/core,
// used by the TFLite tests and benchmark) has no INT8 entry in its dtype table, so it cannot hand
// an int8 tensor to a model or read one back, though its runtime runs int8 models. This adds the
// entry, once; it changes nothing if the package is absent (a production install) or already
// patched, and fails loudly if the file is not the one this patch was written for.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const file = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'node_modules',
  '@litertjs',
  'core',
  'dist',
  'index.js',
)
const anchor = `  {
    dtype: "uint8",
    typedArrayConstructor: Uint8Array,
    elementType: ElementType.UINT8
  }
]);`
const patched = `  {
    dtype: "uint8",
    typedArrayConstructor: Uint8Array,
    elementType: ElementType.UINT8
  },
  // Added by TinyLoop's scripts/patch-litertjs.js: int8 tensors.
  {
    dtype: "int8",
    typedArrayConstructor: Int8Array,
    elementType: ElementType.INT8
  }
]);`

if (existsSync(file)) {
  const source = readFileSync(file, 'utf8')
  if (!source.includes(patched)) {
    if (!source.includes(anchor)) {
      process.stderr.write(
        `patch-litertjs: ${file} is not the LiteRT.js 2.5.3 this patch expects.\n`,
      )
      process.exit(1)
    }
    writeFileSync(file, source.replace(anchor, patched))
  }
}
