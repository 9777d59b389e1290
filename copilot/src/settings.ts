// OPSORCH_COPILOT_* settings, validated once at start-up with messages that name the variable to fix. API keys
// are secret references (`secret://env/OPENAI_API_KEY`, `secret://file/...`, `secret://vault/...`).
import { z } from 'zod';
import { redactSecrets, resolveSecretsInAsync, type Env } from '@opsorch/adapters';
import { secretBackendsFromEnv } from '@opsorch/adapters/secrets';

const positiveInt = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n > 0, `${name} must be above 0`);

const schema = z.object({
  /** `off` leaves the copilot out of `opsorch start`. */
  OPSORCH_COPILOT: z.enum(['on', 'off']).default('on'),
  /** An OpsOrch MCP endpoint (`https://opsorch.example.com/mcp`) instead of the in-process MCP server. */
  OPSORCH_COPILOT_MCP_URL: z.url({ message: 'OPSORCH_COPILOT_MCP_URL must be a URL such as https://opsorch.example.com/mcp' }).optional(),
  /** Bearer token for that endpoint when the asking person brings none (a secret reference). */
  OPSORCH_COPILOT_MCP_TOKEN: z.string().optional(),
  /** `openai` (any OpenAI-compatible Chat Completions endpoint: OpenAI, Ollama, vLLM, LM Studio, llama.cpp), `azure-openai` or `anthropic`. Unset: built-in investigator only. */
  OPSORCH_COPILOT_LLM_PROVIDER: z.enum(['openai', 'azure-openai', 'anthropic']).optional(),
  /** Model name (for Azure: the deployment name). */
  OPSORCH_COPILOT_LLM_MODEL: z.string().min(1).optional(),
  /** Base URL: `https://api.openai.com/v1` (default), `http://localhost:11434/v1` (Ollama), `https://<resource>.openai.azure.com`, `https://api.anthropic.com` (default). */
  OPSORCH_COPILOT_LLM_URL: z.url({ message: 'OPSORCH_COPILOT_LLM_URL must be a URL' }).optional(),
  /** API key as a secret reference (`secret://env/OPENAI_API_KEY`); local servers need none. */
  OPSORCH_COPILOT_LLM_API_KEY: z.string().optional(),
  /** Azure OpenAI `api-version` (default 2024-10-21). */
  OPSORCH_COPILOT_LLM_API_VERSION: z.string().optional(),
  /** Default planner when a request names none: `builtin` or `llm` (default `llm` when an LLM is configured). */
  OPSORCH_COPILOT_PLANNER: z.enum(['builtin', 'llm']).optional(),
  OPSORCH_COPILOT_MAX_STEPS: positiveInt('OPSORCH_COPILOT_MAX_STEPS').optional(),
  OPSORCH_COPILOT_MAX_TOKENS: positiveInt('OPSORCH_COPILOT_MAX_TOKENS').optional(),
  OPSORCH_COPILOT_MAX_TOOL_CALLS: positiveInt('OPSORCH_COPILOT_MAX_TOOL_CALLS').optional(),
  OPSORCH_COPILOT_LLM_TIMEOUT_MS: positiveInt('OPSORCH_COPILOT_LLM_TIMEOUT_MS').optional(),
  /** Conversations in Redis (replicas share them); a secret reference or URL. Falls back to OPSORCH_REDIS_URL. */
  OPSORCH_COPILOT_REDIS_URL: z.string().optional(),
  OPSORCH_REDIS_URL: z.string().optional(),
  OPSORCH_COPILOT_MAX_CONVERSATIONS: positiveInt('OPSORCH_COPILOT_MAX_CONVERSATIONS').optional(),
  OPSORCH_COPILOT_MAX_CONVERSATION_BYTES: positiveInt('OPSORCH_COPILOT_MAX_CONVERSATION_BYTES').optional(),
  OPSORCH_COPILOT_CONVERSATION_TTL_HOURS: positiveInt('OPSORCH_COPILOT_CONVERSATION_TTL_HOURS').optional(),
});

export interface LlmSettings {
  provider: 'openai' | 'azure-openai' | 'anthropic';
  model: string;
  baseUrl: string;
  apiKey?: string;
  apiVersion: string;
  maxSteps: number;
  maxTokens: number;
  timeoutMs: number;
}

export interface CopilotSettings {
  enabled: boolean;
  mcp: { url: string; token?: string } | null;
  llm: LlmSettings | null;
  defaultPlanner?: 'builtin' | 'llm';
  maxToolCalls: number;
  redisUrl: string | null;
  limits: { maxConversations: number; maxBytes: number; maxAgeMs: number };
}

