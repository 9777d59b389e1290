// The attacks of issue 18 (holes found by probing a running gateway as an attacker) and issue 10's regex
// freeze, one probe each. `waitsFor` names the change that closes each hole; see probe.ts.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiKey, bearer } from '../../gateway/test/security-fixtures.ts';
import { connectHttp } from '../../mcp/test/harness.ts';
import { graphql, rawPost, send, securedTarget, type Probe } from './probe.ts';

const admin = apiKey('probe-admin', ['*']);
const stagingOnly = apiKey('probe-staging', ['*:read', '*:write'], { environments: ['staging'] });
const SECURED = securedTarget({ admin, stagingOnly });
const OPEN = {};
/** A production incident of the demo world. */
const PRODUCTION_INCIDENT = 'demo:Q5TJ2NB';

const timelineOf = async (target: Parameters<Probe['run']>[0], id: string, headers: Record<string, string> = {}) =>
  ((await graphql(target, 'query T($id: ID!) { incident(id: $id) { timeline(first: 50) { nodes { at message actor { id } } } } }', { id }, headers)).json?.data
    ?.incident?.timeline?.nodes ?? []) as { at: string; message: string; actor: { id: string } | null }[];

/** An upstream that answers 401 with the request's headers in its body, as some proxies do. */
let echoUrl: Promise<string> | undefined;
function echoingUpstream(): Promise<string> {
  echoUrl ??= new Promise((resolve) => {
    const server = createServer((req, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' }).end(`unauthorized; you sent: ${Object.entries(req.headers).map(([k, v]) => `${k}=${String(v)}`).join('; ')}`);
    });
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    server.unref();
  });
  return echoUrl;
}
const ECHO_USER = 'probe-user';
const ECHO_PASSWORD = 'probe-Secret-7731';

