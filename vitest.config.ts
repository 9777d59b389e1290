import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One graphql module for every importer: vitest would otherwise load the ESM and CJS builds
    // side by side ("Cannot use GraphQLSchema from another module or realm").
    alias: { graphql: require.resolve('graphql/index.js') },
  },
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx', '**/*.e2e.ts'],
    exclude: ['**/node_modules/**', 'console/build/**', 'console/build.*/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: {
      // The AWS SDK warns on Node 20 that its releases after January 2027 need Node 22; the version pinned here
      // runs on Node 20, and the secrets tests would print the notice into every run.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
