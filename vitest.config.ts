import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Property tests and subprocess-based CLI tests need more than the 5 s default on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
