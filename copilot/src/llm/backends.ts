// The two wire protocols the LLM planner speaks, on fetch: OpenAI-compatible Chat Completions (OpenAI, Azure
// OpenAI, Ollama, vLLM, LM Studio, llama.cpp server) and the Anthropic Messages API. Both map to one neutral
// shape: messages with tool calls in, text and tool calls out, token usage counted.
import { redactSecrets } from '@opsorch/adapters';
import type { LlmSettings } from '../settings.ts';

export interface LlmToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them: JSON text that may be malformed. */
  argumentsText: string;
}

export type LlmMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls: LlmToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string; isError: boolean };

export interface LlmTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface LlmResponse {
  text: string | null;
  toolCalls: LlmToolCall[];
  /** Tokens this request used (prompt and completion), when the server says. */
  usage: { input: number; output: number } | null;
}

export interface LlmRequest {
  system: string;
  messages: LlmMessage[];
  tools: LlmTool[];
  maxOutputTokens: number;
  signal: AbortSignal;
}

export interface LlmBackend {
  readonly description: string;
  complete(request: LlmRequest): Promise<LlmResponse>;
}

export class LlmError extends Error {
  constructor(message: string) {
    super(redactSecrets(message));
    this.name = 'LlmError';
  }
}

async function post(url: string, headers: Record<string, string>, body: unknown, signal: AbortSignal, timeoutMs: number): Promise<any> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
  } catch (error) {
    if (signal.aborted) throw error;
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message;
    throw new LlmError(`The LLM at ${new URL(url).origin} could not be reached: ${reason}`);
  }
  const text = await response.text();
  if (!response.ok) throw new LlmError(`The LLM answered HTTP ${response.status}: ${text.slice(0, 300)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new LlmError(`The LLM answered something that is not JSON: ${text.slice(0, 200)}`);
  }
}

/** OpenAI Chat Completions, and every server that speaks it (Azure OpenAI with its URL shape and `api-key`). */
export function openAiBackend(settings: LlmSettings): LlmBackend {
  const azure = settings.provider === 'azure-openai';
  const url = azure
    ? `${settings.baseUrl}/openai/deployments/${encodeURIComponent(settings.model)}/chat/completions?api-version=${encodeURIComponent(settings.apiVersion)}`
    : `${settings.baseUrl}/chat/completions`;
  const headers: Record<string, string> = settings.apiKey ? (azure ? { 'api-key': settings.apiKey } : { authorization: `Bearer ${settings.apiKey}` }) : {};
  return {
    description: `${settings.provider} ${settings.model}`,
    async complete(request) {
      const messages = [
        { role: 'system', content: request.system },
        ...request.messages.map((m) =>
          m.role === 'user'
            ? { role: 'user', content: m.content }
            : m.role === 'assistant'
              ? { role: 'assistant', content: m.content, ...(m.toolCalls.length ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.argumentsText } })) } : {}) }
              : { role: 'tool', tool_call_id: m.toolCallId, content: m.content },
        ),
      ];
      const body = {
        ...(azure ? {} : { model: settings.model }),
        messages,
        tools: request.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })),
        tool_choice: 'auto',
        max_tokens: request.maxOutputTokens,
      };
      const answer = await post(url, headers, body, request.signal, settings.timeoutMs);
      const message = answer?.choices?.[0]?.message;
      if (!message) throw new LlmError(`The LLM answer has no choices[0].message: ${JSON.stringify(answer).slice(0, 200)}`);
      const toolCalls: LlmToolCall[] = (message.tool_calls ?? []).map((c: { id?: string; function?: { name?: string; arguments?: unknown } }, i: number) => ({
        id: c.id ?? `call_${i}`,
        name: c.function?.name ?? '',
        argumentsText: typeof c.function?.arguments === 'string' ? c.function.arguments : JSON.stringify(c.function?.arguments ?? {}),
      }));
      const usage = answer.usage ? { input: Number(answer.usage.prompt_tokens ?? 0), output: Number(answer.usage.completion_tokens ?? 0) } : null;
      return { text: typeof message.content === 'string' && message.content.trim() ? message.content : null, toolCalls, usage };
    },
  };
}

/** The Anthropic Messages API: tool_use blocks out, tool_result blocks back in one user message. */
export function anthropicBackend(settings: LlmSettings): LlmBackend {
  const url = `${settings.baseUrl}/v1/messages`;
  const headers: Record<string, string> = { 'anthropic-version': '2023-06-01', ...(settings.apiKey ? { 'x-api-key': settings.apiKey } : {}) };
  return {
    description: `anthropic ${settings.model}`,
    async complete(request) {
      const messages: { role: 'user' | 'assistant'; content: unknown }[] = [];
      for (const m of request.messages) {
        if (m.role === 'user') messages.push({ role: 'user', content: m.content });
        else if (m.role === 'assistant') {
          const blocks: unknown[] = [];
          if (m.content) blocks.push({ type: 'text', text: m.content });
          for (const call of m.toolCalls) blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: parseObject(call.argumentsText) ?? {} });
          messages.push({ role: 'assistant', content: blocks });
        } else {
          const block = { type: 'tool_result', tool_use_id: m.toolCallId, content: m.content, ...(m.isError ? { is_error: true } : {}) };
          const last = messages[messages.length - 1];
          // Results of one assistant turn's calls travel together in one user message.
          if (last?.role === 'user' && Array.isArray(last.content)) (last.content as unknown[]).push(block);
          else messages.push({ role: 'user', content: [block] });
        }
      }
      const body = {
        model: settings.model,
        max_tokens: request.maxOutputTokens,
        system: request.system,
        messages,
        tools: request.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters })),
      };
      const answer = await post(url, headers, body, request.signal, settings.timeoutMs);
      if (!Array.isArray(answer?.content)) throw new LlmError(`The LLM answer has no content blocks: ${JSON.stringify(answer).slice(0, 200)}`);
      const text = answer.content.filter((b: { type: string }) => b.type === 'text').map((b: { text: string }) => b.text).join('\n').trim();
      const toolCalls: LlmToolCall[] = answer.content
        .filter((b: { type: string }) => b.type === 'tool_use')
        .map((b: { id: string; name: string; input: unknown }) => ({ id: b.id, name: b.name, argumentsText: typeof b.input === 'string' ? b.input : JSON.stringify(b.input ?? {}) }));
      const usage = answer.usage ? { input: Number(answer.usage.input_tokens ?? 0), output: Number(answer.usage.output_tokens ?? 0) } : null;
      return { text: text || null, toolCalls, usage };
    },
  };
}

export function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function backendFor(settings: LlmSettings): LlmBackend {
  return settings.provider === 'anthropic' ? anthropicBackend(settings) : openAiBackend(settings);
}
