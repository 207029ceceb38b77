import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // Tests start the built programs (apps/*/dist), as npm start does: build them when stale.
    globalSetup: ['test/support/build.ts'],
    // Real redis-server, tmux and HTTP: give them room, and keep two cores from thrashing.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
