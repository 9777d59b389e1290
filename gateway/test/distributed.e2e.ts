import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SUBGRAPH_NAMES } from '@opsorch/schema';
import type { RunningGateway } from '../src/index.ts';
import { createGatewayTokenSigner, operationHash } from '../src/security/gateway-token.ts';
import { captureLogs, gql, spawnOpsOrch, startTestGateway, waitFor, type SpawnedServer } from './harness.ts';
import { WAR_ROOM } from './queries.ts';
import { apiKey, auditLinesOf, bearer, subgraphSigning, tempDir, writeGatewayConfig } from './security-fixtures.ts';

// Every process must share the demo world's anchor for the answers to be comparable.
const DEMO_NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
process.env.OPSORCH_DEMO_NOW = DEMO_NOW;

// The key the gateway signs subgraph requests with, given to every process by reference (decision 014).
const signing = subgraphSigning();
const SIGNING = signing.env;
const signer = signing.sign;
const claims = { actor: { kind: 'user' as const, id: 'maya.patel@acme-shop.example' }, acting: { kind: 'user' as const, id: 'maya.patel@acme-shop.example' }, requestId: 'direct-1', now: new Date(), scopes: ['*'] };

/** POSTs straight to a subgraph server, as someone who found its address would. */
async function direct(url: string, query: string, headers: Record<string, string> = {}) {
  return gql(url, query, undefined, headers);
}

