import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import importX, { createNodeResolver } from 'eslint-plugin-import-x'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import ts from 'typescript-eslint'
import { builtinModules } from 'node:module'

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)]
const nativeAndNodePackages = ['better-sqlite3', 'serialport', '@serialport/*', 'ws', 'commander']

/**
 * The layer rules of docs/architecture.md, enforced rather than hoped for:
 * - only src-main/electron/ and the preload may import Electron;
 * - the renderer never imports Node, Electron, native packages or main-process code, and takes
 *   only types from the contract (so zod stays out of the page);
 * - the preload imports Electron's bridge, the contract's names and types, nothing from Node.
 */
const electronOnlyInShell = {
  name: 'electron',
  message:
    'Only src-main/electron/ (and the preload) may import Electron; keep the core plain Node.',
}

/** What any file of src-preload may import, plus `extra` patterns. */
function preloadImports(extra) {
  return {
    paths: nodeBuiltins.map((name) => ({
      name,
      message: 'The sandboxed preload cannot use Node modules.',
    })),
    patterns: [
      { group: ['**/src-main/**'], message: 'The preload only knows the contract.' },
      ...extra,
      {
        group: nativeAndNodePackages,
        message: 'The sandboxed preload cannot load Node packages.',
      },
    ],
  }
}

/**
 * Import cycles are refused: a module must be able to load before the modules it imports (a
 * cycle leaves one side undefined at load time, depending on which file the bundler meets first).
 * Type-only imports are erased, so they may point back; packages are not followed. The resolver
 * follows both import styles: the core's `./x.js` for `x.ts`, and the renderer's extensionless
 * `./x.svelte` for `x.svelte.ts`.
 * tests/lint/fixtures/cycle/ is linted only by tests/lint/cycles.test.ts.
 */
const cycleChecked = {
  files: [
    'src-main/**/*.ts',
    'src-preload/**/*.ts',
    'src-renderer/**/*.ts',
    'src-renderer/**/*.svelte',
    'tests/lint/fixtures/cycle/**/*.ts',
  ],
  plugins: { 'import-x': importX },
  // A component reached from a .ts file is parsed with that file's parser options: name the
  // parser of its <script lang="ts"> here too.
  languageOptions: { parserOptions: { parser: ts.parser } },
  settings: {
    'import-x/extensions': ['.ts', '.js', '.svelte'],
    'import-x/parsers': {
      '@typescript-eslint/parser': ['.ts', '.js'],
      'svelte-eslint-parser': ['.svelte'],
    },
    'import-x/resolver-next': [
      createNodeResolver({
        extensions: ['.ts', '.js', '.svelte'],
        extensionAlias: { '.js': ['.ts', '.js'] },
      }),
    ],
  },
  rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
}

export default ts.config(
  {
    ignores: [
      'out/',
      'node_modules/',
      'test-results/',
      'playwright-report/',
      'tests/lint/fixtures/',
      // CMake's build tree (npm run build:native): it writes files named *.ts of its own.
      'native/build/',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  prettier,
  ...svelte.configs['flat/prettier'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/electron/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [{ group: ['electron/*'], message: electronOnlyInShell.message }],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-globals': ['error', 'require', 'process', '__dirname', '__filename', 'Buffer'],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer never imports Electron: use the contract API.',
            },
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'The renderer never imports Node: ask the services through the contract.',
            })),
          ],
          patterns: [
            {
              group: nativeAndNodePackages,
              message: 'Node-only package: the renderer reaches it through the services.',
            },
            {
              group: ['**/src-main/**', '../../src-main', '../src-main'],
              message: 'The renderer never imports main-process code: use the contract API.',
            },
            {
              group: ['**/src-preload/contract', '**/src-preload/contract/**'],
              allowTypeImports: true,
              message: 'The renderer takes only types from the contract (import type).',
            },
            {
              group: ['**/src-preload/index', '**/src-preload/index.js'],
              message: 'The preload runs in its own context; the renderer uses window.tinyloop.',
            },
          ],
        },
      ],
    },
  },
  cycleChecked,
  {
    files: ['src-preload/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', preloadImports([])],
    },
  },
  {
    // The preload script itself bundles only what it imports: names, not schemas.
    files: ['src-preload/index.ts', 'src-preload/channels.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        preloadImports([
          {
            group: ['./contract/*', '**/src-preload/contract/**', 'zod'],
            allowTypeImports: true,
            message:
              'The preload takes only types from the contract (names come from channels.ts), so no schema code is bundled into it.',
          },
        ]),
      ],
    },
  },
)
