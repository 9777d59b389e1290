// "Did you mean" for every name a person types: configuration keys and provider kinds, metric names, teams.
import { distance } from 'fastest-levenshtein';

/** Longest input compared by edit distance: the comparison costs input × candidate length, and names are short. */
const MAX_SUGGEST_INPUT = 64;

/** Up to `max` candidates within a small edit distance of `input`, or containing it, closest first. */
export function closeMatches(input: string, candidates: readonly string[], max = 3): string[] {
  if (input.length > MAX_SUGGEST_INPUT) return [];
  const needle = input.toLowerCase();
  return candidates
    .map((candidate) => {
      const c = candidate.toLowerCase();
      return { candidate, distance: c.includes(needle) || needle.includes(c) ? 0.5 : distance(needle, c) };
    })
    .filter((x) => x.distance <= Math.max(2, Math.floor(input.length / 3)))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, max)
    .map((x) => x.candidate);
}

/** `; did you mean "a", "b"?` for the candidates closest to `input`, or a hint listing a few known values. */
export function suggest(input: string, candidates: readonly string[]): string {
  const close = closeMatches(input, candidates);
  if (close.length > 0) return `; did you mean ${close.map((c) => `"${c}"`).join(', ')}?`;
  return `; known: ${candidates.slice(0, 12).join(', ')}${candidates.length > 12 ? ', ...' : ''}`;
}
