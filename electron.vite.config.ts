import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { contractNamesDefine } from './src-preload/contract/names-define.js'

// One build for every runtime: the Electron main process and the plain-Node entry points (CLI,
// web mode) share src-main; the sandboxed preload is bundled whole (it cannot require packages);
// the renderer is a Svelte app served either by Electron or by `tinyloop serve`.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      lib: {
        entry: {
          index: resolve('src-main/electron/main.ts'),
          cli: resolve('src-main/cli/tinyloop.ts'),
          // The trainer process, forked by the CLI and web mode (the app uses ?modulePath).
          trainer: resolve('src-main/training/trainer-process.ts'),
        },
      },
    },
  },
  preload: {
    // The preload allows the contract's names without bundling the schemas (see channels.ts).
    define: contractNamesDefine(),
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      lib: { entry: { index: resolve('src-preload/index.ts') } },
      rollupOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: 'src-renderer',
    plugins: [svelte({ configFile: resolve('svelte.config.js') })],
    build: {
      outDir: resolve('out/renderer'),
      rollupOptions: { input: resolve('src-renderer/index.html') },
    },
  },
})
