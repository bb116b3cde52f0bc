import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60000,
    pool: 'threads',
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