describe('distributed: `opsorch subgraph <name>` per capability behind the gateway', () => {
  const subgraphs: SpawnedServer[] = [];
  let distributed: RunningGateway;
  let secured: RunningGateway;
  let local: RunningGateway;
  let auditFile: string;
  const staging = apiKey('staging-ci', ['*'], { environments: ['staging'] });
  const urlOf = (name: string) => subgraphs[SUBGRAPH_NAMES.indexOf(name as never)]!.url;

  beforeAll(async () => {
    // Eleven processes start at once: give them time on a loaded machine, and stop those that did start if one
    // did not (afterAll stops what is in `subgraphs`).
    const settled = await Promise.allSettled(
      SUBGRAPH_NAMES.map((name) =>
        spawnOpsOrch(['subgraph', name, '--port', '0', '--host', '127.0.0.1'], { OPSORCH_DEMO_NOW: DEMO_NOW, OPSORCH_LOG_LEVEL: 'info', ...SIGNING }, 150_000),
      ),
    );
    for (const result of settled) if (result.status === 'fulfilled') subgraphs.push(result.value);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const started = subgraphs;
    const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, started[i]!.url]));
    distributed = await startTestGateway({ subgraphUrls: urls, env: SIGNING });
    const dir = tempDir();
    auditFile = join(dir, 'audit.jsonl');
    const config = writeGatewayConfig({ auth: { apiKeys: [staging.entry] }, audit: { sinks: [{ type: 'file', path: auditFile }] } }, dir);
    secured = await startTestGateway({ subgraphUrls: urls, env: { ...SIGNING, OPSORCH_CONFIG: config } });
    local = await startTestGateway();
  }, 240_000);

  afterAll(async () => {
    await Promise.all([distributed?.close(), secured?.close(), local?.close(), ...subgraphs.map((s) => s.stop())]);
  });

  it('answers the war-room query exactly like the in-process gateway', async () => {
    const [remote, inProcess] = await Promise.all([gql(distributed.url, WAR_ROOM), gql(local.url, WAR_ROOM)]);
    expect(remote.errors).toBeUndefined();
    expect(inProcess.errors).toBeUndefined();
    expect(remote.data.incidents.nodes.length).toBeGreaterThan(0);
    expect(remote.data).toEqual(inProcess.data);
  });

  it('merges answers with response names Object.prototype has, and leaves Object.prototype alone', async () => {
    // JSON from a subgraph is made of plain objects: `toString` below is inherited until the merge makes it own.
    const query = '{ incidents(first: 2) { nodes { constructor: id service { constructor: name toString: owner { name } } } } }';
    const [remote, inProcess] = await Promise.all([gql(distributed.url, query), gql(local.url, query)]);
    expect(remote.errors).toBeUndefined();
    expect(remote.data).toEqual(inProcess.data);
    expect(typeof remote.data.incidents.nodes[0].service.toString.name).toBe('string');
    expect(Object.keys(Object.prototype.toString)).toEqual([]);
    expect(Object.keys(Object)).toEqual([]);
  });

  it('each subgraph process serves only its own capability', async () => {
    const query = '{ _service { sdl } }';
    const body = await direct(urlOf('incidents'), query, await signing.headers('incidents', query));
    expect(body.data._service.sdl).toContain('type Incident');
    expect(body.data._service.sdl).not.toContain('type Deployment @key');
  });

  it('answers with no-store and no ETag: its answers are live data for one caller', async () => {
    const query = '{ _service { sdl } }';
    for (const headers of [await signing.headers('incidents', query), {}]) {
      const response = await fetch(urlOf('incidents'), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
      expect([response.status, response.headers.get('cache-control'), response.headers.get('etag')]).toEqual([headers['x-opsorch-gateway-token'] ? 200 : 401, 'no-store', null]);
    }
  });

  it('refuses a request that does not come from the gateway: no token, forged headers, another key, another operation or subgraph', async () => {
    const write = 'mutation { addIncidentNote(incidentId: "demo:Q3VW8TR", body: "straight to the subgraph") { id } }';
    const forged = await direct(urlOf('incidents'), write, {
      'x-opsorch-actor': 'user:ceo@acme-shop.example',
      'x-opsorch-now': '2001-09-09T01:46:40Z',
      'x-opsorch-environment': 'production',
    });
    expect(forged.status).toBe(401);
    expect(forged.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'GATEWAY_TOKEN_INVALID' });

    const otherKey = await createGatewayTokenSigner(randomBytes(48), 30)('incidents', claims, operationHash(write, undefined));
    expect((await direct(urlOf('incidents'), write, { 'x-opsorch-gateway-token': otherKey })).status).toBe(401);

    const forARead = await signer('incidents', claims, operationHash('{ incidents(first: 1) { nodes { id } } }', undefined));
    const replayed = await direct(urlOf('incidents'), write, { 'x-opsorch-gateway-token': forARead });
    expect(replayed.status).toBe(401);
    expect(replayed.errors![0]!.message).toMatch(/another operation/);

    const forAlerts = await signer('alerts', claims, operationHash(write, undefined));
    expect((await direct(urlOf('incidents'), write, { 'x-opsorch-gateway-token': forAlerts })).status).toBe(401);

    // A valid token still only carries the scopes it was given.
    const unscoped = await direct(urlOf('incidents'), write, await signing.headers('incidents', write, undefined, ['incidents:read']));
    expect(unscoped.status).toBe(403);
    expect(unscoped.errors![0]!.extensions!.missingScope).toBe('incidents:write');

    const timeline = await gql(local.url, '{ incident(id: "demo:Q3VW8TR") { timeline(first: 200) { nodes { message } } } }');
    expect(JSON.stringify(timeline.data)).not.toContain('straight to the subgraph');
  });

  it('never takes the time or the actor of a write from the client, in-process or distributed', async () => {
    for (const gateway of [local, distributed]) {
      const before = Date.now();
      const note = await gql(
        gateway.url,
        'mutation { addIncidentNote(incidentId: "demo:Q3VW8TR", body: "note with a forged clock") { id } }',
        undefined,
        { 'x-opsorch-now': '2001-09-09T01:46:40Z', 'x-opsorch-actor': 'user:maya.patel@acme-shop.example' },
      );
      expect(note.errors).toBeUndefined();
      const timeline = await gql(gateway.url, '{ incident(id: "demo:Q3VW8TR") { timeline(first: 1) { nodes { at message actor { id } } } } }');
      const entry = timeline.data.incident.timeline.nodes[0];
      expect(entry.message).toBe('note with a forged clock');
      expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(before - 1000);
    }
  });

  it('keeps a staging credential out of a production incident across processes, and audits it at the gateway', async () => {
    const read = await gql(secured.url, 'query Peek { incident(id: "demo:Q5TJ2NB") { id title } }', undefined, bearer(staging.key));
    expect(read.errors).toBeUndefined();
    expect(read.data.incident).toBeNull();
    expect(JSON.stringify(read)).not.toContain('opsorchEnvironmentDenials');
    const write = await gql(secured.url, 'mutation Sneak { resolveIncident(id: "demo:Q5TJ2NB") { id } }', undefined, bearer(staging.key));
    expect(write.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    await vi.waitFor(() => expect(auditLinesOf(auditFile)).toHaveLength(2));
    const lines = auditLinesOf(auditFile);
    for (const line of lines) {
      expect(line.outcome).toBe('denied');
      expect(line.errors.map((e: { reason?: string }) => e.reason)).toContain('ENVIRONMENT_ISOLATION');
    }
  });

  it('will not start a subgraph or a gateway with remote subgraphs without the signing key', async () => {
    await expect(spawnOpsOrch(['subgraph', 'incidents', '--port', '0', '--host', '127.0.0.1'], { OPSORCH_SUBGRAPH_SIGNING_KEY: '' }, 30_000)).rejects.toThrow(
      /needs the key it signs with: set gateway\.subgraphs\.signingKey/,
    );
    await expect(startTestGateway({ subgraphUrls: { incidents: urlOf('incidents') } })).rejects.toThrow(/need gateway\.subgraphs\.signingKey/);
  });
});

