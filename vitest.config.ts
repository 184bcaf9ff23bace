import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = fileURLToPath(new URL('./packages', import.meta.url));
const apps = fileURLToPath(new URL('./apps', import.meta.url));

// Workspace packages resolve to their TypeScript sources, so tests never run
// against stale build output.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@fieldhand\/(api|sandbox|workers|cli)$/, replacement: `${apps}/$1/src/index.ts` },
      { find: /^@fieldhand\/([a-z-]+)$/, replacement: `${packages}/$1/src/index.ts` },
      { find: /^@fieldhand\/([a-z-]+)\/([a-z-]+)$/, replacement: `${packages}/$1/src/$2.ts` },
    ],
  },
  test: {
    include: ['apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'e2e/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
