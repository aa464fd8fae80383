// Memory cap for the Python heap (WebAssembly linear memory), which --max-old-space-size does not cover.
//
// Emscripten grows its heap by calling `memory.grow(pages)` from JavaScript (growMemory in
// pyodide.asm.mjs). Wrapping WebAssembly.Memory.prototype.grow before Pyodide loads lets us refuse any
// growth past the limit: Emscripten's resize then fails, malloc returns NULL and Python raises
// MemoryError. The cap records that it was hit, so the process reports 'memory' and gets replaced even
// if the Python code caught the MemoryError.
/* global WebAssembly */

const PAGE_BYTES = 65_536;

/**
 * @param {number} limitBytes
 * @returns {{ wasHit(): boolean, reset(): void, limitBytes: number }}
 */
export function installMemoryCap(limitBytes) {
  if (!Number.isFinite(limitBytes) || limitBytes <= 0) {
    throw new Error(`memory cap must be a positive number of bytes, got ${limitBytes}`);
  }
  const originalGrow = WebAssembly.Memory.prototype.grow;
  let hit = false;
  Object.defineProperty(WebAssembly.Memory.prototype, 'grow', {
    configurable: false,
    writable: false,
    enumerable: false,
    value: function grow(pages) {
      const next = this.buffer.byteLength + Number(pages) * PAGE_BYTES;
      if (next > limitBytes) {
        hit = true;
        throw new RangeError(`WebAssembly memory limit of ${limitBytes} bytes reached`);
      }
      return originalGrow.call(this, pages);
    },
  });
  return {
    limitBytes,
    wasHit: () => hit,
    reset: () => {
      hit = false;
    },
  };
}
