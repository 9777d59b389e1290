import { createHash, randomBytes } from 'node:crypto';

/** Prefix of keys made by `opsorch keygen`, so a leaked one is recognisable by secret scanners. */
export const API_KEY_PREFIX = 'oo_';

/** A new random API key (256 bits) and the hash to put in configuration. */
export function generateApiKey(): { key: string; hash: string } {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key) };
}

/**
 * `sha256:<hex>` of a key. Keys are random with 256 bits of entropy, so a fast hash is enough (as for
 * GitHub or Stripe tokens): what matters is that the configuration never holds a usable key.
 */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}
