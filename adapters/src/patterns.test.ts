import { describe, expect, it } from 'vitest';
import { OpsOrchError } from './errors.ts';
import { compileUserPattern, PATTERN_LIMITS } from './patterns.ts';

function refusal(source: string, anchoring: 'full' | 'search' = 'search'): OpsOrchError {
  try {
    compileUserPattern(source, 'query.filters[0] (field "trace_id")', anchoring);
  } catch (error) {
    expect(error).toBeInstanceOf(OpsOrchError);
    expect((error as OpsOrchError).code).toBe('BAD_USER_INPUT');
    return error as OpsOrchError;
  }
  throw new Error(`expected ${source} to be refused`);
}

describe('user patterns', () => {
  it('runs the catastrophic-backtracking pattern in linear time', () => {
    const pattern = compileUserPattern('^(\\w+\\w?)+!$', 'f', 'search');
    // A backtracking engine needs about 2^n steps here (it never returns); RE2 one pass over the value.
    expect(pattern.test('a'.repeat(50_000))).toBe(false);
    expect(pattern.test(`${'a'.repeat(50)}!`)).toBe(true);
  });

  it('searches log values, and anchors label matchers at both ends as PromQL does', () => {
    const search = compileUserPattern('^4b', 'f', 'search');
    expect(search.test('4bf92f3577b34da6a3ce929d0e0e4736')).toBe(true);
    expect(search.test('a4b')).toBe(false);
    expect(compileUserPattern('timeout', 'f', 'search').test('upstream timeout after 3s')).toBe(true);
    const full = compileUserPattern('5..', 'f', 'full');
    expect(full.test('503')).toBe(true);
    expect(full.test('5030')).toBe(false);
    const alternatives = compileUserPattern('checkout|cart', 'f', 'full');
    expect(['checkout', 'cart', 'checkout-api'].map((v) => alternatives.test(v))).toEqual([true, true, false]);
  });

  it('refuses what RE2 cannot run, saying why and what to write instead', () => {
    expect(refusal('(a)\\1').message).toMatch(/query\.filters\[0\] \(field "trace_id"\).*backreferences.*not supported/);
    expect(refusal('foo(?=bar)').message).toMatch(/lookahead .* not supported by RE2 syntax/);
    expect(refusal('(?<!foo)bar').message).toMatch(/lookbehind .* not supported/);
    expect(refusal('a++').message).toMatch(/possessive quantifiers/);
    expect(refusal('\\u0041').message).toMatch(/\\x\{41\}/);
    expect(refusal('[unclosed').message).toMatch(/not a valid RE2 regular expression.*missing closing \]/);
  });

  it('limits length and program size, without echoing a huge pattern back', () => {
    const long = 'a'.repeat(PATTERN_LIMITS.maxLength + 1);
    const error = refusal(long);
    expect(error.message).toMatch(/1001 characters long; patterns are limited to 1000/);
    expect(error.message.length).toBeLessThan(300);
    expect(refusal('(.{1,1000}){1,3}x|y{1000}z{1000}').message).toMatch(/too complex|invalid repeat count/);
    expect(refusal('[a-z]{1000}[0-9]{1000}').message).toMatch(/too complex .* instructions; the limit is 2000/);
  });

  it('reuses compiled patterns', () => {
    expect(compileUserPattern('err(or)?', 'f', 'search')).toBe(compileUserPattern('err(or)?', 'g', 'search'));
    expect(compileUserPattern('err(or)?', 'f', 'full')).not.toBe(compileUserPattern('err(or)?', 'f', 'search'));
  });
});
