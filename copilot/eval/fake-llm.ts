// Fake LLM servers that speak the OpenAI Chat Completions and Anthropic Messages protocols and serve scripted
// tool-calling transcripts, so the LLM planner's loop is exercised end to end without a network or a model.
// Requests are checked the way the real APIs check them (tool results answer every tool call, roles alternate).
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Protocol = 'openai' | 'anthropic';

/** One scripted model turn. `{{call:<tool>}}` in any string becomes the call_id of that tool's latest result. */
export interface ScriptedReply {
  text?: string;
  toolCalls?: { name: string; arguments: Record<string, unknown> | string }[];
  /** Tokens to report; by default about a quarter of the request's characters, like a real tokenizer. */
  usage?: { input: number; output: number };
  /** Answer with this HTTP status and body instead (an outage, a rate limit). */
  status?: number;
}

export interface FakeLlm {
  url: string;
  protocol: Protocol;
  /** Every request body received, in order. */
  requests: any[];
  /** Problems found in requests (a protocol the real API would refuse); tests assert it stays empty. */
  violations: string[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** The call_ids the copilot handed back in tool results (`call_id: t1.c7` lines), latest per tool. */
function callIds(body: any, protocol: Protocol): Map<string, string> {
  const ids = new Map<string, string>();
  const names = new Map<string, string>();
  for (const message of body.messages ?? []) {
    if (protocol === 'openai') {
      for (const call of message.tool_calls ?? []) names.set(call.id, call.function?.name);
      if (message.role === 'tool') {
        const id = /call_id: (\S+)/.exec(String(message.content))?.[1];
        if (id) ids.set(names.get(message.tool_call_id) ?? '', id);
      }
    } else if (Array.isArray(message.content)) {
      for (const block of message.content) {
        if (block.type === 'tool_use') names.set(block.id, block.name);
        if (block.type === 'tool_result') {
          const id = /call_id: (\S+)/.exec(String(block.content))?.[1];
          if (id) ids.set(names.get(block.tool_use_id) ?? '', id);
        }
      }
    }
  }
  // Calls the built-in checks made are listed in the opening message (`- t1.c3: search_logs {...}`).
  const opening = protocol === 'openai' ? body.messages?.find((m: any) => m.role === 'user')?.content : body.messages?.[0]?.content;
  for (const match of String(opening ?? '').matchAll(/^- (\S+): (\w+) /gm)) if (!ids.has(match[2]!)) ids.set(match[2]!, match[1]!);
  return ids;
}

function fill(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\{\{call:(\w+)\}\}/g, (_m, tool: string) => ids.get(tool) ?? `unknown-call-of-${tool}`);
  if (Array.isArray(value)) return value.map((v) => fill(v, ids));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, ids)]));
  return value;
}

function checkOpenAi(body: any, violations: string[]): void {
  if (typeof body.model !== 'string' && body.model !== undefined) violations.push('model must be a string');
  if (!Array.isArray(body.messages)) return void violations.push('messages must be an array');
  const pending = new Set<string>();
  for (const message of body.messages) {
    if (!['system', 'user', 'assistant', 'tool'].includes(message.role)) violations.push(`unknown role ${message.role}`);
    if (message.role === 'assistant') for (const call of message.tool_calls ?? []) pending.add(call.id);
    if (message.role === 'tool') {
      if (!pending.has(message.tool_call_id)) violations.push(`tool message answers unknown tool_call_id ${message.tool_call_id}`);
      pending.delete(message.tool_call_id);
    }
    if (message.role === 'user' && pending.size) violations.push(`tool calls ${[...pending].join(', ')} got no tool message`);
  }
  for (const tool of body.tools ?? []) if (tool.type !== 'function' || !/^[a-zA-Z0-9_-]{1,64}$/.test(tool.function?.name ?? '')) violations.push(`bad tool ${JSON.stringify(tool).slice(0, 80)}`);
}

