import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/bench/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // SQLite files and child processes: keep the two cores busy but not oversubscribed.
    pool: 'forks',
    maxWorkers: 2,
  },
});
