import { describe, expect, it } from 'vitest';
import type { ToolRecord } from '../session.ts';
import { Corpus, markUnsupported, unsupportedClaims } from './grounding.ts';

const record = (data: unknown): ToolRecord => ({ id: 'c1', tool: 't', arguments: {}, ok: true, data, text: JSON.stringify(data), ms: 1 });
const corpus = new Corpus([
  record({ incident: { id: 'demo:Q3VW8TR', number: 1042, url: 'https://acme-shop.pagerduty.com/incidents/Q3VW8TR' } }),
  record({ deploy: { version: '2.14.0', commit: { shortSha: '2e45316' } }, errorRate: [0.0031, 0.1842], latency: 1.08 }),
]);

describe('checking an answer against the tool results', () => {
  it('accepts what the tools said, in the forms people write it', () => {
    const text = 'Since v2.14.0 (commit 2e45316) #1042 shows 18.4 % errors and a p99 of 1.08 s, see [the incident](https://acme-shop.pagerduty.com/incidents/Q3VW8TR) demo:Q3VW8TR.';
    expect(unsupportedClaims(text, corpus)).toEqual([]);
  });

  it('names every id, URL, version, commit, incident number and figure that no tool returned', () => {
    const text = 'v2.15.1 (abc1234f) broke #1099: 42.5 % errors, 950 ms, see https://grafana.example/d/x and demo:QNOPE12.';
    expect(unsupportedClaims(text, corpus).sort()).toEqual(['#1099', 'v2.15.1', '42.5 %', '950 ms', 'abc1234f', 'demo:QNOPE12', 'https://grafana.example/d/x'].sort());
  });

  it('a version is supported only by the same version, not by a longer number that contains it', () => {
    const logs = new Corpus([record({ lines: ['10.2.15.1:443 accepted', 'build 3.1.40 ready', 'running version=4.0.7.', 'release v5.2.3-rc1'] })]);
    expect(unsupportedClaims('2.15.1 then 3.1.4 and 1.40.0', logs).sort()).toEqual(['1.40.0', '2.15.1', '3.1.4']);
    expect(unsupportedClaims('v4.0.7, 3.1.40 and 5.2.3', logs)).toEqual([]);
  });

  it('a figure is checked within its own rounding', () => {
    expect(unsupportedClaims('18 %', corpus)).toEqual([]);
    expect(unsupportedClaims('18.0 %', corpus)).toEqual(['18.0 %']);
  });

  it('digits inside trace ids, pod names, order numbers and timestamps support no figure; plain numbers and log durations do', () => {
    const logs = new Corpus([
      record({
        lines: [
          '2026-12-07T06:58:55.864Z checkout-59fd59575-8642f order=ord_20261207_8642 trace_id=4bf92f3577b38642da6a3ce929d0e0e4',
          'POST /api/checkout 500 731 1200ms took 2.5s, queue depth 77.',
        ],
      }),
    ]);
    expect(unsupportedClaims('8642 req/s, 55.864 s, 864 ms and 58 %', logs).sort()).toEqual(['55.864 s', '58 %', '8642 req/s', '864 ms'].sort());
    expect(unsupportedClaims('731 req/s, 1200 ms, 1.2 s, 2.5 s and 77 %', logs)).toEqual([]);
    expect(unsupportedClaims('0.00015 ms', new Corpus([record({ gcPause: 1.5e-7 })]))).toEqual([]);
  });

  it('marks the claims in the text', () => {
    expect(markUnsupported('v2.15.1 broke it', ['v2.15.1'])).toBe('v2.15.1 ⚠unverified broke it');
  });
});