function checkAnthropic(body: any, headers: IncomingMessage['headers'], violations: string[]): void {
  if (headers['anthropic-version'] !== '2023-06-01') violations.push('anthropic-version header missing');
  if (!Number.isInteger(body.max_tokens)) violations.push('max_tokens is required');
  if (!Array.isArray(body.messages) || body.messages[0]?.role !== 'user') return void violations.push('messages must start with a user message');
  for (let i = 1; i < body.messages.length; i++) if (body.messages[i].role === body.messages[i - 1].role) violations.push(`roles must alternate (message ${i})`);
  for (let i = 0; i < body.messages.length; i++) {
    const uses = (Array.isArray(body.messages[i].content) ? body.messages[i].content : []).filter((b: any) => b.type === 'tool_use').map((b: any) => b.id);
    if (!uses.length) continue;
    const next = body.messages[i + 1];
    const results = new Set((Array.isArray(next?.content) ? next.content : []).filter((b: any) => b.type === 'tool_result').map((b: any) => b.tool_use_id));
    for (const id of uses) if (!results.has(id)) violations.push(`tool_use ${id} has no tool_result in the next message`);
  }
  for (const tool of body.tools ?? []) if (!tool.input_schema || tool.input_schema.type !== 'object') violations.push(`tool ${tool.name} needs an object input_schema`);
}

/**
 * Starts a fake on a free loopback port. `script` is the model's replies in order; after the last one it
 * repeats the last (a model stuck in a loop), or a function decides from the request.
 */
export async function startFakeLlm(protocol: Protocol, script: ScriptedReply[] | ((body: any, index: number) => ScriptedReply), options: { apiKey?: string } = {}): Promise<FakeLlm> {
  const requests: any[] = [];
  const violations: string[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = req.url ?? '';
      const expected = protocol === 'openai' ? /\/chat\/completions(\?|$)/ : /\/v1\/messages$/;
      if (req.method !== 'POST' || !expected.test(path)) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${path}` } }));
        return;
      }
      const presented = protocol === 'openai' ? (req.headers['api-key'] ?? req.headers.authorization?.replace(/^Bearer /, '')) : req.headers['x-api-key'];
      if (options.apiKey && presented !== options.apiKey) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { type: 'authentication_error', message: 'invalid x-api-key' } }));
        return;
      }
      const body = await readBody(req);
      requests.push(body);
      if (protocol === 'openai') checkOpenAi(body, violations);
      else checkAnthropic(body, req.headers, violations);
      const index = requests.length - 1;
      const reply = typeof script === 'function' ? script(body, index) : script[Math.min(index, script.length - 1)]!;
      if (reply.status) {
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: reply.text ?? 'scripted failure' } }));
        return;
      }
      const ids = callIds(body, protocol);
      const calls = (reply.toolCalls ?? []).map((c, i) => ({ id: `call_${index}_${i}`, name: c.name, args: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(fill(c.arguments, ids)) }));
      const input = reply.usage?.input ?? Math.ceil(JSON.stringify(body).length / 4);
      const output = reply.usage?.output ?? 50 + calls.length * 30;
      const text = reply.text ? (fill(reply.text, ids) as string) : null;
      const answer =
        protocol === 'openai'
          ? {
              id: `chatcmpl-${index}`,
              object: 'chat.completion',
              created: Math.floor(Date.now() / 1000),
              model: body.model ?? 'deployment',
              choices: [{ index: 0, message: { role: 'assistant', content: text, ...(calls.length ? { tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.args } })) } : {}) }, finish_reason: calls.length ? 'tool_calls' : 'stop' }],
              usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output },
            }
          : {
              id: `msg_${index}`,
              type: 'message',
              role: 'assistant',
              model: body.model,
              content: [...(text ? [{ type: 'text', text }] : []), ...calls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: safeParse(c.args) }))],
              stop_reason: calls.length ? 'tool_use' : 'end_turn',
              usage: { input_tokens: input, output_tokens: output },
            };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    })().catch((error: Error) => {
      violations.push(`fake failed: ${error.message}`);
      res.writeHead(500).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: protocol === 'openai' ? `http://127.0.0.1:${port}/v1` : `http://127.0.0.1:${port}`,
    protocol,
    requests,
    violations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Anthropic tool_use input is an object; a malformed string from a script is sent as a string the planner must reject. */
function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
