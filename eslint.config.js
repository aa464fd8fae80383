// Lint rules, including the layering rules that keep the architecture honest:
//   shared/   pure TypeScript (language, API contract): no Node, no DOM, no Electron, no app layers
//   main/     the engine: plain Node; only main/shell/ may touch Electron
//   preload/  the Electron preload: electron and shared/ only
//   renderer/ the UI: talks to the engine through the API contract only
// and, inside main/ and shared/, each folder imports only the folders listed for it (folder layering).
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
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

// The folders inside main/ (and app-version.ts at its top), and the folders each may import besides
// itself: a graph with no loops, from the bottom up
//   shared/ ← leaves (secrets, validation, files, sandbox, app-version) ← store ← the domain folders
//   ← services ← the adapters (api, server, cli, app) ← shell
// A new folder must take its place here before anything in it passes the lint.
export const mainFolders = {
  // Leaves: small infrastructure.
  'app-version': [],
  secrets: ['shared'],
  validation: ['shared'],
  files: ['shared'],
  sandbox: ['shared'],
  // All SQL, behind repository interfaces: the store knows no domain folder.
  store: ['shared'],
  // The domain, each folder on the ones above it in this list.
  model: ['shared', 'store', 'secrets'],
  language: ['shared', 'sandbox'],
  procedures: ['shared', 'store', 'language', 'sandbox'],
  knowledge: ['shared', 'store', 'validation'],
  runtime: ['shared', 'store', 'model', 'sandbox'],
  conformance: ['shared', 'runtime'],
  connectors: ['shared', 'store', 'app-version', 'runtime', 'sandbox', 'secrets', 'validation'],
  assembly: ['store', 'connectors', 'model', 'runtime', 'sandbox', 'secrets'],
  simulations: ['shared', 'store', 'assembly', 'conformance', 'connectors', 'model', 'runtime', 'sandbox', 'secrets', 'validation'],
  authoring: ['shared', 'store', 'language', 'model', 'procedures', 'sandbox', 'simulations', 'validation'],
  bundles: ['shared', 'store', 'app-version', 'connectors', 'knowledge', 'procedures', 'secrets', 'simulations', 'validation'],
  // The domain services: the rules every adapter shares.
  services: ['shared', 'store', 'authoring', 'bundles', 'connectors', 'knowledge', 'model', 'procedures', 'sandbox', 'secrets', 'simulations'],
  // The adapters, and the Electron shell over them.
  api: ['shared', 'store', 'model', 'procedures', 'sandbox', 'secrets', 'services', 'validation'],
  server: ['shared', 'api'],
  // The headless production server: bundles in, conversations over HTTP out; never the app or UI.
  production: ['shared', 'store', 'app-version', 'assembly', 'bundles', 'connectors', 'knowledge', 'model', 'procedures', 'runtime', 'sandbox', 'secrets', 'validation'],
  cli: ['shared', 'store', 'assembly', 'authoring', 'bundles', 'conformance', 'connectors', 'files', 'knowledge', 'language', 'model', 'procedures', 'production', 'runtime', 'secrets', 'services', 'simulations'],
  app: ['shared', 'store', 'api', 'app-version', 'assembly', 'model', 'procedures', 'sandbox', 'secrets', 'server', 'services', 'simulations'],
  shell: ['shared', 'api', 'app', 'files', 'sandbox', 'secrets', 'server'],
};

// The same inside shared/: its folders and the files at its top.
export const sharedFolders = {
  json: [],
  'zod-error': [],
  'text-file': [],
  'model-roles': [],
  'conversation-status': [],
  'shell-quote': [],
  plural: [],
  procedure: [],
  trace: [],
  knowledge: [],
  connectors: ['json', 'zod-error', 'plural'],
  simulations: ['connectors', 'json', 'model-roles'],
  api: [],
};

// ---------------------------------------------------------------------------------------------------
// Folder layering inside main/ and shared/: each folder imports only the folders listed for it (and
// itself). The lists form a graph with no loops; tests/architecture/folder-layering.test.ts reads
// them back from this config and checks it, and the rule below holds every import to them.

/** The folder of `zone` that `path` lies in (a file directly in the zone counts as its own node), or null. */
function folderIn(zone, path) {
  const parts = relative(zone, path).split(sep);
  if (parts[0] === '' || parts[0] === '..' || isAbsolute(parts[0])) return null;
  return parts.length === 1 ? parts[0].replace(/\.(d\.)?tsx?$/, '') : parts[0];
}

const folderLayering = {
  meta: {
    type: 'problem',
    docs: { description: 'Holds each folder of a zone (main/, shared/) to the folders it may import' },
    schema: [
      {
        type: 'object',
        properties: {
          zone: { type: 'string' },
          folders: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
          // Other zones an import may reach as one node (main/ sees all of shared/ as "shared").
          zonesBelow: { type: 'array', items: { type: 'string' } },
        },
        required: ['zone', 'folders'],
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const { zone, folders, zonesBelow = [] } = context.options[0];
    const zoneRoot = join(context.cwd, zone);
    const file = context.filename;
    const from = folderIn(zoneRoot, file);
    if (from === null) return {};
    const allowed = folders[from];
    const check = (source) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = resolve(dirname(file), source.value);
      const below = zonesBelow.find((other) => folderIn(join(context.cwd, other), target) !== null || target === join(context.cwd, other));
      const to = below ?? folderIn(zoneRoot, target);
      if (to === null || to === from || allowed === undefined) return;
      if (!allowed.includes(to)) {
        const may = allowed.length > 0 ? `it may import ${allowed.join(', ')}` : 'it imports no other folder';
        context.report({ node: source, message: `${zone}/${from} must not import ${below ?? `${zone}/${to}`}: ${may} (folder layering, eslint.config.js).` });
      }
    };
    return {
      Program(node) {
        if (allowed === undefined) context.report({ node, message: `${zone}/${from} has no place in the folder layering of eslint.config.js: list what it may import.` });
      },
      ImportDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      // typescript-eslint names the string `source` (older versions: `argument.literal`).
      TSImportType: (node) => check('source' in node ? node.source : node.argument?.literal),
    };
  },
};

const layeringPlugin = { rules: { 'folder-layering': folderLayering } };

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
  {
    files: ['main/**/*.ts'],
    plugins: { stepwise: layeringPlugin },
    rules: { 'stepwise/folder-layering': ['error', { zone: 'main', folders: mainFolders, zonesBelow: ['shared'] }] },
  },
  {
    files: ['shared/**/*.ts'],
    plugins: { stepwise: layeringPlugin },
    rules: { 'stepwise/folder-layering': ['error', { zone: 'shared', folders: sharedFolders }] },
  },
  { files: ['preload/**/*.ts'], rules: { 'no-restricted-imports': layeringRules.preload } },
  { files: ['renderer/**/*.ts', 'renderer/**/*.tsx'], rules: { 'no-restricted-imports': layeringRules.renderer } },
);