const DEFAULT_URLS = { openai: 'https://api.openai.com/v1', anthropic: 'https://api.anthropic.com', 'azure-openai': '' } as const;

/** Reads and checks the settings; secret references are resolved here, once. */
export async function copilotSettingsFromEnv(env: Env): Promise<CopilotSettings> {
  const picked = Object.fromEntries(Object.keys(schema.shape).map((key) => [key, env[key]?.trim() || undefined]));
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`copilot configuration: ${String(issue.path[0] ?? '')}: ${issue.message}`);
  }
  const s = parsed.data;
  const secrets = (await resolveSecretsInAsync(
    { mcpToken: s.OPSORCH_COPILOT_MCP_TOKEN, apiKey: s.OPSORCH_COPILOT_LLM_API_KEY, redis: s.OPSORCH_COPILOT_REDIS_URL ?? s.OPSORCH_REDIS_URL },
    secretBackendsFromEnv(env),
    'OPSORCH_COPILOT',
  )) as { mcpToken?: string; apiKey?: string; redis?: string };
  let llm: LlmSettings | null = null;
  if (s.OPSORCH_COPILOT_LLM_PROVIDER) {
    const provider = s.OPSORCH_COPILOT_LLM_PROVIDER;
    if (!s.OPSORCH_COPILOT_LLM_MODEL) throw new Error(`copilot configuration: OPSORCH_COPILOT_LLM_MODEL is required with OPSORCH_COPILOT_LLM_PROVIDER=${provider} (the model${provider === 'azure-openai' ? "'s deployment" : ''} name)`);
    const baseUrl = s.OPSORCH_COPILOT_LLM_URL ?? DEFAULT_URLS[provider];
    if (!baseUrl) throw new Error('copilot configuration: OPSORCH_COPILOT_LLM_URL is required for azure-openai (https://<resource>.openai.azure.com)');
    if (s.OPSORCH_COPILOT_LLM_API_KEY && !s.OPSORCH_COPILOT_LLM_API_KEY.startsWith('secret://')) {
      throw new Error('copilot configuration: OPSORCH_COPILOT_LLM_API_KEY must be a secret reference such as secret://env/OPENAI_API_KEY, never the key itself');
    }
    llm = {
      provider,
      model: s.OPSORCH_COPILOT_LLM_MODEL,
      baseUrl: baseUrl.replace(/\/+$/, ''),
      apiKey: secrets.apiKey,
      apiVersion: s.OPSORCH_COPILOT_LLM_API_VERSION ?? '2024-10-21',
      maxSteps: s.OPSORCH_COPILOT_MAX_STEPS ?? 12,
      maxTokens: s.OPSORCH_COPILOT_MAX_TOKENS ?? 200_000,
      timeoutMs: s.OPSORCH_COPILOT_LLM_TIMEOUT_MS ?? 60_000,
    };
  }
  if (s.OPSORCH_COPILOT_PLANNER === 'llm' && !llm) throw new Error('copilot configuration: OPSORCH_COPILOT_PLANNER=llm needs OPSORCH_COPILOT_LLM_PROVIDER and OPSORCH_COPILOT_LLM_MODEL');
  return {
    enabled: s.OPSORCH_COPILOT !== 'off',
    mcp: s.OPSORCH_COPILOT_MCP_URL ? { url: s.OPSORCH_COPILOT_MCP_URL, token: secrets.mcpToken } : null,
    llm,
    defaultPlanner: s.OPSORCH_COPILOT_PLANNER,
    maxToolCalls: s.OPSORCH_COPILOT_MAX_TOOL_CALLS ?? 60,
    redisUrl: secrets.redis ?? null,
    limits: {
      maxConversations: s.OPSORCH_COPILOT_MAX_CONVERSATIONS ?? 1000,
      maxBytes: s.OPSORCH_COPILOT_MAX_CONVERSATION_BYTES ?? 2_000_000,
      maxAgeMs: (s.OPSORCH_COPILOT_CONVERSATION_TTL_HOURS ?? 24 * 7) * 3_600_000,
    },
  };
}

/** What the start-up log and `GET /copilot` say about the configuration: never a secret. */
export function describeSettings(settings: CopilotSettings) {
  return {
    tools: settings.mcp ? `MCP at ${redactSecrets(settings.mcp.url)}` : 'in-process MCP server',
    llm: settings.llm ? { provider: settings.llm.provider, model: settings.llm.model, url: redactSecrets(settings.llm.baseUrl), maxSteps: settings.llm.maxSteps, maxTokens: settings.llm.maxTokens } : null,
    conversations: settings.redisUrl ? 'redis' : 'memory',
    limits: settings.limits,
  };
}
