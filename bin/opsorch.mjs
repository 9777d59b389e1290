#!/usr/bin/env node
// The `opsorch` command. OpsOrch runs its TypeScript sources directly through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
// After tsx, which turns every source map on.
await import('./source-maps.mjs');
await import('../gateway/src/cli.ts');
