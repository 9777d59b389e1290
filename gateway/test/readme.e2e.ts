// The README's examples are the first thing a new user runs: every fenced block is run here (or, for the few that
// need their own stack, by the test named below) and every answer it shows is compared with the real one.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConsoleSettings } from '../../console/server/settings.ts';
import { generateApiKey, loadSecurityConfig } from '../src/security/index.ts';
import { readRuntimeSettings } from '../src/runtime.ts';
import { gql, ROOT, spawnOpsOrch, type SpawnedServer } from './harness.ts';

const run = promisify(execFile);
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const INSPECTOR_PACKAGE = dirname(createRequire(join(ROOT, 'mcp', 'package.json')).resolve('@modelcontextprotocol/inspector/package.json'));
const INSPECTOR = join(INSPECTOR_PACKAGE, 'clients', 'launcher', 'build', 'index.js');

interface Block {
  lang: string;
  text: string;
  /** Lines of the opening and the closing fence. */
  line: number;
  end: number;
}

/** The README's fenced code blocks, in order. */
function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    out.push({ lang: open[1]!, text: lines.slice(i + 1, end).join('\n'), line: i + 1, end: end + 1 });
    i = end;
  }
  return out;
}

const BLOCKS = blocks(README);
/** The block right after `block` (an example's shown answer). */
const next = (block: Block) => BLOCKS[BLOCKS.indexOf(block) + 1]!;
/** The block right after `block` with nothing but blank lines between: what the README shows it answers. */
const answerOf = (block: Block): Block | undefined => {
  const following = BLOCKS[BLOCKS.indexOf(block) + 1];
  const between = README.split('\n').slice(block.end, following ? following.line - 1 : 0);
  return following && between.every((l) => l.trim() === '') ? following : undefined;
};

interface Command {
  text: string;
  /** Output lines the README shows under the command as `#   ...` comments (`...` stands for anything). */
  shown: string[];
}

