// The evaluation harness itself: a world variant started as `opsorch start` would be, both planners through the
// public API, and the scoring that makes a wrong answer fail. The whole suite is `npm run eval:copilot`.
import { describe, expect, it } from 'vitest';
import { loadCases, runEval, score, table } from '../eval/run.ts';
import type { Answer } from '../src/types.ts';

describe('eval:copilot', () => {
  it('every case file is complete: a question, a time, expected facts and an LLM transcript', () => {
    const cases = loadCases();
    expect(cases.length).toBeGreaterThanOrEqual(8);
    expect(new Set(cases.map((c) => c.world))).toEqual(new Set(['default', 'config-change', 'dependency-two-hops', 'noisy-alert']));
    expect(cases.some((c) => c.down?.includes('logs'))).toBe(true);
    for (const c of cases) {
      expect(c.question, c.name).toEqual(expect.any(String));
      expect(Number.isNaN(Date.parse(c.now)), c.name).toBe(false);
      expect(c.expect.rootCauseService, c.name).toEqual(expect.any(String));
      expect(c.expect.evidence.length, c.name).toBeGreaterThan(0);
      expect(c.llm?.script.length, c.name).toBeGreaterThan(0);
    }
  });

  it('scores a wrong cause, missing evidence, a forbidden claim and unsupported claims as failures', () => {
    const testCase = loadCases('noisy-alert')[0]!;
    const evidence = (kind: string, title: string) => ({ kind, title, toolCall: { id: 'c1', tool: 't', arguments: {} } });
    const answer = {
      mostLikelyCause: { title: 'checkout 2.13.4 → 2.14.0 deployed', kind: 'deploy', service: 'checkout' },
      findings: [{ id: 'f1', title: '', summary: '', evidence: [evidence('deploy', 'checkout 2.14.0'), evidence('metric', 'checkout error ratio rose')] }],
      ruledOut: [{ title: 'kafka (down dependency)', reason: 'fired for days', evidence: [] }],
      missing: [],
      unsupportedClaims: [],
    } as unknown as Answer;
    expect(score(testCase, answer).pass).toBe(true);
    expect(score(testCase, { ...answer, mostLikelyCause: { title: 'kafka is failing', kind: 'dependency', service: 'kafka' } }).causeFound).toBe(false);
    expect(score(testCase, { ...answer, mostLikelyCause: { title: 'checkout 2.14.0 and kafka', kind: 'deploy', service: 'checkout' } }).forbidden).toEqual(['kafka']);
    expect(score(testCase, { ...answer, findings: [] })).toMatchObject({ evidenceCited: 0, pass: false });
    expect(score(testCase, { ...answer, ruledOut: [] })).toMatchObject({ missingChecks: ['not ruled out: kafka'], pass: false });
    expect(score(testCase, { ...answer, unsupportedClaims: ['demo:QZZZZZZ'] })).toMatchObject({ unsupportedClaims: 1, pass: false });
  });

  it('runs a case in its own world with both planners and gets it right', async () => {
    const lines: string[] = [];
    const results = await runEval({ planners: ['builtin', 'llm'], only: 'dependency-two-hops', log: (l) => lines.push(l) });
    expect(results.map((r) => [r.planner, r.pass, r.cause])).toEqual([
      ['builtin', true, 'dependency in sessions-cache'],
      ['llm', true, 'dependency in sessions-cache'],
    ]);
    expect(lines.filter((l) => l.includes('violations'))).toEqual([]);
    expect(table(results)).toMatch(/\| dependency-two-hops \| builtin \| yes \(dependency in sessions-cache\) \| 2\/2 +\| 0 +\| \d+ +\| [\d.]+ +\| pass +\|/);
  }, 120_000);
});
