// The fixture tools, resources and prompts the official MCP conformance suite (@modelcontextprotocol/conformance,
// server mode) calls by name. Mounted ONLY with the test flag (`--conformance-fixtures`,
// OPSORCH_MCP_CONFORMANCE_FIXTURES=true) so the suite can exercise every protocol feature against our real
// transport, sessions and dispatch; production servers never list them.
import type { CallToolResult, GetPromptResult, ReadResourceResult, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import { ElicitResultSchema, CreateMessageResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** A 1×1 PNG and a tiny WAV: the smallest valid payloads of their kinds. */
const PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const SILENT_WAV = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });
const noArguments = { type: 'object' as const, properties: {} };
const fixtureSafety = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

export interface FixtureTool {
  tool: Tool;
  run(args: Record<string, unknown>, extra: Extra, server: Server): Promise<CallToolResult>;
}

function fixture(name: string, description: string, run: FixtureTool['run'], inputSchema: Tool['inputSchema'] = noArguments): FixtureTool {
  return { tool: { name, description, inputSchema, annotations: fixtureSafety }, run };
}

async function elicit(server: Server, message: string, requestedSchema: Record<string, unknown>): Promise<CallToolResult> {
  try {
    const result = await server.request({ method: 'elicitation/create', params: { mode: 'form', message, requestedSchema } as never }, ElicitResultSchema);
    return text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
  } catch (error) {
    return { isError: true, content: [{ type: 'text', text: `Elicitation failed: ${(error as Error).message}` }] };
  }
}

