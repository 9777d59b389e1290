// Workflow files read as runbooks, and the settings' Enterprise defaults: pure functions, no server.
import { describe, expect, it } from 'vitest';
import { githubSettingsSchema, webBase } from './settings.ts';
import { dispatchInputs, parseWorkflow, stepsOf } from './workflows.ts';

describe('workflow files as runbooks', () => {
  it('orders jobs by needs, gives environments an approval step, and reads every form of `on`', () => {
    const parsed = parseWorkflow(`on:\n  workflow_dispatch: {}\njobs:\n  deploy:\n    needs: [build, test]\n    environment: { name: prod, url: https://x }\n    steps: [{ run: "a\\nb" }]\n  test:\n    needs: build\n    steps: [{ name: T }]\n  build:\n    uses: ./.github/workflows/build.yml\n`);
    expect(parsed.dispatchable).toBe(true);
    expect(stepsOf(parsed).map((s) => [s.id, s.kind, s.dependsOn])).toEqual([
      ['build', 'AUTOMATED', []],
      ['test', 'AUTOMATED', ['build']],
      ['deploy:approval', 'APPROVAL', ['build', 'test']],
      ['deploy', 'AUTOMATED', ['deploy:approval']],
    ]);
    expect(stepsOf(parsed)[0]!.description).toBe('- uses ./.github/workflows/build.yml');
    expect(parseWorkflow('on: workflow_dispatch\njobs: {}').dispatchable).toBe(true);
    expect(parseWorkflow('on: [push, workflow_dispatch]\njobs: {}').dispatchable).toBe(true);
    expect(parseWorkflow('on: push\njobs: {}').dispatchable).toBe(false);
    expect(parseWorkflow('{{{ not yaml').dispatchable).toBe(false);
  });

  it('checks parameters like GitHub does and sends them as strings', () => {
    const inputs = parseWorkflow(`on:\n  workflow_dispatch:\n    inputs:\n      n: { type: number, required: true }\n      flag: { type: boolean, default: false }\n      env: { type: choice, options: [a, b], required: true, default: a }\njobs: {}`).inputs;
    expect(dispatchInputs(inputs, { n: 3, flag: true })).toEqual({ n: '3', flag: 'true' });
    expect(() => dispatchInputs(inputs, {})).toThrow(/"n" is required/);
    expect(() => dispatchInputs(inputs, { n: 'x' })).toThrow(/"n" must be a number/);
    expect(() => dispatchInputs(inputs, { n: 1, env: 'c' })).toThrow(/one of a, b/);
    expect(() => dispatchInputs(inputs, { n: 1, nope: 1 })).toThrow(/unknown parameter "nope"; this runbook takes n, flag, env/);
    expect(() => dispatchInputs(inputs, { n: { a: 1 } })).toThrow(/not an object or list/);
  });
});

describe('GitHub settings', () => {
  const base = { repos: ['acme/web'], token: 't' };
  it('defaults to github.com and derives an Enterprise server\'s web origin from its API URL', () => {
    expect(webBase(githubSettingsSchema.parse(base))).toBe('https://github.com');
    expect(webBase(githubSettingsSchema.parse({ ...base, url: 'https://ghe.example.com/api/v3' }))).toBe('https://ghe.example.com');
  });

  it('needs exactly one of a token and an App, and repositories as owner/name', () => {
    expect(githubSettingsSchema.safeParse({ repos: ['acme/web'] }).error?.issues[0]?.message).toBe('configure exactly one of "token" and "app"');
    expect(githubSettingsSchema.safeParse({ ...base, app: { appId: 1, privateKey: 'k', installationId: 2 } }).success).toBe(false);
    expect(githubSettingsSchema.safeParse({ ...base, repos: ['web'] }).error?.issues[0]?.message).toMatch(/owner\/name/);
    expect(githubSettingsSchema.safeParse({ ...base, tokn: 'x' }).success).toBe(false);
  });
});

describe('opsorch.example.yaml', () => {
  it('configures GitHub with settings the kind accepts, for the four capabilities it serves', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { parse } = await import('yaml');
    const file = parse(readFileSync(join(import.meta.dirname, '..', '..', 'opsorch.example.yaml'), 'utf8')) as { capabilities: Record<string, { provider: string; config: unknown }[]> };
    const github = Object.entries(file.capabilities).flatMap(([capability, entries]) => entries.filter((e) => e.provider === 'github').map((e) => [capability, e.config] as const));
    expect(github.map(([capability]) => capability).sort()).toEqual(['deployments', 'orchestration', 'teams', 'tickets']);
    for (const [, config] of github) expect(githubSettingsSchema.safeParse(config).error).toBeUndefined();
  });
});
