// The adapters' layout holds by test: the SPI layer (src/) imports no provider folder, the kit imports only the
// SPI layer (and test support), no vendor folder imports another, and every registered provider kind declares its settings schema.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as PROVIDERS from './providers.ts';

const ADAPTERS = import.meta.dirname;
/** Folders that are not providers: the SPI layer, the kit, test support, and runnable examples and benchmarks. */
const SHARED = ['src', 'kit', 'testing'];
/** The secret backends (`secret://vault/…`): the settings module's, not a provider kind. */
const SECRETS = 'secrets';
const NOT_PROVIDERS = [...SHARED, SECRETS, 'examples', 'bench', 'node_modules'];

function sources(folder: string): string[] {
  return readdirSync(join(ADAPTERS, folder), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !/\.(test|e2e|bench)\.ts$/.test(f) && !f.includes('node_modules'))
    .map((f) => join(folder, f));
}

/** The adapters folders a file imports from (`../kit/http.ts` → `kit`). */
function importedFolders(file: string): string[] {
  const text = readFileSync(join(ADAPTERS, file), 'utf8');
  return [...text.matchAll(/from '\.\.\/([a-z-]+)\//g)].map((m) => m[1]!);
}

const folders = readdirSync(ADAPTERS).filter((f) => statSync(join(ADAPTERS, f)).isDirectory() && !f.startsWith('.') && !f.startsWith('_'));
const vendors = folders.filter((f) => !NOT_PROVIDERS.includes(f));

describe('adapters layout', () => {
  it('the SPI layer imports no provider folder, and the kit only the SPI layer', () => {
    for (const file of sources('src')) expect(importedFolders(file).filter((f) => f !== SECRETS), file).toEqual([]);
    // The contract fake (test code) also finds the vendors' documents through ../testing.
    for (const file of sources('kit')) expect(importedFolders(file).filter((f) => f !== 'src' && f !== 'testing'), file).toEqual([]);
  });

  it('no vendor folder imports another vendor folder', () => {
    for (const vendor of vendors) {
      for (const file of sources(vendor)) {
        expect(importedFolders(file).filter((f) => !SHARED.includes(f)), `${file} may import ../src and ../kit only`).toEqual([]);
      }
    }
  });

  it('every provider kind is registered in providers.ts with a settings schema', () => {
    const registered = Object.entries(PROVIDERS);
    for (const [kind, module] of registered) {
      expect(module.settings, `${kind} declares no settings schema`).toBeDefined();
      expect(module.settings!.safeParse({ surelyNotASetting: 1 }).success, `${kind}'s settings must refuse unknown keys`).toBe(false);
    }
    // Folders that define a provider kind (`defineProvider`) are registered under their own name.
    const defining = vendors.filter((v) => sources(v).some((f) => readFileSync(join(ADAPTERS, f), 'utf8').includes('defineProvider(')));
    // (`plugins/` defines the `plugin` kind.)
    expect(defining.map((v) => (v === 'plugins' ? 'plugin' : v)).sort()).toEqual(registered.map(([kind]) => kind).sort());
  });
});
