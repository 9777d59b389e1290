// Runs GraphQL Code Generator for the root codegen.yml and for every workspace that has its own
// (mcp/codegen.yml, console/codegen.yml, ...), so each package owns its generated code.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const configs = ['codegen.yml', ...readdirSync(root).filter((dir) => existsSync(join(root, dir, 'codegen.yml')) && dir !== 'node_modules').map((dir) => join(dir, 'codegen.yml'))];
const bin = join(root, 'node_modules', '.bin', 'graphql-codegen');
for (const config of configs) {
  console.log(`codegen: ${config}`);
  execFileSync(bin, ['--config', config], { cwd: root, stdio: 'inherit' });
}
