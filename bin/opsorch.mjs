#!/usr/bin/env node
// The `opsorch` command. OpsOrch runs its TypeScript sources directly through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../gateway/src/cli.ts');
