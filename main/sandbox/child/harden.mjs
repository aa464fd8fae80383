// JavaScript-side hardening of the sandbox process (layer 2). Python code can't run JavaScript once
// the JS bridges are gone, and code generation from strings is disabled by a node flag; these steps
// make sure that even a JS value reached by some unforeseen route leads nowhere useful.

/**
 * Node's permission model refuses `process.binding`, which Emscripten's NODEFS calls once at start-up
 * for the file-open flag constants. Answer that one question from the public `fs.constants` and refuse
 * everything else.
 * @param {{ binding?: unknown }} proc the process object
 * @param {Record<string, number>} fsConstants node:fs constants
 * @param {Record<string, unknown>} osConstants node:os constants
 */
export function shimProcessBinding(proc, fsConstants, osConstants) {
  Object.defineProperty(proc, 'binding', {
    configurable: true,
    writable: false,
    value: (name) => {
      if (name === 'constants') return { fs: { ...fsConstants }, os: { ...osConstants } };
      throw new Error(`process.binding('${String(name)}') is not available in the Python sandbox`);
    },
  });
}

/** Globals that reach the host, the network or other code. Removed once Pyodide is loaded. */
export const DANGEROUS_GLOBALS = Object.freeze([
  'process', 'Buffer', 'global', 'require', 'module', 'exports', '__filename', '__dirname',
  'fetch', 'FormData', 'Headers', 'Request', 'Response', 'WebSocket', 'EventSource',
  'BroadcastChannel', 'MessageChannel', 'MessagePort', 'MessageEvent', 'Worker',
  'navigator', 'crypto', 'Crypto', 'CryptoKey', 'SubtleCrypto', 'WebAssembly',
  'SharedArrayBuffer', 'Atomics', 'eval',
]);

/**
 * Deletes the dangerous globals from globalThis. Returns the names still present afterwards (should
 * be none); the caller treats any leftover as a boot failure.
 * @param {object} target usually globalThis
 * @returns {string[]}
 */
export function removeDangerousGlobals(target) {
  for (const name of DANGEROUS_GLOBALS) {
    try {
      delete target[name];
    } catch {
      // Non-configurable: reported below.
    }
  }
  return DANGEROUS_GLOBALS.filter((name) => Object.prototype.hasOwnProperty.call(target, name));
}

/**
 * Makes every later `require()` fail. Pyodide's Emscripten glue keeps a CommonJS `require` and calls
 * it lazily, e.g. `require("node:child_process")` inside system(), which Python's os.system reaches.
 * Nothing needs new modules after boot, so the loader refuses them all.
 * @param {{ _load: Function }} ModuleClass the default export of node:module
 */
export function lockModuleLoader(ModuleClass) {
  Object.defineProperty(ModuleClass, '_load', {
    configurable: false,
    writable: false,
    value: (request) => {
      throw new Error(`loading '${String(request)}' is not allowed in the Python sandbox`);
    },
  });
}
