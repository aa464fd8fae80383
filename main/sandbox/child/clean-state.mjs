// Isolation between evaluations: after every evaluation the interpreter is put back, byte for byte, to
// the state it had when it became ready (before it ran any job). Whatever an evaluation changed, a
// patched module, a forged reply function, a list that collects other conversations' attributes, is
// gone before the next one starts, even for code that got full Python.
//
// The state of a Pyodide interpreter is almost all in its WebAssembly linear memory: the Python heap,
// the C globals and the stack. That is copied once and written back after each evaluation. The few
// pieces that live outside it are checked or put back too:
//   - the stack pointer must be where it was (a JS -> wasm call always returns it there);
//   - Pyodide's table of JavaScript values (hiwire): the slots in use at capture are set again, later
//     slots emptied, so the JavaScript side agrees with the restored memory;
//   - the Emscripten file descriptors: any opened since the capture are closed;
//   - the dynamically loaded libraries: if one was loaded, restored memory would no longer match the
//     loader's bookkeeping, so the interpreter can't be restored and must be replaced.
// Memory that grew past the captured size is zeroed, so nothing of an earlier evaluation is left in it.
//
// What is copied back is only what an evaluation can have touched, which keeps the restore to about half
// the memory: the C globals (below the stack), the live top of the stack and the heap up to its break
// (which never moves down). The rest of the stack is dead at capture: it is zeroed then, and zeroed
// again at each restore (much cheaper than a copy). Memory above the break is untouched, by definition.

const STACK_GUARD_BYTES = 4096; // below the stack pointer at capture, copied anyway

/**
 * Reads every slot of a Pyodide value table until the first index past its end (the getter throws).
 * @param {(index: number) => unknown} get
 */
function readTable(get) {
  const values = [];
  for (let index = 0; ; index++) {
    try {
      values.push(get(index));
    } catch {
      return values;
    }
  }
}

/**
 * @param {any} module the Emscripten module (pyodide._module)
 * @param {any} FS Emscripten's filesystem (pyodide.FS)
 * @returns {{ restore(): void, differences(): number, bytes: number, layoutKnown: boolean }}
 */
export function captureCleanState(module, FS) {
  const stackPointer = module.stackSave();
  const stackLow = module._emscripten_stack_get_end();
  const breakAtCapture = module._sbrk(0);
  // The layout this relies on: [globals][stack, growing down][heap up to the break]. Anything else,
  // and every byte is copied back.
  const layoutKnown = stackLow > 0 && stackLow < stackPointer - STACK_GUARD_BYTES
    && stackPointer <= module._emscripten_stack_get_base() && module._emscripten_stack_get_base() <= breakAtCapture;
  const deadStackEnd = layoutKnown ? stackPointer - STACK_GUARD_BYTES : stackLow;
  if (layoutKnown) module.HEAPU8.fill(0, stackLow, deadStackEnd);
  const memory = module.HEAPU8.slice();
  const hiwire = readTable((index) => module.__hiwire_get(index));
  const immortal = readTable((index) => module.__hiwire_immortal_get(index));
  const streams = new Set(FS.streams.map((stream, fd) => (stream ? fd : -1)).filter((fd) => fd >= 0));
  const libraries = Object.keys(module.LDSO?.loadedLibsByName ?? {}).length;

  function restore() {
    if (module.stackSave() !== stackPointer) {
      throw new Error('the interpreter stack is not where it was; it cannot be restored');
    }
    if (Object.keys(module.LDSO?.loadedLibsByName ?? {}).length !== libraries) {
      throw new Error('a library was loaded into the interpreter; it cannot be restored');
    }
    for (let index = 0; index < immortal.length; index++) {
      if (module.__hiwire_immortal_get(index) !== immortal[index]) {
        throw new Error('the interpreter\'s table of permanent JavaScript values changed; it cannot be restored');
      }
    }
    const top = module._sbrk(0); // the end of the Python heap now (it never moves down)
    const heap = module.HEAPU8; // read again: memory may have grown, which replaces the view
    if (top > memory.length) heap.fill(0, memory.length, Math.min(top, heap.length));
    if (layoutKnown) {
      heap.set(memory.subarray(0, stackLow));
      heap.fill(0, stackLow, deadStackEnd);
      const end = Math.min(Math.max(top, breakAtCapture), memory.length);
      heap.set(memory.subarray(deadStackEnd, end), deadStackEnd);
    } else {
      heap.set(memory);
    }

    for (let index = 0; ; index++) {
      let current;
      try {
        current = module.__hiwire_get(index);
      } catch {
        break;
      }
      const wanted = index < hiwire.length ? hiwire[index] : null;
      if (current !== wanted) module.__hiwire_set(index, wanted);
    }
    FS.streams.forEach((stream, fd) => {
      if (stream && !streams.has(fd)) FS.close(stream);
    });
  }

  /** Bytes that differ from the clean state (memory past the capture must be zero). For tests. */
  function differences() {
    const heap = module.HEAPU8;
    let count = 0;
    for (let index = 0; index < memory.length; index++) if (heap[index] !== memory[index]) count++;
    for (let index = memory.length; index < heap.length; index++) if (heap[index] !== 0) count++;
    return count;
  }

  return { restore, differences, bytes: memory.length, layoutKnown };
}
