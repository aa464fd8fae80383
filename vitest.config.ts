import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Builds the renderer (only when its sources changed) for the end-to-end tests in tests/e2e/.
    globalSetup: ['tests/e2e/global-setup.ts'],
    // Property tests and subprocess-based CLI tests need more than the 5 s default on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The end-to-end tests wait for the page with expect.poll: allow for a busy 2-core machine.
    expect: { poll: { timeout: 10_000 } },
  },
});
