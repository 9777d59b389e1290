import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { OPERATION_TOOLS } from '../src/generated/tools.ts';
import { listTools } from '../src/server.ts';
import { ALL_TOOLSETS, DEFAULT_TOOLSETS, parseToolsets } from '../src/toolsets.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SNAPSHOTS = join(import.meta.dirname, '__toolsnaps__');
const EVERY_TOOL = listTools({ toolsets: ALL_TOOLSETS, enableWrites: true });

/** Every keyword and `$ref` of a schema, depth-first. */
function walk(schema: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(schema)) schema.forEach((s) => walk(s, visit));
  else if (schema && typeof schema === 'object') {
    visit(schema as Record<string, unknown>);
    Object.values(schema).forEach((s) => walk(s, visit));
  }
}

describe('generated tools', () => {
  it('mcp/src/generated/tools.ts matches the operations (run `npm run codegen`)', async () => {
    const config = parseYaml(readFileSync(join(ROOT, 'mcp', 'codegen.yml'), 'utf8'));
    const previous = process.cwd();
    process.chdir(ROOT);
    try {
      const outputs = await generate({ ...config, silent: true }, false);
      expect(outputs.map((o: { filename: string }) => o.filename)).toEqual(['mcp/src/generated/tools.ts']);
      expect(readFileSync(join(ROOT, outputs[0]!.filename), 'utf8'), 'mcp/src/generated/tools.ts is stale: run `npm run codegen`').toBe(outputs[0]!.content);
    } finally {
      process.chdir(previous);
    }
  });

  it('covers every capability with at least 22 tools, reads and writes', () => {
    expect(OPERATION_TOOLS.length).toBeGreaterThanOrEqual(22);
    const toolsets = new Set(OPERATION_TOOLS.map((t) => t.toolset));
    expect([...toolsets].sort()).toEqual(ALL_TOOLSETS.filter((t) => t !== 'schema').sort());
    const names = OPERATION_TOOLS.map((t) => t.name);
    for (const required of [
      'list_incidents', 'get_incident', 'get_incident_timeline', 'get_incident_war_room', 'list_alerts', 'get_alert', 'search_logs',
      'query_metrics', 'list_metric_names', 'list_services', 'get_service', 'who_is_on_call', 'list_teams', 'list_deployments',
      'list_tickets', 'get_ticket', 'list_runbooks', 'list_runbook_runs', 'acknowledge_incident', 'resolve_incident',
      'add_incident_note', 'create_ticket', 'comment_on_ticket', 'transition_ticket', 'send_message', 'silence_alert',
      'start_runbook_run', 'complete_manual_step',
    ]) {
      expect(names, required).toContain(required);
    }
  });

  it('states every safety hint, and no tool is both read-only and destructive', () => {
    for (const tool of EVERY_TOOL) {
      const a = tool.annotations!;
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
        expect(typeof a[hint], `${tool.name}.${hint}`).toBe('boolean');
      }
      expect(a.readOnlyHint && a.destructiveHint, tool.name).toBe(false);
    }
    for (const tool of OPERATION_TOOLS) expect(tool.annotations.readOnlyHint, tool.name).toBe(tool.operationType === 'query');
  });

  it('follows the naming and description conventions', () => {
    for (const tool of EVERY_TOOL) {
      expect(tool.name).toMatch(/^[a-z][a-z0-9_]{2,63}$/);
      expect(tool.description!.length, `${tool.name} description`).toBeGreaterThanOrEqual(40);
      expect(tool.description!.length, `${tool.name} description`).toBeLessThanOrEqual(1024);
      expect(tool.title, tool.name).toBeTruthy();
    }
  });

  it('writes clean JSON Schema 2020-12: $defs not definitions, resolvable refs, no top-level anyOf, described arguments', () => {
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
    ajv.addFormat('date-time', true);
    ajv.addKeyword('enumNames');
    for (const tool of EVERY_TOOL) {
      const input = tool.inputSchema as Record<string, unknown>;
      expect(input.type, tool.name).toBe('object');
      expect(input.anyOf ?? input.oneOf ?? input.allOf, `${tool.name}: union at the top of the input`).toBeUndefined();
      walk([input, tool.outputSchema], (node) => {
        expect(node.definitions, `${tool.name} uses definitions`).toBeUndefined();
        if (typeof node.$ref === 'string') {
          const name = node.$ref.replace('#/$defs/', '');
          expect(node.$ref, tool.name).toMatch(/^#\/\$defs\//);
          expect((input.$defs as Record<string, unknown>)?.[name], `${tool.name}: ${node.$ref}`).toBeDefined();
        }
      });
      for (const [name, property] of Object.entries(input.properties as Record<string, Record<string, unknown>>)) {
        expect(property.description, `${tool.name}.${name} has no description`).toBeTruthy();
      }
      expect(() => ajv.compile(input), `${tool.name} input schema`).not.toThrow();
      expect(() => ajv.compile(tool.outputSchema!), `${tool.name} output schema`).not.toThrow();
    }
  });

  it('writes schemas every client reads: one type per schema (nullable as anyOf with null), nothing untyped', () => {
    // What the MCP Inspector's --strict portability check reports: a `type` array (Gemini's single-type dialect and
    // strict clients reject it) and schemas that constrain nothing.
    const schemaKeywords = ['type', 'anyOf', 'oneOf', 'allOf', 'enum', 'const', '$ref', 'not', 'properties', 'items'];
    for (const tool of EVERY_TOOL) {
      walk([tool.inputSchema, tool.outputSchema], (node) => {
        if (Array.isArray(node.type)) expect.fail(`${tool.name}: type ${JSON.stringify(node.type)} (write anyOf branches with one type each)`);
      });
      const check = (schema: unknown, path: string): void => {
        if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return;
        const node = schema as Record<string, unknown>;
        if (!schemaKeywords.some((k) => k in node)) expect.fail(`${tool.name} ${path}: a schema without a type`);
        for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, unknown>)) check(child, `${path}.${name}`);
        for (const [name, child] of Object.entries((node.$defs ?? {}) as Record<string, unknown>)) check(child, `${path}.$defs.${name}`);
        if (node.items) check(node.items, `${path}[]`);
        for (const branch of (node.anyOf ?? []) as unknown[]) check(branch, `${path}|`);
      };
      check(tool.inputSchema, 'input');
      check(tool.outputSchema, 'output');
    }
  });

  it('caps every paging argument', () => {
    for (const tool of OPERATION_TOOLS.filter((t) => t.paging)) {
      const size = tool.paging!.firstVariable!;
      const schema = (tool.inputSchema.properties as Record<string, Record<string, unknown>>)[size]!;
      expect(schema.maximum, `${tool.name}.${size}`).toBeLessThanOrEqual(200);
      expect(schema.minimum, `${tool.name}.${size}`).toBe(1);
      expect((tool.outputSchema.required as string[]) ?? [], tool.name).toContain('nextCursor');
    }
  });

  it('has a test calling every tool', () => {
    const e2e = readFileSync(join(import.meta.dirname, 'tools.e2e.ts'), 'utf8');
    for (const tool of EVERY_TOOL) expect(e2e, `no call of ${tool.name} in tools.e2e.ts`).toContain(`'${tool.name}'`);
  });
});