export const ISSUE_18_PROBES: Probe[] = [
  {
    id: 'env-isolation-by-id',
    source: 'issue 18 item 1',
    attack: 'a key granted only env:staging resolves and reads a production incident by its id',
    target: SECURED,
    async run(target) {
      const read = await graphql(target, 'query I($id: ID!) { incident(id: $id) { id title } }', { id: PRODUCTION_INCIDENT }, bearer(stagingOnly.key));
      if (read.json?.data?.incident) return `read production incident ${PRODUCTION_INCIDENT} with a staging-only key`;
      const write = await graphql(target, 'mutation N($id: ID!) { addIncidentNote(incidentId: $id, body: "probe: staging key writing to production") { id } }', { id: PRODUCTION_INCIDENT }, bearer(stagingOnly.key));
      if (write.json?.data?.addIncidentNote) return `annotated production incident ${PRODUCTION_INCIDENT} with a staging-only key`;
      return undefined;
    },
  },
  {
    id: 'csrf-console-data-request',
    source: 'issue 18 item 2',
    attack: "a cross-site form POST to a console route with ?_data=<route> writes (Remix's data path skips its origin check)",
    target: { console: true },
    async run(target) {
      const body = `probe csrf ${Date.now()}`;
      const form = new URLSearchParams({ intent: 'note', idempotencyKey: `csrf-${Date.now()}`, body });
      await send(`${target.base}/incidents/${encodeURIComponent('demo:Q3VW8TR')}?_data=${encodeURIComponent('routes/incidents.$id')}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        body: form,
        timeoutMs: 120_000,
      });
      const framed = await send(`${target.base}/incidents`);
      if ((await timelineOf(target, 'demo:Q3VW8TR')).some((n) => n.message === body)) return 'the cross-site POST added its note';
      const frameAncestors = /frame-ancestors\s+'none'/.test(framed.headers.get('content-security-policy') ?? '') || framed.headers.get('x-frame-options') !== null;
      return frameAncestors ? undefined : 'console pages may be framed (no frame-ancestors / X-Frame-Options)';
    },
  },
  {
    id: 'typename-amplification',
    source: 'issue 18 item 3',
    attack: '45,000 aliased __typename under logs(first: 200) pass the alias and cost limits and build a 178 MB answer',
    target: OPEN,
    async run(target) {
      const aliases = Array.from({ length: 45_000 }, (_, i) => `t${i}: __typename`).join(' ');
      const answer = await graphql(target, `{ logs(query: {}, first: 200) { nodes { ${aliases} } } }`, {}, {}, 10_000);
      if (answer.status === 0) return `no answer within 10 s (${answer.text})`;
      if (answer.text.length > 5_000_000) return `answered ${(answer.text.length / 1e6).toFixed(0)} MB`;
      return answer.status === 400 ? undefined : `answered ${answer.status} without refusing the operation`;
    },
  },
  {
    id: 'mcp-session-flood',
    source: 'issue 18 item 4',
    attack: 'unauthenticated initialize calls fill the MCP session table; every later client gets 503',
    target: SECURED,
    async run(target) {
      const initialize = (headers: Record<string, string> = {}) =>
        send(target.mcpUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'probe', version: '1' } } }),
        });
      const anonymous = await initialize();
      if (anonymous.status < 400) return `initialize without credentials answered ${anonymous.status}`;
      for (let i = 0; i < 1_000; i += 50) await Promise.all(Array.from({ length: 50 }, () => initialize()));
      const adminAfter = await initialize(bearer(admin.key));
      return adminAfter.status === 200 ? undefined : `after 1,000 anonymous initialize calls the admin got ${adminAfter.status}`;
    },
  },
  {
    id: 'forged-internal-headers',
    source: 'issue 18 item 5',
    attack: 'an external X-OpsOrch-Now backdates a timeline entry; a declared X-OpsOrch-Actor blanks its actor',
    target: SECURED,
    async run(target) {
      const note = (body: string, headers: Record<string, string>) =>
        graphql(target, 'mutation N($body: String!) { addIncidentNote(incidentId: "demo:Q3VW8TR", body: $body) { id } }', { body }, { ...bearer(admin.key), ...headers });
      const honest = `probe honest note ${Date.now()}`;
      const forged = `probe forged headers ${Date.now()}`;
      await note(honest, {});
      await note(forged, { 'x-opsorch-now': '2001-09-09T01:46:40Z', 'x-opsorch-actor': 'agent:' });
      const entries = await timelineOf(target, 'demo:Q3VW8TR', bearer(admin.key));
      const [control, entry] = [honest, forged].map((body) => entries.find((n) => n.message === body));
      if (!control || !entry) return 'the notes were not written at all';
      if (entry.at.startsWith('2001-')) return `the note is backdated to ${entry.at}`;
      if (entry.actor?.id !== control.actor?.id) return `the note's actor is ${JSON.stringify(entry.actor)} instead of ${JSON.stringify(control.actor)}`;
      return undefined;
    },
  },
  {
    id: 'console-unbounded-body',
    source: 'issue 18 item 6',
    attack: 'a huge form body to a console route is read whole before anything refuses it',
    target: { console: true },
    async run(target) {
      await send(`${target.base}/incidents`, { timeoutMs: 120_000 });
      const before = await target.memory(true);
      const answer = await send(`${target.base}/incidents`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `intent=acknowledge&ids=${'x'.repeat(60_000_000)}`,
        timeoutMs: 60_000,
      });
      const after = await target.memory(false);
      const grew = (after.rss - before.rss) / 2 ** 20;
      if (grew > 100) return `RSS grew by ${grew.toFixed(0)} MiB reading a 60 MB body (answer ${answer.status})`;
      return answer.status === 413 || answer.status === 0 ? undefined : `a 60 MB body was answered ${answer.status}`;
    },
  },
  {
    id: 'dns-rebinding',
    source: 'issue 18 item 7',
    attack: 'a mutation to /graphql with Host: evil.example is executed (only /mcp checks Host)',
    target: OPEN,
    async run(target) {
      const body = `probe rebinding ${Date.now()}`;
      // fetch() will not send another Host than the URL's; node:http will.
      await rawPost(target.graphqlUrl, JSON.stringify({ query: `mutation { addIncidentNote(incidentId: "demo:Q3VW8TR", body: ${JSON.stringify(body)}) { id } }` }), { host: 'evil.example', 'content-type': 'application/json' });
      return (await timelineOf(target, 'demo:Q3VW8TR')).some((n) => n.message === body) ? 'the mutation sent with Host: evil.example was executed' : undefined;
    },
  },
  {
    id: 'leak-through-echoing-upstream',
    source: 'issue 18 item 8',
    attack: "an upstream echoing request headers in its 401 puts the tool's Basic credentials into GraphQL errors, providers { lastError } and logs",
    target: async () => ({
      env: {
        OPSORCH_METRICS_PROVIDER: 'prom=prometheus',
        OPSORCH_METRICS_CONFIG: JSON.stringify({ url: await echoingUpstream(), auth: { username: ECHO_USER, password: ECHO_PASSWORD } }),
      },
    }),
    async run(target) {
      const basic = Buffer.from(`${ECHO_USER}:${ECHO_PASSWORD}`).toString('base64');
      const answers = [
        await graphql(target, '{ metricSeries(query: { name: "up" }) { series { name } providerErrors { message } } }'),
        await graphql(target, '{ providers { instance lastError { message } } }'),
      ];
      const secrets = [basic, ECHO_PASSWORD, 'authorization=Basic'];
      const leaked = answers.flatMap((a) => secrets.filter((s) => a.text.includes(s)));
      if (leaked.length) return `an answer carries the upstream's echo of the credentials (${leaked[0]})`;
      const logged = target.logs().find((line) => secrets.some((s) => line.includes(s)));
      return logged ? `a log line carries the credentials: ${logged.slice(0, 160)}` : undefined;
    },
  },
  {
    id: 'error-pages-show-insides',
    source: 'issue 18 item 8',
    attack: 'error pages print stack traces and absolute paths (a traversal in /assets, an invalid gzip body on /graphql)',
    target: { console: true },
    async run(target) {
      const answers = [
        await send(`${target.base}/assets/..%2f..%2fpackage.json`),
        await send(`${target.base}/assets/missing-${Date.now()}.js`),
        await send(target.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'not gzip at all' }),
      ];
      const leaking = answers.find((a) => /\n\s+at |\/node_modules\/|\/work\/|\/home\//.test(a.text));
      return leaking ? `an error answer shows the server's insides: ${leaking.text.slice(0, 160)}` : undefined;
    },
  },
  {
    id: 'did-you-mean-without-introspection',
    source: 'issue 18 item 9',
    attack: '"Did you mean" suggestions reveal the schema when introspection is off',
    target: securedTarget({ admin }, { limits: { introspection: false } }),
    async run(target) {
      const answer = await graphql(target, '{ incidnts { nodes { id } } }', {}, bearer(admin.key));
      return /Did you mean/i.test(answer.text) ? `the error suggests field names: ${answer.json?.errors?.[0]?.message}` : undefined;
    },
  },
  {
    id: 'log-volume-long-range',
    source: 'issue 18 item 9',
    attack: 'logVolume over a very long range answers INTERNAL instead of a clear error',
    target: OPEN,
    async run(target) {
      const answer = await graphql(target, '{ logVolume(query: {}, range: { from: "now-1000000d" }) { total } }');
      const code = answer.json?.errors?.[0]?.extensions?.code;
      return code === 'INTERNAL' || answer.status >= 500 ? `answered ${answer.status} ${code}` : undefined;
    },
  },
  {
    id: 'range-before-year-0-through-mcp',
    source: 'issue 18 item 9',
    attack: 'log_volume through MCP with since: now-1000000d answers an instant before year 0, outside its own output schema',
    target: OPEN,
    async run(target) {
      const client = await connectHttp(target.mcpUrl, 'probe');
      try {
        const result = (await client.callTool({ name: 'log_volume', arguments: { since: 'now-1000000d' } })) as { isError?: boolean; content?: { text?: string }[] };
        const text = result.content?.map((c) => c.text ?? '').join(' ') ?? '';
        if (!result.isError) return `answered without an error: ${text.slice(0, 120)}`;
        return /outside the times OpsOrch reads|too far from now/.test(text) ? undefined : `the error does not say what to fix: ${text.slice(0, 160)}`;
      } catch (error) {
        return `the call failed: ${String((error as Error).message).slice(0, 160)}`;
      } finally {
        await client.close();
      }
    },
  },
  {
    id: 'apq-hash-mismatch',
    source: 'issue 18 item 9',
    attack: 'a persisted-query hash that does not match its query answers INTERNAL',
    target: OPEN,
    async run(target) {
      const answer = await send(target.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update('something else').digest('hex') } } }),
      });
      const code = answer.json?.errors?.[0]?.extensions?.code;
      return code === 'INTERNAL' || answer.status >= 500 ? `answered ${answer.status} ${code}` : undefined;
    },
  },
  {
    id: 'mcp-origin-null',
    source: 'issue 18 item 9',
    attack: '/mcp accepts Origin: null (sandboxed frames and file: pages send it)',
    target: OPEN,
    async run(target) {
      const answer = await send(target.mcpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', origin: 'null' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'probe', version: '1' } } }),
      });
      return answer.status === 200 ? 'initialize with Origin: null was accepted' : undefined;
    },
  },
  {
    id: 'failed-authentication-unlimited',
    source: 'issue 18 item 9',
    attack: 'failed authentication is not rate-limited: a key can be guessed at full speed',
    target: SECURED,
    async run(target) {
      const statuses = new Set<number>();
      for (let i = 0; i < 300; i += 30) {
        const answers = await Promise.all(Array.from({ length: 30 }, (_, j) => graphql(target, '{ __typename }', {}, bearer(`opsorch_guess_${i + j}`))));
        for (const a of answers) statuses.add(a.status);
      }
      return statuses.has(429) ? undefined : `300 failed authentications answered only ${[...statuses].join(', ')}`;
    },
  },
  {
    id: 'catastrophic-regex',
    source: 'issue 10 item 1',
    attack: 'a log field filter op: REGEX with ^(\\w+\\w?)+!$ freezes the event loop, and every route with it',
    target: OPEN,
    async run(target) {
      const attack = graphql(
        target,
        '{ logs(query: { filters: [{ field: "message", op: REGEX, value: "^(\\\\w+\\\\w?)+!$" }] }, range: { from: "now-1h" }, first: 10) { nodes { message } } }',
        {},
        {},
        5_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const health = await send(`${target.base}/healthz`, { timeoutMs: 2_000 });
      const answer = await attack;
      if (health.status !== 200) return `/healthz did not answer within 2 s while the pattern ran (${health.text.slice(0, 80)})`;
      return answer.status === 0 ? `the pattern got no answer within 5 s (${answer.text})` : undefined;
    },
  },
];
