import { vitePlugin as remix } from '@remix-run/dev';
import { defineConfig } from 'vite';

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  plugins: [
    remix({
      // The gateway's on-demand build writes to a temporary directory and swaps it in atomically.
      buildDirectory: process.env.OPSORCH_CONSOLE_BUILD_DIR ?? 'build',
      ignoredRouteFiles: ['**/*.test.*', '**/*.css'],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
  ],
  build: { reportCompressedSize: false },
  logLevel: process.env.OPSORCH_CONSOLE_BUILD_DIR ? 'warn' : 'info',
});
