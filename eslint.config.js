// Lint rules, including the layering rules that keep the architecture honest:
//   shared/   pure TypeScript (language, API contract): no Node, no DOM, no Electron, no app layers
//   main/     the engine: plain Node; only main/shell/ may touch Electron
//   preload/  the Electron preload: electron and shared/ only
//   renderer/ the UI: talks to the engine through the API contract only
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises',
  'http', 'http2', 'https', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream',
  'timers', 'tls', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

const forbid = (groups, message) => ({ group: groups, message });

export const layeringRules = {
  shared: [
    'error',
    {
      paths: [...NODE_BUILTINS, 'electron'].map((name) => ({
        name,
        message: 'shared/ is pure TypeScript: it runs in the renderer and the engine alike.',
      })),
      patterns: [
        forbid(['node:*'], 'shared/ is pure TypeScript: it runs in the renderer and the engine alike.'),
        forbid(['**/main/**', '**/renderer/**', '**/preload/**'], 'shared/ must not import from the app layers.'),
      ],
    },
  ],
  engine: [
    'error',
    {
      paths: [{ name: 'electron', message: 'The engine runs in plain Node; only main/shell/ may import electron.' }],
      patterns: [
        forbid(['electron/*'], 'The engine runs in plain Node; only main/shell/ may import electron.'),
        forbid(['**/renderer/**', '**/preload/**'], 'The engine must not import UI code.'),
      ],
    },
  ],
  // The conformance checker is pure and independent of the runtime's rules: it may read shared/ and
  // the runtime's types (the trace's shape), nothing else of the engine.
  conformance: [
    'error',
    {
      paths: [...NODE_BUILTINS, 'electron'].map((name) => ({ name, message: 'main/conformance/ is pure: no I/O.' })),
      patterns: [
        { regex: '^node:', message: 'main/conformance/ is pure: no I/O.' },
        { regex: '^\\.\\./(?!runtime/types$|\\.\\./shared/)', message: "main/conformance/ may import shared/ and the runtime's types only, so that it checks the runtime rather than mirrors it." },
        { regex: '^\\.\\./runtime/types$', allowTypeImports: true, message: "main/conformance/ may import the runtime's types only (import type)." },
      ],
    },
  ],
  preload: [
    'error',
    {
      patterns: [
        forbid(['node:*'], 'The preload runs sandboxed: it may use electron and shared/ only.'),
        forbid(['**/main/**', '**/renderer/**'], 'The preload may use electron and shared/ only.'),
      ],
    },
  ],
  renderer: [
    'error',
    {
      paths: [{ name: 'electron', message: 'The renderer reaches the engine through the API contract only.' }],
      patterns: [
        forbid(['node:*'], 'The renderer runs in a sandboxed browser context.'),
        forbid(['**/main/**', '**/preload/**'], 'The renderer reaches the engine through the API contract only.'),
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'tests/artifacts/', 'tests/fixtures/lint/', 'tmp-scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['shared/**/*.ts'], rules: { 'no-restricted-imports': layeringRules.shared } },
  { files: ['main/**/*.ts'], ignores: ['main/shell/**'], rules: { 'no-restricted-imports': layeringRules.engine } },
  { files: ['main/conformance/**/*.ts'], rules: { 'no-restricted-imports': 'off', '@typescript-eslint/no-restricted-imports': layeringRules.conformance } },
  { files: ['preload/**/*.ts'], rules: { 'no-restricted-imports': layeringRules.preload } },
  { files: ['renderer/**/*.ts', 'renderer/**/*.tsx'], rules: { 'no-restricted-imports': layeringRules.renderer } },
);