describe('distributed: identical reads in flight', () => {
  const caller = apiKey('oncall-a', ['*']);
  const other = apiKey('oncall-b', ['*']);
  const staging = apiKey('staging-dash', ['*'], { environments: ['staging'] });
  let incidents: SpawnedServer;
  let proxy: Server;
  let gateway: RunningGateway;
  let auditFile: string;
  /** The operations the incidents subgraph received through the proxy, by their text. */
  const received: string[] = [];

  beforeAll(async () => {
    incidents = await spawnOpsOrch(['subgraph', 'incidents', '--port', '0', '--host', '127.0.0.1'], { OPSORCH_DEMO_NOW: DEMO_NOW, ...SIGNING }, 150_000);
    // Counts what reaches the subgraph and holds each request 300 ms, so that concurrent requests overlap.
    proxy = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString();
      received.push((JSON.parse(body) as { query: string }).query);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name))) as Record<string, string>;
      const answer = await fetch(incidents.url, { method: 'POST', headers, body });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(await answer.text());
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    const dir = tempDir();
    auditFile = join(dir, 'audit.jsonl');
    const config = writeGatewayConfig({ auth: { apiKeys: [caller.entry, other.entry, staging.entry] }, audit: { sinks: [{ type: 'file', path: auditFile }] } }, dir);
    gateway = await startTestGateway({
      subgraphUrls: { incidents: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql` },
      env: { ...SIGNING, OPSORCH_CONFIG: config },
    });
  }, 240_000);

  afterAll(async () => {
    await Promise.all([gateway?.close(), incidents?.stop(), new Promise((resolve) => proxy ? proxy.close(resolve) : resolve(undefined))]);
  });

  const reaching = (text: string) => received.filter((query) => query.includes(text)).length;

  it('are sent to the subgraph once per caller, and each caller gets the whole answer', async () => {
    const LIST = '{ incidents(first: 3) { nodes { id title } } }';
    const answers = await Promise.all([caller, caller, caller, caller, other, other, other, other].map((key) => gql(gateway.url, LIST, undefined, bearer(key.key))));
    for (const answer of answers) expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
    expect(answers[0]!.data.incidents.nodes).toHaveLength(3);
    for (const answer of answers) expect(answer.data).toEqual(answers[0]!.data);
    // One fetch per caller, not one per request (a request that arrived after the first fetch came back may send its own).
    expect(reaching('incidents(first:3)')).toBeGreaterThanOrEqual(2);
    expect(reaching('incidents(first:3)')).toBeLessThanOrEqual(4);
  });

  it('are shared only with the same variables, and each caller gets an answer of its own', async () => {
    const PAGE = 'query PageTogether($first: Int) { incidents(first: $first) { nodes { id title } } }';
    const sizes = [2, 2, 2, 3, 3, 3];
    const answers = await Promise.all(sizes.map((first) => gql(gateway.url, PAGE, { first }, bearer(caller.key))));
    answers.forEach((answer, i) => {
      expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
      expect(answer.data.incidents.nodes).toHaveLength(sizes[i]!);
    });
    expect(answers[1]!.data).toEqual(answers[0]!.data);
    expect(answers[4]!.data).toEqual(answers[3]!.data);
    expect(reaching('PageTogether')).toBeGreaterThanOrEqual(2);
    expect(reaching('PageTogether')).toBeLessThanOrEqual(4);
  });

  it('still audit every caller the subgraph hid an object from', async () => {
    const PEEK = 'query PeekTogether { incident(id: "demo:Q5TJ2NB") { id title } }';
    const reads = await Promise.all(Array.from({ length: 4 }, () => gql(gateway.url, PEEK, undefined, bearer(staging.key))));
    for (const read of reads) {
      expect(read.errors).toBeUndefined();
      expect(read.data.incident).toBeNull();
    }
    expect(reaching('PeekTogether')).toBeLessThanOrEqual(2);
    const peeks = () => auditLinesOf(auditFile).filter((line) => line.operation.name === 'PeekTogether');
    await vi.waitFor(() => expect(peeks()).toHaveLength(4));
    expect(new Set(peeks().map((line) => line.requestId)).size).toBe(4);
    for (const line of peeks()) {
      expect(line.outcome).toBe('denied');
      expect(line.errors.map((e: { reason?: string }) => e.reason)).toContain('ENVIRONMENT_ISOLATION');
    }
  });

  it('never share a write', async () => {
    const NOTE = 'mutation { addIncidentNote(incidentId: "demo:Q3VW8TR", body: "sent three times at once") { id } }';
    const writes = await Promise.all(Array.from({ length: 3 }, () => gql(gateway.url, NOTE, undefined, bearer(caller.key))));
    for (const write of writes) expect(write.errors).toBeUndefined();
    expect(reaching('sent three times at once')).toBe(3);
  });
});

describe('distributed: a subgraph that does not answer', () => {
  const logs = captureLogs();
  let gateway: RunningGateway;
  let hanging: NetServer;
  let broken: Server;
  let cut: Server;
  let slow: Server;
  let refusedUrl: string;
  /** Connections the hanging subgraph accepted, and how many of them the gateway has closed. */
  const held = { opened: 0, closed: 0 };

  beforeAll(async () => {
    // A port nobody listens on: bound, then let go.
    const probe = createNetServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    refusedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/graphql`;
    await new Promise((resolve) => probe.close(resolve));
    // Reads requests and never answers.
    hanging = createNetServer((socket) => {
      held.opened++;
      socket.on('close', () => held.closed++);
      socket.on('error', () => {});
      socket.resume();
    }).listen(0, '127.0.0.1');
    await once(hanging, 'listening');
    // Answers like a proxy whose upstream is gone, with a body that must stay out of every answer.
    broken = createServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream gone: internal-host-10-0-0-7 token=do-not-show');
    }).listen(0, '127.0.0.1');
    await once(broken, 'listening');
    // Promises a JSON answer of 1,000 bytes and dies after 20.
    cut = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"data":{"teams":{"n');
      setTimeout(() => res.socket?.destroy(), 20);
    }).listen(0, '127.0.0.1');
    await once(cut, 'listening');
    // Starts its answer at once and never finishes it.
    slow = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"data":{"services":');
    }).listen(0, '127.0.0.1');
    await once(slow, 'listening');
    gateway = await startTestGateway({
      subgraphUrls: {
        alerts: refusedUrl,
        tickets: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/graphql`,
        deployments: `http://127.0.0.1:${(broken.address() as AddressInfo).port}/graphql`,
        teams: `http://127.0.0.1:${(cut.address() as AddressInfo).port}/graphql`,
        services: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/graphql`,
      },
      env: { ...SIGNING, OPSORCH_REQUEST_TIMEOUT_MS: '1500' },
      logger: logs.logger,
    });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([hanging, broken, cut, slow].map((server) => server && new Promise((resolve) => server.close(resolve))));
  });

  it('answers the rest, and names the subgraph that is down and what to check, never its address', async () => {
    for (let i = 0; i < 2; i++) {
      const answer = await gql(gateway.url, '{ incidents(first: 1) { nodes { id } } alerts(first: 1) { nodes { id } } }');
      expect(answer.data.incidents.nodes).toHaveLength(1);
      expect(answer.data.alerts).toBeNull();
      expect(answer.errors).toHaveLength(1);
      expect(answer.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', capability: 'alerts', reason: 'SUBGRAPH_UNREACHABLE' });
      expect(answer.errors![0]!.message).toMatch(/The alerts subgraph is unreachable \(ECONNREFUSED\): check that `opsorch subgraph alerts` runs/);
      expect(JSON.stringify(answer)).not.toContain(new URL(refusedUrl).port);
    }
    // The log says once that it stopped answering, with its address; not once per request.
    const stopped = logs.lines.filter((line) => line.includes('subgraph stopped answering') && line.includes('"subgraph":"alerts"'));
    expect(stopped).toHaveLength(1);
    expect(stopped[0]).toContain(refusedUrl);
  });

  it('gives up on a subgraph that never answers at the request deadline, answers the rest, and closes its connection', async () => {
    const started = Date.now();
    const answer = await gql(gateway.url, '{ incidents(first: 1) { nodes { id } } tickets(first: 1) { nodes { id } } }');
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(answer.data.incidents.nodes).toHaveLength(1);
    expect(answer.data.tickets).toBeNull();
    expect(answer.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_TIMEOUT', capability: 'tickets', reason: 'SUBGRAPH_TIMEOUT' });
    expect(answer.errors![0]!.message).toContain('did not answer: no answer within 1500 ms (OPSORCH_REQUEST_TIMEOUT_MS)');
    await waitFor(() => held.opened > 0 && held.closed === held.opened);
    // The same when the answer began and never ended.
    const begun = await gql(gateway.url, '{ services(first: 1) { nodes { id } } }');
    expect(begun.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_TIMEOUT', capability: 'services', reason: 'SUBGRAPH_TIMEOUT' });
  });

  it('reports an HTTP error from the subgraph as its outage, without the body it sent', async () => {
    const answer = await gql(gateway.url, '{ deployments(first: 1) { nodes { id } } }');
    expect(answer.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', capability: 'deployments', reason: 'SUBGRAPH_HTTP_ERROR' });
    expect(answer.errors![0]!.message).toBe('The deployments subgraph answered HTTP 502.');
    expect(JSON.stringify(answer)).not.toMatch(/do-not-show|internal-host|127\.0\.0\.1/);
  });

  it('takes an answer cut off mid-body for an outage, never for half an answer', async () => {
    const answer = await gql(gateway.url, '{ incidents(first: 1) { nodes { id } } teams(first: 1) { nodes { id } } }');
    expect(answer.data.incidents.nodes).toHaveLength(1);
    expect(answer.data.teams).toBeNull();
    expect(answer.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', capability: 'teams', reason: 'SUBGRAPH_UNREACHABLE' });
  });
});