export const FIXTURE_TOOLS: FixtureTool[] = [
  fixture('test_simple_text', 'Returns one text block.', async () => text('This is a simple text response for testing.')),
  fixture('test_image_content', 'Returns one PNG image block.', async () => ({ content: [{ type: 'image', data: PIXEL_PNG, mimeType: 'image/png' }] })),
  fixture('test_audio_content', 'Returns one WAV audio block.', async () => ({ content: [{ type: 'audio', data: SILENT_WAV, mimeType: 'audio/wav' }] })),
  fixture('test_embedded_resource', 'Returns an embedded text resource.', async () => ({
    content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }],
  })),
  fixture('test_multiple_content_types', 'Returns text, image and resource blocks.', async () => ({
    content: [
      { type: 'text', text: 'Multiple content types test:' },
      { type: 'image', data: PIXEL_PNG, mimeType: 'image/png' },
      { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) } },
    ],
  })),
  fixture('test_tool_with_logging', 'Sends three info log notifications while it runs.', async (_args, extra) => {
    for (const [index, message] of ['Tool execution started', 'Tool processing data', 'Tool execution completed'].entries()) {
      if (index) await sleep(50);
      await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', logger: 'opsorch-fixtures', data: message } });
    }
    return text('Tool with logging executed successfully');
  }),
  fixture('test_tool_with_progress', 'Reports progress 0, 50 and 100 of 100.', async (_args, extra) => {
    const progressToken = extra._meta?.progressToken;
    for (const progress of [0, 50, 100]) {
      if (progress) await sleep(50);
      if (progressToken !== undefined) {
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total: 100, message: `${progress} of 100` } });
      }
    }
    return text(String(progressToken ?? 'no progress token'));
  }),
  fixture('test_error_handling', 'Always fails, as a tool result with isError.', async () => ({
    isError: true,
    content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }],
  })),
  fixture('test_reconnection', 'Closes its SSE stream mid-call; the answer arrives after the client reconnects.', async (_args, extra) => {
    extra.closeSSEStream?.();
    await sleep(100);
    return text('Reconnection test completed successfully.');
  }),
  fixture(
    'test_sampling',
    'Asks the client for an LLM completion of `prompt`.',
    async (args, _extra, server) => {
      try {
        const result = await server.request(
          { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: String(args.prompt) } }], maxTokens: 100 } },
          CreateMessageResultSchema,
        );
        const content = result.content as { type: string; text?: string };
        return text(`LLM response: ${content.type === 'text' ? content.text : JSON.stringify(content)}`);
      } catch (error) {
        return { isError: true, content: [{ type: 'text', text: `Sampling failed: ${(error as Error).message}` }] };
      }
    },
    { type: 'object', properties: { prompt: { type: 'string', description: 'The prompt to send to the LLM' } }, required: ['prompt'] },
  ),
  fixture(
    'test_elicitation',
    'Asks the user for input through the client.',
    async (args, _extra, server) =>
      elicit(server, String(args.message), {
        type: 'object',
        properties: { username: { type: 'string', description: "User's response" }, email: { type: 'string', description: "User's email address" } },
        required: ['username', 'email'],
      }),
    { type: 'object', properties: { message: { type: 'string', description: 'The message to show the user' } }, required: ['message'] },
  ),
  fixture('test_elicitation_sep1034_defaults', 'Elicits a form whose fields all have defaults (SEP-1034).', async (_args, _extra, server) =>
    elicit(server, 'Please review and update the form fields with defaults', {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'User name', default: 'John Doe' },
        age: { type: 'integer', description: 'User age', default: 30 },
        score: { type: 'number', description: 'User score', default: 95.5 },
        status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
        verified: { type: 'boolean', description: 'Verification status', default: true },
      },
      required: [],
    }),
  ),
  fixture('test_elicitation_sep1330_enums', 'Elicits the five enum shapes of SEP-1330.', async (_args, _extra, server) =>
    elicit(server, 'Please select options from the enum fields', {
      type: 'object',
      properties: {
        untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
        titledSingle: {
          type: 'string',
          description: 'Select one option with titles',
          oneOf: [
            { const: 'value1', title: 'First Option' },
            { const: 'value2', title: 'Second Option' },
            { const: 'value3', title: 'Third Option' },
          ],
        },
        legacyEnum: { type: 'string', description: 'Select one option (legacy)', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
        untitledMulti: { type: 'array', description: 'Select multiple options', minItems: 1, maxItems: 3, items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
        titledMulti: {
          type: 'array',
          description: 'Select multiple options with titles',
          minItems: 1,
          maxItems: 3,
          items: {
            anyOf: [
              { const: 'value1', title: 'First Choice' },
              { const: 'value2', title: 'Second Choice' },
              { const: 'value3', title: 'Third Choice' },
            ],
          },
        },
      },
      required: [],
    }),
  ),
  fixture(
    'json_schema_2020_12_tool',
    'Declares a JSON Schema 2020-12 input with $schema, $defs and additionalProperties (SEP-1613).',
    async (args) => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`),
    {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: { address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
      properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } },
      additionalProperties: false,
    } as Tool['inputSchema'],
  ),
];

export const FIXTURE_RESOURCES: { resource: Resource; read(): ReadResourceResult }[] = [
  {
    resource: { uri: 'test://static-text', name: 'static-text', title: 'Static Text Resource', description: 'A static text resource', mimeType: 'text/plain' },
    read: () => ({ contents: [{ uri: 'test://static-text', mimeType: 'text/plain', text: 'This is the content of the static text resource.' }] }),
  },
  {
    resource: { uri: 'test://static-binary', name: 'static-binary', title: 'Static Binary Resource', description: 'A PNG image', mimeType: 'image/png' },
    read: () => ({ contents: [{ uri: 'test://static-binary', mimeType: 'image/png', blob: PIXEL_PNG }] }),
  },
  {
    resource: { uri: 'test://watched-resource', name: 'watched-resource', title: 'Watched Resource', description: 'A resource to subscribe to', mimeType: 'text/plain' },
    read: () => ({ contents: [{ uri: 'test://watched-resource', mimeType: 'text/plain', text: 'Watched resource content' }] }),
  },
];

export const FIXTURE_TEMPLATES: ResourceTemplate[] = [
  { uriTemplate: 'test://template/{id}/data', name: 'template', title: 'Resource Template', description: 'Parameter substitution', mimeType: 'application/json' },
];

export function readFixtureTemplate(uri: string): ReadResourceResult | undefined {
  const match = /^test:\/\/template\/([^/]+)\/data$/.exec(uri);
  if (!match) return undefined;
  const id = decodeURIComponent(match[1]!);
  return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }] };
}

export const FIXTURE_PROMPTS: { prompt: { name: string; title: string; description: string; arguments?: { name: string; description: string; required: boolean }[] }; get(args: Record<string, string>): GetPromptResult }[] = [
  {
    prompt: { name: 'test_simple_prompt', title: 'Simple Test Prompt', description: 'A prompt without arguments' },
    get: () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }] }),
  },
  {
    prompt: {
      name: 'test_prompt_with_arguments',
      title: 'Prompt With Arguments',
      description: 'A prompt with required arguments',
      arguments: [
        { name: 'arg1', description: 'First test argument', required: true },
        { name: 'arg2', description: 'Second test argument', required: true },
      ],
    },
    get: (args) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'` } }] }),
  },
  {
    prompt: {
      name: 'test_prompt_with_embedded_resource',
      title: 'Prompt With Embedded Resource',
      description: 'A prompt that embeds a resource',
      arguments: [{ name: 'resourceUri', description: 'URI of the resource to embed', required: true }],
    },
    get: (args) => ({
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri: args.resourceUri ?? 'test://embedded', mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
      ],
    }),
  },
  {
    prompt: { name: 'test_prompt_with_image', title: 'Prompt With Image', description: 'A prompt with an image' },
    get: () => ({
      messages: [
        { role: 'user', content: { type: 'image', data: PIXEL_PNG, mimeType: 'image/png' } },
        { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
      ],
    }),
  },
];
