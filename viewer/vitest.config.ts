import { defineConfig } from 'vitest/config';

// Unit tests of the pure modules only; the browser test (tests/browser.test.mjs) is a plain
// node script driven by api/tests/viewer.rs against the real server.
export default defineConfig({
  test: { include: ['tests/unit/**/*.test.ts'], environment: 'node' },
});
