#!/usr/bin/env node
// The `opsorch` command. OpsOrch runs its TypeScript sources directly through tsx (no build step).
import module from 'node:module';
import { register } from 'tsx/esm/api';

register();
// Stack traces keep naming OpsOrch's own .ts lines, but the packages' source maps are not loaded: on Node 22 they
// held 12 MB of heap at idle and 50-100 ms of start-up (decision 028). Node 20 has no such switch and loads them all.
module.setSourceMapsSupport?.(true, { nodeModules: false, generatedCode: false });
await import('../gateway/src/cli.ts');
