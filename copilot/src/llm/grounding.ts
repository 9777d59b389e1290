// Checking an LLM's answer against what the tools actually returned: every id, URL, version, commit, incident
// number and figure it states must appear in some tool result (figures within rounding). What does not is an
// unsupported claim: marked in the text, and a finding left with no real evidence is dropped.
import type { ToolRecord } from '../session.ts';

/** Token shapes that state a checkable fact; each is matched against one whitespace-free token at a time. */
const TOKEN_SHAPES: { name: string; pattern: RegExp }[] = [
  { name: 'url', pattern: /^https?:\/\/\S+$/ },
  { name: 'id', pattern: /^[a-z][a-z0-9-]*:[A-Za-z0-9][A-Za-z0-9_.-]{3,}$/ },
  { name: 'incident', pattern: /^#\d{2,}$/ },
  { name: 'version', pattern: /^v?\d+\.\d+\.\d+$/ },
  { name: 'commit', pattern: /^[0-9a-f]{7,40}$/ },
];
/** Figures with a unit (`42 %`, `950 ms`, `1.2 s`, `80 req/s`): digits, an optional space, a unit. */
const FIGURE = /(?<![\w.])(\d+(?:\.\d+)?) ?(%|ms\b|s\b|req\/s)/g;
/**
 * Words of a tool result that may hold a figure: runs of letters, digits, `_` and `.`, with a leading sign, an
 * exponent's `e-` and a clock time's `:` between digits kept. Each character is read once and nothing follows
 * the repetition, so the scan never backtracks.
 */
const WORD = /-?(?:(?<=\d)(?:e-|:)(?=\d)|[a-z0-9_.])+/g;
/**
 * A word that is a figure: a number, optionally with a time unit glued on (`1200ms`, `1.2s`) or a sentence's full
 * stop. Anything else with digits in it (trace ids, pod names, order numbers, timestamps, addresses) is an
 * identifier, and its digits support no figure.
 */
const NUMBER_WORD = /^(-?\d+(?:\.\d+)?(?:e-?\d+)?)(?:ns|us|ms|s|sec|secs)?\.?$/;
/** Longest text checked: an answer longer than this is cut before checking, so the check stays linear and short. */
const MAX_CHECKED = 20_000;

/** Everything the tools said, as one searchable text plus the figures in it. */
export class Corpus {
  private readonly text: string;
  private readonly numbers: number[];

  constructor(records: readonly ToolRecord[], extra: readonly string[] = []) {
    this.text = [...records.map((r) => r.text), ...extra].join('\n').toLowerCase();
    const found = new Set<number>();
    for (const word of this.text.match(WORD) ?? []) {
      const figure = NUMBER_WORD.exec(word);
      if (figure) found.add(Number(figure[1]));
    }
    this.numbers = [...found].filter(Number.isFinite).sort((a, b) => a - b);
  }

  has(token: string): boolean {
    return this.text.includes(token.toLowerCase());
  }

  /**
   * A version some tool result carries as a version of its own: `2.15.1` is not supported by the address
   * `10.2.15.1` or by `2.15.10`. A digit or a dot before it, or a digit or `.<digit>` after it, makes it part of
   * another number.
   */
  hasVersion(version: string): boolean {
    const text = this.text;
    for (let at = text.indexOf(version); at !== -1; at = text.indexOf(version, at + 1)) {
      const before = text[at - 1];
      const end = at + version.length;
      if (before !== undefined && (before === '.' || isDigit(before))) continue;
      if (isDigit(text[end]) || (text[end] === '.' && isDigit(text[end + 1]))) continue;
      return true;
    }
    return false;
  }

  /**
   * A figure some tool result carries, within the figure's own rounding (`42 %` is 41.5–42.5 %, `17.8 %`
   * 17.75–17.85 %): the same number, a ratio shown as a percentage, or seconds shown as milliseconds.
   * Coincidences remain possible among many metric points: ids, URLs and versions are the strict checks.
   */
  hasFigure(text: string, unit: string): boolean {
    const value = Number(text);
    const decimals = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
    const half = 0.5 * 10 ** -decimals;
    const candidates: [number, number][] = unit === '%' ? [[value, half], [value / 100, half / 100]] : unit === 'ms' ? [[value, half], [value / 1000, half / 1000]] : unit === 's' ? [[value, half], [value * 1000, half * 1000]] : [[value, half]];
    return candidates.some(([c, tolerance]) => this.near(c, tolerance));
  }

  private near(value: number, within: number): boolean {
    const tolerance = Math.max(within, 1e-9);
    let low = 0;
    let high = this.numbers.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const n = this.numbers[mid]!;
      if (Math.abs(n - value) <= tolerance) return true;
      if (n < value) low = mid + 1;
      else high = mid - 1;
    }
    return false;
  }
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

/** The claims of a text that no tool result supports. */
export function unsupportedClaims(text: string, corpus: Corpus): string[] {
  const out = new Set<string>();
  const checked = text.slice(0, MAX_CHECKED);
  // Splitting first keeps every pattern anchored to one short token: no backtracking across the text.
  for (const raw of checked.split(/[\s()[\]<>"'`,;*]+/)) {
    const token = raw.replace(/[.:!?]+$/, '');
    if (!token) continue;
    for (const { name, pattern } of TOKEN_SHAPES) {
      if (!pattern.test(token)) continue;
      let supported: boolean;
      if (name === 'incident') supported = corpus.has(`"number":${token.slice(1)}`) || corpus.has(token);
      else if (name === 'version') supported = corpus.hasVersion(token.replace(/^v/i, ''));
      else if (name === 'commit') supported = /^\d+$/.test(token) || corpus.has(token);
      else supported = corpus.has(token);
      if (!supported) out.add(token);
      break;
    }
  }
  for (const match of checked.matchAll(FIGURE)) {
    if (!corpus.hasFigure(match[1]!, match[2]!)) out.add(match[0]);
  }
  return [...out];
}

/** Marks unsupported claims in Markdown so a reader sees them: `claim` → `claim ⚠unverified`. */
export function markUnsupported(text: string, claims: readonly string[]): string {
  let marked = text;
  for (const claim of claims) marked = marked.split(claim).join(`${claim} ⚠unverified`);
  return marked;
}
