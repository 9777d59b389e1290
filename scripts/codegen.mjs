// Runs GraphQL Code Generator for the root codegen.yml and for every workspace that has its own
// (mcp/codegen.yml, console/codegen.yml, gateway/codegen.rest.yml...), so each package owns its generated code.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const workspaces = readdirSync(root).filter((dir) => dir !== 'node_modules' && existsSync(join(root, dir, 'codegen.yml')));
const configs = [
  'codegen.yml',
  ...workspaces.flatMap((dir) => readdirSync(join(root, dir)).filter((file) => /^codegen(\.[\w-]+)?\.yml$/.test(file)).sort().map((file) => join(dir, file))),
];
const bin = join(root, 'node_modules', '.bin', 'graphql-codegen');
for (const config of configs) {
  console.log(`codegen: ${config}`);
  execFileSync(bin, ['--config', config], { cwd: root, stdio: 'inherit' });
}
