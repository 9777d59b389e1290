import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * Test files that measure time, memory or the event loop, or restart processes on short timers: they run after
 * the others, one at a time, so no other test shares the machine with them.
 */
const ALONE = [
  'gateway/test/responsiveness.e2e.ts',
  'gateway/test/resilience.e2e.ts',
  'gateway/test/idle-memory.e2e.ts',
  'fuzz/regressions.e2e.ts',
  'soak/soak.e2e.ts',
  'adapters/plugins/plugins.e2e.ts',
  'adapters/core-plugin/core-plugin.e2e.ts',
];
const EXCLUDED = [...configDefaults.exclude, 'console/build/**', 'console/build.*/**'];
/**
 * The console's suites (and two vendors' pages in it) drive Chromium and check every error the browser logged;
 * beside another test, a page's timing changed enough to log one more (a run with them two at a time). They run
 * one at a time, after the others. Node 20 runs them; scripts/other-nodes.mjs runs the other projects.
 */
const BROWSER = ['console/test/**/*.e2e.ts', 'adapters/datadog/datadog.explorer.e2e.ts', 'adapters/loki/loki.console.e2e.ts'];
// Each project names its own files: a project that extends this config would add to the lists, not replace them.

export default defineConfig({
  resolve: {
    // One graphql module for every importer: vitest would otherwise load the ESM and CJS builds
    // side by side ("Cannot use GraphQLSchema from another module or realm").
    alias: { graphql: require.resolve('graphql/index.js') },
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most files wait on servers, processes and a browser more than they compute: two at a time even on a 2-core
    // machine, where vitest's default (cores - 1) would run them one by one.
    maxWorkers: Math.min(4, Math.max(2, availableParallelism())),
    env: {
      // The AWS SDK warns on Node 20 that its releases after January 2027 need Node 22; the version pinned here
      // runs on Node 20, and the secrets tests would print the notice into every run.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    projects: [
      {
        extends: true,
        test: { name: 'together', include: ['**/*.test.ts', '**/*.test.tsx', '**/*.e2e.ts'], exclude: [...EXCLUDED, ...ALONE, ...BROWSER], sequence: { groupOrder: 0 } },
      },
      { extends: true, test: { name: 'browser', include: BROWSER, exclude: EXCLUDED, fileParallelism: false, sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: 'alone', include: ALONE, exclude: EXCLUDED, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