describe('toolsets', () => {
  it('lists the default toolsets, narrows by name and hides writes unless enabled', () => {
    expect(parseToolsets(undefined)).toEqual([...DEFAULT_TOOLSETS]);
    expect(parseToolsets('all')).toEqual(ALL_TOOLSETS);
    expect(parseToolsets('logs, incidents')).toEqual(['incidents', 'logs']);
    expect(() => parseToolsets('incidents,bogus')).toThrow(/unknown toolset "bogus"; choose from incidents, alerts/);
    const readOnly = listTools({ toolsets: ['incidents'] }).map((t) => t.name);
    expect(readOnly).toEqual(['get_incident', 'get_incident_timeline', 'get_incident_war_room', 'list_incidents']);
    const writable = listTools({ toolsets: ['incidents'], enableWrites: true }).map((t) => t.name);
    expect(writable).toEqual(expect.arrayContaining(['acknowledge_incident', 'resolve_incident', 'add_incident_note']));
    expect(listTools({ toolsets: ['schema'] }).map((t) => t.name)).toEqual(['introspect', 'search_schema', 'validate', 'execute']);
  });
});

// One snapshot per tool (github-mcp-server's __toolsnaps__): a changed schema fails until it is accepted on
// purpose with UPDATE_TOOLSNAPS=true. Taken with every toolset and writes on.
describe('tool schema snapshots', () => {
  const update = process.env.UPDATE_TOOLSNAPS === 'true';
  if (update) mkdirSync(SNAPSHOTS, { recursive: true });

  for (const tool of EVERY_TOOL) {
    it(tool.name, () => {
      const file = join(SNAPSHOTS, `${tool.name}.snap`);
      const current = `${JSON.stringify(tool, null, 2)}\n`;
      if (update) writeFileSync(file, current);
      expect(existsSync(file), `no snapshot for ${tool.name}: run UPDATE_TOOLSNAPS=true npx vitest run mcp/test/tools.test.ts`).toBe(true);
      expect(current, `${tool.name} changed: review, then UPDATE_TOOLSNAPS=true npx vitest run mcp/test/tools.test.ts`).toBe(readFileSync(file, 'utf8'));
    });
  }

  it('has no snapshot of a tool that no longer exists', () => {
    const names = new Set(EVERY_TOOL.map((t) => `${t.name}.snap`));
    expect(readdirSync(SNAPSHOTS).filter((f) => !names.has(f))).toEqual([]);
  });
});
