// Test code: runs `opsorch check` on one provider entry of opsorch.example.yaml pointed at a test's fake, so the
// example stays valid and `check` reports the provider (README: Configuration).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');

/** The example's entry of `capability` with provider `kind`, its config merged with `config`, checked by `opsorch check`. */
export async function checkExampleProvider(capability: string, kind: string, config: Record<string, unknown>, env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const example = parse(readFileSync(join(ROOT, 'opsorch.example.yaml'), 'utf8')) as { capabilities: Record<string, { provider: string; config: Record<string, unknown> }[]> };
  const entry = example.capabilities[capability]?.find((e) => e.provider === kind);
  if (!entry) throw new Error(`opsorch.example.yaml has no ${capability} entry for ${kind}`);
  const dir = mkdtempSync(join(tmpdir(), 'opsorch-check-'));
  const file = join(dir, 'opsorch.yaml');
  writeFileSync(file, stringify({ capabilities: { [capability]: [{ ...entry, config: { ...entry.config, ...config } }] } }));
  try {
    return await new Promise((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'opsorch.mjs'), 'check'], { cwd: ROOT, env: { ...process.env, ...env, OPSORCH_CONFIG: file } });
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (out += c));
      child.on('exit', (code) => resolve({ code, out }));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
