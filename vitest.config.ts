import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Tests import the packages' sources directly, so a test run never depends on a stale dist/.
const src = (p: string) => fileURLToPath(new URL(`./packages/${p}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@vnetsim/core': src('core'),
      '@vnetsim/dataplane': src('dataplane'),
      '@vnetsim/scenario': src('scenario'),
      '@vnetsim/azure': src('azure'),
      '@vnetsim/bench': src('bench'),
      '@vnetsim/cli': fileURLToPath(new URL('./packages/cli/src/main.ts', import.meta.url)),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'scenarios/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
