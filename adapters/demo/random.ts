/** A seeded pseudo-random generator: returns floats in [0, 1). */
export type Rng = () => number;

/** mulberry32: tiny, fast and good enough for generating demo data. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, 32-bit, over the UTF-16 code units of `s`. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A generator seeded from the parts, e.g. rngFor(DEMO_SEED, 'checkout', bucket). */
export function rngFor(...parts: (string | number)[]): Rng {
  // The separator keeps ('a1', 2) and ('a', 12) apart.
  return mulberry32(hashString(parts.join('\u241f')));
}

/** Standard normal sample (Box–Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]: log(0) would be -Infinity
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Integer in [min, max], both inclusive. */
export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.floor(rng() * items.length)] as T;
}

/** Picks by weight; items with weight <= 0 are never chosen. */
export function pickWeighted<T extends { weight: number }>(rng: Rng, items: readonly T[]): T {
  let total = 0;
  for (const it of items) total += Math.max(0, it.weight);
  if (total <= 0) throw new Error('pickWeighted needs a positive total weight');
  let r = rng() * total;
  for (const it of items) {
    r -= Math.max(0, it.weight);
    if (r < 0) return it;
  }
  return items[items.length - 1] as T;
}

/** Deterministic lowercase hex string of `length` chars (default 40, a git SHA). */
export function hexFor(parts: (string | number)[], length = 40): string {
  // Drawn from a PRNG, not from hashing suffixed strings, which gives visibly correlated chunks.
  const rng = mulberry32(hashString(parts.join('\u241f')));
  let out = '';
  while (out.length < length) out += Math.floor(rng() * 4294967296).toString(16).padStart(8, '0');
  return out.slice(0, length);
}
