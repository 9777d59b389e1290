// JQL values are quoted by one function; hostile values stay one string literal whatever they hold.
import { describe, expect, it } from 'vitest';
import { jqlAnd, jqlIn, jqlString, jqlTextPhrase } from './jql.ts';
import { parseJql } from './testing/jql-parser.ts';

const HOSTILE = [
  'checkout" OR project = SECRET OR summary ~ "x',
  'a\\" or 1=1 --',
  'trailing backslash\\',
  '\\\\"',
  "o'brien' OR '1'='1",
  'line\nbreak\r\ttab\u0000nul\u007f',
  'ünïcødé 🚨 日本語 ‮rtl',
  ') OR (key is not EMPTY',
  '"',
  '',
];

describe('jqlString', () => {
  it('quotes and escapes backslashes, quotes and control characters, and keeps unicode', () => {
    expect(jqlString('plain')).toBe('"plain"');
    expect(jqlString('say "hi"')).toBe('"say \\"hi\\""');
    expect(jqlString('a\\b')).toBe('"a\\\\b"');
    expect(jqlString('a\nb\u0001')).toBe('"a\\nb\\u0001"');
    expect(jqlString('日本 🚨')).toBe('"日本 🚨"');
  });

  it('keeps every hostile value one string literal that reads back as itself', () => {
    for (const value of HOSTILE) {
      const query = parseJql(jqlAnd([jqlIn('labels', [value]), jqlIn('project', ['OPS', value])], 'updated DESC'));
      expect(query.where).toEqual({
        and: [
          { field: 'labels', op: '=', values: [value] },
          { field: 'project', op: 'in', values: ['OPS', value] },
        ],
      });
    }
  });

  it('escapes Lucene operators in text phrases so they are searched as text', () => {
    const query = parseJql(jqlAnd([`text ~ ${jqlTextPhrase('a+b (c) "d" or 1=1')}`], 'updated DESC'));
    expect(query.where).toEqual({ field: 'text', op: '~', values: ['a\\+b \\(c\\) "d" or 1=1'] });
  });
});