/** The commands of a shell block (continued lines joined), each with the output shown under it. */
function commandsOf(block: Block): Command[] {
  const out: Command[] = [];
  let pending = '';
  for (const line of block.text.split('\n')) {
    if (/^#\s{3}/.test(line) && out.length) out.at(-1)!.shown.push(line.replace(/^#\s+/, ''));
    if (line.startsWith('#') || line.trim() === '') continue;
    const code = line.replace(/\s+#\s.*$/, '');
    if (code.endsWith('\\')) pending += `${code.slice(0, -1)} `;
    else {
      out.push({ text: pending + code, shown: [] });
      pending = '';
    }
  }
  return out;
}

/** A shown output line as a pattern: `...` stands for anything; header names match whatever their case. */
function shownPattern(line: string): RegExp {
  const source = line.split('...').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?');
  return new RegExp(source, /^[\w-]+: /.test(line) ? 'i' : '');
}
const find = (test: (b: Block) => boolean, what: string) => {
  const found = BLOCKS.filter(test);
  expect(found.length, `README: ${what}`).toBeGreaterThan(0);
  return found;
};

/**
 * Whether `actual` answers as `shown` says, where the README abridges: `"..."` as the last item of an array stands
 * for more items, a string ending in ` ...` for the rest of the text, and an object shows some of its keys.
 */
function matchesShown(actual: unknown, shown: unknown, path = '$'): string[] {
  if (typeof shown === 'string' && shown.endsWith(' ...')) {
    return typeof actual === 'string' && actual.startsWith(shown.slice(0, -4)) ? [] : [`${path}: ${JSON.stringify(actual)} does not start with ${JSON.stringify(shown.slice(0, -4))}`];
  }
  if (Array.isArray(shown)) {
    if (!Array.isArray(actual)) return [`${path}: expected a list, got ${JSON.stringify(actual)}`];
    const more = shown.at(-1) === '...';
    const items = more ? shown.slice(0, -1) : shown;
    if (more ? actual.length < items.length : actual.length !== items.length) return [`${path}: ${actual.length} items where the README shows ${items.length}${more ? ' or more' : ''}`];
    return items.flatMap((item, i) => matchesShown(actual[i], item, `${path}[${i}]`));
  }
  if (typeof shown === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(shown)) {
    // A request id differs on every request: any id will do.
    return typeof actual === 'string' && /^[0-9a-f-]{36}$/.test(actual) ? [] : [`${path}: expected a request id, got ${JSON.stringify(actual)}`];
  }
  if (shown && typeof shown === 'object') {
    if (!actual || typeof actual !== 'object') return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    return Object.entries(shown).flatMap(([key, value]) => matchesShown((actual as Record<string, unknown>)[key], value, `${path}.${key}`));
  }
  return actual === shown ? [] : [`${path}: ${JSON.stringify(actual)} where the README shows ${JSON.stringify(shown)}`];
}

/** The clock the README's answers were taken at. */
const DEMO_NOW = /OPSORCH_DEMO_NOW=(\S+?)`/.exec(README)?.[1];

let server: SpawnedServer;
let base: string;
/** An API key of the test server, for the examples "with credentials configured"; anonymous callers keep every scope. */
const apiKey = generateApiKey();

beforeAll(async () => {
  expect(DEMO_NOW, 'README names the OPSORCH_DEMO_NOW its answers were taken at').toBeTruthy();
  server = await spawnOpsOrch(['start', '--port', '0', '--host', '127.0.0.1'], {
    OPSORCH_DEMO_NOW: DEMO_NOW!,
    OPSORCH_CONSOLE: 'off',
    OPSORCH_ANONYMOUS: 'true',
    OPSORCH_API_KEYS: JSON.stringify([{ name: 'readme', hash: apiKey.hash, scopes: ['*'] }]),
    OPSORCH_AUDIT_SINKS: 'off',
  });
  base = server.url.replace(/\/graphql$/, '');
}, 90_000);

afterAll(() => server?.stop());

/** A README command line pointed at the test server instead of localhost:4000. */
const local = (command: string) => command.replaceAll('localhost:4000', base.replace(/^https?:\/\//, ''));

describe('README examples', { timeout: 90_000 }, () => {
  it('answers the war-room query as shown', async () => {
    for (const block of find((b) => b.lang === 'graphql', 'a GraphQL example')) {
      const answer = await gql(server.url, block.text);
      expect(answer.errors, `README line ${block.line}`).toBeUndefined();
      const shown = next(block);
      expect(shown.lang, `the answer after README line ${block.line}`).toBe('json');
      expect(matchesShown(answer, JSON.parse(shown.text)), `README line ${shown.line}`).toEqual([]);
    }
  });

  it('answers every curl example as shown (GraphQL, REST and Core)', async () => {
    // README order: the reads before the REST writes that change the demo world.
    for (const block of find((b) => b.lang === 'sh' && b.text.includes('curl '), 'a curl example')) {
      const commands = commandsOf(block);
      const answer = answerOf(block);
      if (answer) expect(commands, `README line ${block.line}: one command before the answer it shows`).toHaveLength(1);
      for (const command of commands) {
        const where = `README line ${block.line}: ${command.text}`;
        const { stdout } = await run('sh', ['-c', `${local(command.text)} -w '\n%{http_code}'`], { env: { ...process.env, OPSORCH_API_KEY: apiKey.key } });
        const status = Number(stdout.slice(stdout.lastIndexOf('\n') + 1));
        const output = stdout.slice(0, stdout.lastIndexOf('\n'));
        expect(status, `${where}\n${output.slice(0, 500)}`).toBeLessThan(300);
        for (const line of command.shown) expect(output, where).toMatch(shownPattern(line));
        if (answer) expect(matchesShown(JSON.parse(output), JSON.parse(answer.text)), `README line ${answer.line}`).toEqual([]);
      }
    }
  });

  it('shows the REST error body the API sends', async () => {
    const [block] = find((b) => b.lang === 'json' && b.text.includes('urn:opsorch:problem:'), 'the REST problem example');
    const shown = JSON.parse(block!.text) as { instance: string; errors: { parameter: string }[] };
    // The example: a page size above the limit of 50.
    const response = await fetch(`${base}${shown.instance}?${shown.errors[0]!.parameter}=51`);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(matchesShown(await response.json(), shown), `README line ${block!.line}`).toEqual([]);
  });

  it('shows evidence the copilot gives for the example question', async () => {
    const [block] = find((b) => b.lang === 'json' && b.text.includes('"toolCall"'), 'the copilot evidence example');
    const shown = JSON.parse(block!.text) as { kind: string; title: string; detail: string; consoleUrl: string; toolCall: { tool: string; arguments: Record<string, unknown> } };
    const [example] = find((b) => b.lang === 'sh' && b.text.includes('/copilot/conversations'), 'the copilot example');
    const body = /-d '([^']+)'/.exec(example!.text)![1]!;
    // The example's own clock, which README names just before it.
    const now = /OPSORCH_DEMO_NOW=(\S+) npm start`\):\s*$/.exec(README.split('\n').slice(0, example!.line - 1).join('\n').trimEnd())?.[1];
    expect(now, 'README names the clock of the copilot example').toBeTruthy();
    const copilot = await spawnOpsOrch(['start', '--port', '0', '--host', '127.0.0.1'], { OPSORCH_DEMO_NOW: now!, OPSORCH_CONSOLE: 'off', OPSORCH_AUDIT_SINKS: 'off' });
    let stream: string;
    try {
      const response = await fetch(copilot.url.replace(/\/graphql$/, '/copilot/conversations'), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body });
      stream = await response.text();
    } finally {
      await copilot.stop();
    }
    const answerEvent = stream.split('\n\n').find((event) => event.split('\n').includes('event: answer'));
    expect(answerEvent, 'the stream ends with an answer').toBeDefined();
    const answer = JSON.parse(answerEvent!.split('\n').find((l) => l.startsWith('data: '))!.slice(6)) as { answer?: unknown } & Record<string, unknown>;
    const findings = ((answer.answer ?? answer) as { findings: { evidence: typeof shown[] }[] }).findings;
    const evidence = findings.flatMap((f) => f.evidence).find((e) => e.kind === shown.kind && e.title === shown.title);
    expect(evidence, `README line ${block!.line}: evidence "${shown.title}" among ${JSON.stringify(findings.flatMap((f) => f.evidence).map((e) => [e.kind, e.title]))}`).toBeDefined();
    // The README abridges with "…": what it shows before one is the answer's own text.
    expect(evidence!.detail.startsWith(shown.detail.split('…')[0]!), `README line ${block!.line}: detail`).toBe(true);
    expect(evidence!.consoleUrl).toBe(shown.consoleUrl);
    expect(evidence!.toolCall.tool).toBe(shown.toolCall.tool);
    for (const [key, value] of Object.entries(shown.toolCall.arguments)) if (key !== '…') expect(evidence!.toolCall.arguments[key], `toolCall.arguments.${key}`).toEqual(value);
  });

  it('answers the inline queries', async () => {
    const inline = [...README.matchAll(/`(\{ [a-zA-Z]+[ ({][^`]*\})`/g)].map((m) => m[1]!).filter((q) => !q.includes('...'));
    expect(inline.length).toBeGreaterThan(0);
    for (const query of inline) {
      const answer = await gql(server.url, query);
      expect(answer.errors, query).toBeUndefined();
    }
  });

  it('runs the MCP Inspector commands: no schema portability finding, and a tool call that answers', async () => {
    const [block] = find((b) => b.lang === 'sh' && b.text.includes('@modelcontextprotocol/inspector'), 'the Inspector commands');
    // The version README asks npx for is the one installed and tested here.
    const installed = JSON.parse(readFileSync(join(INSPECTOR_PACKAGE, 'package.json'), 'utf8')).version as string;
    for (const line of block!.text.split('\n').filter((l) => l.startsWith('npx '))) {
      expect(line).toContain(`@modelcontextprotocol/inspector@${installed} `);
      const args = local(line).replace(/^npx @modelcontextprotocol\/inspector@\S+ /, '').split(' ');
      const result = await run(process.execPath, [INSPECTOR, ...args], { env: { ...process.env, MCP_CATALOG_PATH: join(ROOT, 'node_modules', '.cache', 'opsorch-mcp-inspector.json') } });
      expect(result.stderr, line).toBe('');
      const output = JSON.parse(result.stdout) as { tools?: unknown[]; isError?: boolean };
      if (line.includes('tools/list')) expect(output.tools?.length, line).toBeGreaterThan(10);
      else expect(output.isError, line).toBeFalsy();
    }
  });

  it('lists MCP client settings that connect: stdio in-process, stdio against a gateway, and HTTP', async () => {
    const [block] = find((b) => b.lang === 'jsonc', 'the MCP client settings');
    const servers = block!.text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { mcpServers: Record<string, { command?: string; args?: string[]; env?: Record<string, string>; url?: string }> }).mcpServers.opsorch!);
    expect(servers).toHaveLength(3);
    for (const settings of servers) {
      const target = settings.command
        ? [settings.command === 'node' ? process.execPath : settings.command, ...settings.args!.map((a) => a.replace('/path/to/opsorch', ROOT).replace('https://opsorch.example.com/graphql', server.url))]
        : [local(settings.url!)];
      const result = await run(process.execPath, [INSPECTOR, '--cli', ...target, '--method', 'tools/list'], {
        env: { ...process.env, ...settings.env, OPSORCH_TOKEN: '', MCP_CATALOG_PATH: join(ROOT, 'node_modules', '.cache', 'opsorch-mcp-inspector.json') },
      });
      expect((JSON.parse(result.stdout) as { tools: unknown[] }).tools.length, JSON.stringify(settings)).toBeGreaterThan(10);
    }
  }, 60_000);

  it('checks the configuration with opsorch check', async () => {
    const [block] = find((b) => b.lang === 'sh' && b.text.includes('opsorch.mjs check'), 'the check command');
    const line = block!.text.split('\n').find((l) => l.startsWith('node bin/opsorch.mjs check'))!;
    // Exit 0: the configuration (none: the demo world) is valid and every provider answers.
    const result = await run(process.execPath, [join(ROOT, 'bin', 'opsorch.mjs'), 'check'], { cwd: ROOT, env: { ...process.env, OPSORCH_CONFIG: '' } });
    expect(result.stdout, line).toMatch(/configuration valid; all 10 provider instances answer/);
  }, 60_000);

  it('shows configurations the gateway and the console accept', async () => {
    const examples = find((b) => b.lang === 'yaml' && b.text.startsWith('gateway:'), 'the configuration examples');
    for (const block of examples) {
      // The README elides key hashes (`sha256:…`); real ones take their place. Secret references read these variables.
      const yamlText = block.text.replace(/sha256:…/g, () => generateApiKey().hash);
      const env = {
        SIEM_TOKEN: 'token',
        REDIS_URL: 'redis://127.0.0.1:6379',
        OPSORCH_CONSOLE_CLIENT_SECRET: 'client-secret',
        OPSORCH_CONSOLE_SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
        OPSORCH_SUBGRAPH_KEY: 'a-subgraph-signing-key-of-at-least-32-bytes',
      };
      const dir = mkdtempSync(join(tmpdir(), 'opsorch-readme-'));
      try {
        const file = join(dir, 'opsorch.yaml');
        writeFileSync(file, yamlText);
        const document = parseYaml(yamlText) as { gateway?: unknown; console?: unknown };
        expect(document.gateway, `README line ${block.line}`).toBeTruthy();
        // Read as the server reads it: every key checked by the settings module, then each section by its owner.
        const { sections } = readRuntimeSettings({ ...env, OPSORCH_CONFIG: file });
        expect(() => loadSecurityConfig({ ...env, OPSORCH_CONFIG: file }, sections.gateway), `README line ${block.line}`).not.toThrow();
        if (document.console) await expect(loadConsoleSettings({ ...env, OPSORCH_CONFIG: file }, sections.console), `README line ${block.line}`).resolves.toBeTruthy();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    expect(examples.some((b) => b.text.includes('apiKeys:')), 'the API keys example').toBe(true);
  });

  it('runs every block somewhere: here, or in the test named for it', () => {
    const elsewhere: [test: (b: Block) => boolean, where: string][] = [
      // `npm start` is `opsorch start`, which the console and gateway end-to-end tests spawn; `npm test` is this suite.
      [(b) => b.text.includes('npm ci && npm start'), 'console/test/console-session.ts'],
      [(b) => b.text.includes('OPSORCH_SUBGRAPH_URLS='), 'gateway/test/distributed.e2e.ts'],
      // start:local binds Prometheus' own ports; the same stack runs on free ports in the Prometheus test.
      [(b) => b.text.includes('npm run start:local'), 'adapters/prometheus/prometheus.e2e.ts'],
      // fuzz, soak and probes: their short runs are in npm test, each beside its long run.
      [(b) => b.text.includes('npm run fuzz') && b.text.includes('npm run soak') && b.text.includes('npm run probes'), 'fuzz/fuzz.e2e.ts'],
      [(b) => b.text.includes('npm run soak'), 'soak/soak.e2e.ts'],
      [(b) => b.text.includes('npm run probes'), 'fuzz/probes.e2e.ts'],
      // A real model needs its vendor's key; the same variables start the copilot against a fake model in the eval.
      [(b) => b.text.includes('OPSORCH_COPILOT_LLM_PROVIDER='), 'copilot/test/eval.e2e.ts'],
    ];
    const here: ((b: Block) => boolean)[] = [
      (b) => b.lang === 'graphql',
      (b) => b.lang === 'json' && (BLOCKS.some((o) => answerOf(o) === b || (o.lang === 'graphql' && next(o) === b)) || b.text.includes('urn:opsorch:problem:') || b.text.includes('"toolCall"')),
      (b) => b.lang === 'sh' && b.text.includes('curl '),
      (b) => b.lang === 'sh' && b.text.includes('@modelcontextprotocol/inspector'),
      (b) => b.lang === 'jsonc',
      (b) => b.lang === 'yaml' && b.text.startsWith('gateway:'),
    ];
    for (const [, where] of elsewhere) expect(readFileSync(join(ROOT, where), 'utf8').length, where).toBeGreaterThan(0);
    for (const block of BLOCKS) {
      const covered = here.some((t) => t(block)) || elsewhere.some(([t]) => t(block));
      expect(covered, `README line ${block.line} (${block.lang}) is run by no test: add it to gateway/test/readme.e2e.ts`).toBe(true);
    }
  });
});
