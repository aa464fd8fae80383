// What a contract suite opens, closed after each test (even a failing one), so that no store, file
// or database connection outlives the test that opened it.
import { afterEach } from 'vitest';

/** Returns `open`: each call makes a store under test through `make`; all are closed after the test. */
export function useOpenedStores<T extends { close(): Promise<void> }>(make: () => Promise<T>): () => Promise<T> {
  let opened: T[] = [];
  afterEach(async () => {
    for (const each of opened) await each.close();
    opened = [];
  });
  return async () => {
    const made = await make();
    opened.push(made);
    return made;
  };
}
