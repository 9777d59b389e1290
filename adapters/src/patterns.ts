// User-supplied regular expressions (decision 013). Every pattern that arrives in a request is compiled here,
// on RE2JS: RE2's syntax and its linear-time matching (what Prometheus and Loki use), in pure JavaScript, so
// no pattern can backtrack the event loop into a freeze, whatever the input. `new RegExp(userInput)` is never
// used for them.
import { RE2JS, RE2JSException } from 're2js';
import { badInput } from './errors.ts';

/**
 * How a pattern must match a value:
 * - `full`: the whole value, as PromQL label matchers do (`code=~"5.."` means `^(?:5..)$`);
 * - `search`: anywhere in the value, as grep and Loki's line filter `|~` do (anchor with `^...$` for a whole value).
 */
export type PatternAnchoring = 'full' | 'search';

/** A compiled user pattern. `test` runs in time linear in the value's length. */
export interface UserPattern {
  readonly source: string;
  readonly anchoring: PatternAnchoring;
  /** RE2's approximate cost of the compiled program (instructions run per input character at worst). */
  readonly programSize: number;
  test(value: string): boolean;
}

export const PATTERN_LIMITS = {
  /** Longest pattern accepted, in characters. */
  maxLength: 1_000,
  /** Largest compiled program: bounds the work per character of input (`.{1000}` is about 1,000). */
  maxProgramSize: 2_000,
  /** Compiled patterns kept for reuse (least recently used dropped first). */
  cacheSize: 1_000,
} as const;

const cache = new Map<string, UserPattern | { refusal: string }>();

/** At most 60 characters of a pattern for a message: enough to recognize it, never a megabyte echoed back. */
function shown(source: string): string {
  return JSON.stringify(source.length > 60 ? `${source.slice(0, 57)}...` : source);
}

/** What RE2 refuses and what to write instead, from the fragment its parser names. */
function explain(description: string, fragment: string): string {
  if (/^\\[1-9]/.test(fragment) || fragment.startsWith('\\k')) {
    return 'backreferences (\\1, \\k<name>) are not supported: RE2 matches in linear time and cannot refer back to a group; match the repeated text explicitly';
  }
  if (fragment.startsWith('(?=') || fragment.startsWith('(?!')) {
    return 'lookahead ((?=...), (?!...)) is not supported by RE2 syntax; match the following text itself, or use a second filter';
  }
  if (fragment.startsWith('(?<=') || fragment.startsWith('(?<!')) {
    return 'lookbehind ((?<=...), (?<!...)) is not supported by RE2 syntax; match the preceding text itself, or use a second filter';
  }
  if (description.startsWith('invalid nested repetition operator')) {
    return `a quantifier cannot follow another (${fragment}): possessive quantifiers such as a++ are not RE2 syntax; drop the second one`;
  }
  if (fragment.startsWith('\\u')) return 'write a code point as \\x{41} (RE2 syntax), not \\u0041';
  if (fragment === '\\Z') return 'use $ or \\z for the end of the value (RE2 syntax)';
  if (description.startsWith('invalid repeat count')) return `${description}: a repetition count is at most 1000, and nested repetitions may not exceed that together`;
  return fragment ? `${description}: ${fragment}` : description;
}

function compile(source: string, anchoring: PatternAnchoring): UserPattern | { refusal: string } {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source);
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error;
    const message = error.message.replace(/^error parsing regexp: /, '');
    const [, description = message, fragment = ''] = /^(.*?)(?::\s*`([^]*)`)?$/.exec(message) ?? [];
    return { refusal: `is not a valid RE2 regular expression (the syntax Prometheus and Loki use): ${explain(description, fragment)}` };
  }
  const programSize = compiled.programSize();
  if (programSize > PATTERN_LIMITS.maxProgramSize) {
    return {
      refusal: `is too complex (its compiled program has ${programSize} instructions; the limit is ${PATTERN_LIMITS.maxProgramSize}): use smaller repetition counts such as {1,50} instead of {1000}, or fewer alternatives`,
    };
  }
  return {
    source,
    anchoring,
    programSize,
    test: anchoring === 'full' ? (value) => compiled.testExact(value) : (value) => compiled.test(value),
  };
}

/**
 * Compiles a pattern from a request, or throws BAD_USER_INPUT saying why and what to write instead (`where`
 * names the argument, for example `query.filters[0] (field "trace_id")`). Compiled patterns and refusals are
 * cached, so a filter checked by a subgraph and then run by a provider compiles once.
 */
export function compileUserPattern(source: string, where: string, anchoring: PatternAnchoring): UserPattern {
  if (source.length > PATTERN_LIMITS.maxLength) {
    throw badInput(`${where}: the regular expression ${shown(source)} is ${source.length} characters long; patterns are limited to ${PATTERN_LIMITS.maxLength}`);
  }
  const key = `${anchoring}\u0000${source}`;
  let entry = cache.get(key);
  if (entry) {
    cache.delete(key);
  } else {
    entry = compile(source, anchoring);
    if (cache.size >= PATTERN_LIMITS.cacheSize) cache.delete(cache.keys().next().value as string);
  }
  cache.set(key, entry);
  if ('refusal' in entry) throw badInput(`${where}: the regular expression ${shown(source)} ${entry.refusal}`);
  return entry;
}
