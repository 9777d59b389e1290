import { describe, expect, it } from 'vitest';
import { copilotSettingsFromEnv, describeSettings } from './settings.ts';

describe('OPSORCH_COPILOT_* settings', () => {
  it('with nothing set: the built-in investigator, in-process MCP, conversations in memory', async () => {
    const settings = await copilotSettingsFromEnv({});
    expect(settings).toMatchObject({ enabled: true, mcp: null, llm: null, redisUrl: null, maxToolCalls: 60 });
    expect(describeSettings(settings)).toMatchObject({ tools: 'in-process MCP server', llm: null, conversations: 'memory' });
  });

  it('an LLM with its key as a secret reference; the key never shows in the description', async () => {
    const settings = await copilotSettingsFromEnv({
      OPSORCH_COPILOT_LLM_PROVIDER: 'anthropic',
      OPSORCH_COPILOT_LLM_MODEL: 'claude-test',
      OPSORCH_COPILOT_LLM_API_KEY: 'secret://env/ANTHROPIC_KEY',
      ANTHROPIC_KEY: 'sk-ant-very-secret',
      OPSORCH_COPILOT_MAX_STEPS: '5',
    });
    expect(settings.llm).toMatchObject({ provider: 'anthropic', model: 'claude-test', baseUrl: 'https://api.anthropic.com', apiKey: 'sk-ant-very-secret', maxSteps: 5 });
    expect(JSON.stringify(describeSettings(settings))).not.toContain('sk-ant-very-secret');
  });

  it.each([
    [{ OPSORCH_COPILOT_LLM_PROVIDER: 'openai' }, /OPSORCH_COPILOT_LLM_MODEL is required/],
    [{ OPSORCH_COPILOT_LLM_PROVIDER: 'openai', OPSORCH_COPILOT_LLM_MODEL: 'm', OPSORCH_COPILOT_LLM_API_KEY: 'sk-plain' }, /must be a secret reference/],
    [{ OPSORCH_COPILOT_LLM_PROVIDER: 'azure-openai', OPSORCH_COPILOT_LLM_MODEL: 'deployment' }, /OPSORCH_COPILOT_LLM_URL is required for azure-openai/],
    [{ OPSORCH_COPILOT_LLM_PROVIDER: 'gemini' }, /OPSORCH_COPILOT_LLM_PROVIDER/],
    [{ OPSORCH_COPILOT_MCP_URL: 'not a url' }, /OPSORCH_COPILOT_MCP_URL must be a URL/],
    [{ OPSORCH_COPILOT_MAX_STEPS: 'many' }, /OPSORCH_COPILOT_MAX_STEPS must be a whole number/],
    [{ OPSORCH_COPILOT_PLANNER: 'llm' }, /needs OPSORCH_COPILOT_LLM_PROVIDER/],
    [{ OPSORCH_COPILOT_LLM_PROVIDER: 'openai', OPSORCH_COPILOT_LLM_MODEL: 'm', OPSORCH_COPILOT_LLM_API_KEY: 'secret://env/MISSING_KEY' }, /MISSING_KEY/],
  ])('refuses %j naming what to fix', async (env, message) => {
    await expect(copilotSettingsFromEnv(env as Record<string, string>)).rejects.toThrow(message);
  });
});
