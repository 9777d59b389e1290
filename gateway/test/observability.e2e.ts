import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, startSubgraphServer, type GatewayOptions, type RunningGateway } from '../src/index.ts';
import { subgraphSigning } from './security-fixtures.ts';
import { controlled, type Control } from './controlled-provider.ts';
import { captureLogs, gql, startTestGateway } from './harness.ts';

const SERVICES_WITH_HEALTH = `query ServicesWithHealth { services(first: 3) { nodes { id name health { status } } } }`;

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

async function gatewayWith(options: GatewayOptions = {}): Promise<RunningGateway> {
  const gateway = await startGateway({ port: 0, host: '127.0.0.1', env: {}, logger: captureLogs().logger, ...options });
  stops.push(() => gateway.close());
  return gateway;
}

function control(mode: Control['mode'] = { kind: 'ok' }): Control {
  return { mode, calls: {} };
}

async function scrape(gateway: RunningGateway) {
  const response = await fetch(new URL('/metrics', gateway.url));
  return { contentType: response.headers.get('content-type'), text: await response.text() };
}

/** The value of one series, matched by name and a subset of its labels; null when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | null {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...match[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return null;
}

describe('/metrics', () => {
  it('exposes requests and latency per operation, provider calls, latency and errors, cache hits and circuit state', async () => {
    const alerts = control({ kind: 'fail' });
    const gateway = await gatewayWith({
      env: { OPSORCH_ALERTS_PROVIDER: 'ctl', OPSORCH_PROVIDER_READ_ATTEMPTS: '2', OPSORCH_PROVIDER_BACKOFF_MS: '1', OPSORCH_BREAKER_FAILURES: '4' },
      extraProviders: { ctl: controlled(alerts) },
    });
    await gql(gateway.url, SERVICES_WITH_HEALTH);
    await gql(gateway.url, SERVICES_WITH_HEALTH);
    await gql(gateway.url, `query JustServices { services(first: 2) { nodes { id } } }`);

    const { contentType, text } = await scrape(gateway);
    expect(contentType).toMatch(/^text\/plain;.*version=0\.0\.4/);
    // Every line is a comment or `name{labels} value` (the exposition format Prometheus parses).
    for (const line of text.split('\n').filter(Boolean)) expect(line).toMatch(/^(# (HELP|TYPE) \S+ .*|[a-zA-Z_:][\w:]*(\{.*\})? [-+\d.eEInfNa]+)$/);

    expect(sample(text, 'opsorch_graphql_requests_total', { operation: 'ServicesWithHealth', type: 'query', result: 'partial' })).toBe(2);
    expect(sample(text, 'opsorch_graphql_requests_total', { operation: 'JustServices', type: 'query', result: 'ok' })).toBe(1);
    expect(sample(text, 'opsorch_graphql_request_duration_seconds_count', { operation: 'ServicesWithHealth', type: 'query' })).toBe(2);
    expect(sample(text, 'opsorch_graphql_request_duration_seconds_bucket', { operation: 'JustServices', le: '+Inf' })).toBe(1);
    // One error per service whose health is missing: three services, twice.
    expect(sample(text, 'opsorch_graphql_errors_total', { code: 'PROVIDER_UNAVAILABLE' })).toBe(6);

    expect(sample(text, 'opsorch_provider_calls_total', { capability: 'services', provider: 'demo', method: 'query', result: 'ok' })).toBe(3);
    expect(sample(text, 'opsorch_provider_call_duration_seconds_count', { capability: 'services', provider: 'demo', method: 'query' })).toBe(3);
    expect(
      sample(text, 'opsorch_provider_calls_total', { capability: 'alerts', provider: 'ctl', method: 'healthOfServices', result: 'PROVIDER_UNAVAILABLE' }),
    ).toBe(2);
    expect(sample(text, 'opsorch_provider_errors_total', { capability: 'alerts', provider: 'ctl', code: 'PROVIDER_UNAVAILABLE' })).toBe(2);
    expect(sample(text, 'opsorch_provider_retries_total', { capability: 'alerts', provider: 'ctl', code: 'PROVIDER_UNAVAILABLE' })).toBe(2);
    // Two calls of two attempts each: four consecutive failures opened the circuit.
    expect(sample(text, 'opsorch_provider_circuit_state', { capability: 'alerts', provider: 'ctl', state: 'open' })).toBe(1);
    expect(sample(text, 'opsorch_provider_circuit_state', { capability: 'alerts', provider: 'ctl', state: 'closed' })).toBe(0);
    expect(sample(text, 'opsorch_provider_circuit_state', { capability: 'services', provider: 'demo', state: 'closed' })).toBe(1);
    expect(sample(text, 'opsorch_provider_circuit_transitions_total', { capability: 'alerts', provider: 'ctl', state: 'open' })).toBe(1);
    // The second identical operation found its subgraph documents cached.
    expect(sample(text, 'opsorch_cache_lookups_total', { cache: 'subgraph_document', result: 'hit' })).toBeGreaterThan(0);
    expect(sample(text, 'opsorch_cache_lookups_total', { cache: 'provider_inflight', result: 'miss' })).toBeGreaterThan(0);
    expect(sample(text, 'opsorch_http_responses_total', { route: '/graphql', method: 'POST', status: '200' })).toBe(3);
    expect(text).toMatch(/^process_cpu_seconds_total\{component="gateway"\} /m);
  });
});

describe('traces', () => {
  const exporter = new InMemorySpanExporter();
  afterEach(() => exporter.reset());

  const byId = (spans: ReadableSpan[]) => new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
  const ancestors = (span: ReadableSpan, index: Map<string, ReadableSpan>) => {
    const names: string[] = [];
    for (let at = index.get(parentOf(span) ?? ''); at; at = index.get(parentOf(at) ?? '')) names.push(at.name);
    return names;
  };

  it('span gateway → subgraph fetch → provider call in one trace, continuing the caller’s traceparent', async () => {
    const gateway = await gatewayWith({ traceExporter: exporter });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const body = await gql(gateway.url, `{ incidents(first: 1) { nodes { title service { id owner { name } } } } }`, undefined, {
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect(body.errors).toBeUndefined();
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const index = byId(spans);
    const server = spans.find((s) => s.name === 'POST /graphql')!;
    expect(server).toBeDefined();
    expect(parentOf(server)).toBe('00f067aa0ba902b7');
    expect(spans.some((s) => s.name === 'gateway.request')).toBe(true);

    const providerSpans = spans.filter((s) => s.name.startsWith('provider '));
    expect(providerSpans.map((s) => s.name)).toEqual(expect.arrayContaining(['provider incidents.query', 'provider services.getMany']));
    for (const span of providerSpans) {
      expect(span.attributes).toMatchObject({ 'opsorch.provider': 'demo', 'opsorch.write': false, 'opsorch.attempts': 1 });
      expect(ancestors(span, index)).toEqual(expect.arrayContaining(['gateway.fetch', 'gateway.request', 'POST /graphql']));
    }
  });

  it('crosses into a subgraph running in its own server through W3C traceparent', async () => {
    const signing = subgraphSigning();
    const subgraph = await startSubgraphServer({ name: 'teams', port: 0, host: '127.0.0.1', env: signing.env, logger: captureLogs().logger, traceExporter: exporter });
    stops.push(() => subgraph.close());
    const gateway = await gatewayWith({ traceExporter: exporter, subgraphUrls: { teams: subgraph.url }, env: signing.env });
    const body = await gql(gateway.url, `{ incidents(first: 1) { nodes { service { owner { name } } } } }`);
    expect(body.errors).toBeUndefined();
    const spans = exporter.getFinishedSpans();
    const teamsCall = spans.find((s) => s.name.startsWith('provider teams.'))!;
    expect(teamsCall).toBeDefined();
    const trace = spans.filter((s) => s.spanContext().traceId === teamsCall.spanContext().traceId);
    const chain = ancestors(teamsCall, byId(trace));
    expect(chain[0]).toBe('POST /graphql');
    expect(byId(trace).get(parentOf(teamsCall)!)!.attributes['opsorch.server']).toBe('subgraph teams');
    expect(chain).toEqual(expect.arrayContaining(['gateway.fetch', 'gateway.request']));
    expect(chain.at(-1)).toBe('POST /graphql');
  });

  it('a failed provider call is an error span with its code', async () => {
    const alerts = control({ kind: 'fail' });
    const gateway = await gatewayWith({
      traceExporter: exporter,
      env: { OPSORCH_ALERTS_PROVIDER: 'ctl', OPSORCH_PROVIDER_READ_ATTEMPTS: '1' },
      extraProviders: { ctl: controlled(alerts) },
    });
    await gql(gateway.url, SERVICES_WITH_HEALTH);
    const failed = exporter.getFinishedSpans().find((s) => s.name === 'provider alerts.healthOfServices')!;
    expect(failed.status.code).toBe(2);
    expect(failed.attributes['opsorch.error.code']).toBe('PROVIDER_UNAVAILABLE');
  });

  it('exports over OTLP/HTTP when OPSORCH_TRACING=otlp', async () => {
    const received: { path: string; body: string }[] = [];
    const collector = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk) => (body += String(chunk)));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    collector.listen(0, '127.0.0.1');
    await once(collector, 'listening');
    stops.push(async () => void collector.close());
    const { port } = collector.address() as AddressInfo;
    const gateway = await startTestGateway({
      env: { OPSORCH_TRACING: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: 'opsorch-test' },
    });
    await gql(gateway.url, `{ services(first: 1) { nodes { id } } }`);
    await gateway.close(); // flushes the batch
    expect(received.length).toBeGreaterThan(0);
    expect(received[0]!.path).toBe('/v1/traces');
    const all = received.map((r) => r.body).join('\n');
    expect(all).toContain('provider services.query');
    // The first server of a process names the service (here an earlier test's); OTEL_SERVICE_NAME when set first.
    expect(all).toContain('"key":"service.name"');
  });

  it('refuses a tracing mode it does not know, naming the variable', async () => {
    await expect(startTestGateway({ env: { OPSORCH_TRACING: 'jaeger' } })).rejects.toThrow(/OPSORCH_TRACING: expected "off" or "otlp", got "jaeger"/);
  });
});

describe('logs', () => {
  it('every line written while serving a request carries its request id, which the response echoes', async () => {
    const logs = captureLogs();
    const alerts = control({ kind: 'fail' });
    const gateway = await gatewayWith({
      env: { OPSORCH_ALERTS_PROVIDER: 'ctl', OPSORCH_PROVIDER_BACKOFF_MS: '1' },
      extraProviders: { ctl: controlled(alerts) },
      logger: logs.logger,
    });
    const before = logs.lines.length;
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-obs-42' },
      body: JSON.stringify({ query: SERVICES_WITH_HEALTH }),
    });
    expect(response.headers.get('x-request-id')).toBe('req-obs-42');
    await response.text();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const during = logs.lines.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(during.map((l) => l.msg)).toEqual(expect.arrayContaining(['provider call failed', 'retrying provider read', 'request']));
    for (const line of during) expect(line.requestId).toBe('req-obs-42');
    const access = during.find((l) => l.msg === 'request')!;
    expect(access).toMatchObject({ method: 'POST', path: '/graphql', status: 200 });
    expect(access.durationMs).toEqual(expect.any(Number));
  });

  it('one access line per request, and a client that left before its answer is logged once, as disconnected', async () => {
    const logs = captureLogs();
    const alerts = control({ kind: 'hang' });
    const gateway = await gatewayWith({ env: { OPSORCH_ALERTS_PROVIDER: 'ctl' }, extraProviders: { ctl: controlled(alerts) }, logger: logs.logger });
    const access = () => logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'request');
    const post = (id: string, query: string, signal?: AbortSignal) =>
      fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: JSON.stringify({ query }), signal });
    await (await post('req-done', 'query JustServices { services(first: 2) { nodes { id } } }')).text();
    const left = new AbortController();
    const hanging = post('req-left', 'query Alerts { alerts(first: 2) { nodes { id } } }', left.signal).catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 200));
    left.abort();
    expect(await hanging).toBe('aborted');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(access().map((line) => [line.requestId, line.status, line.disconnected ?? false])).toEqual([
      ['req-done', 200, false],
      ['req-left', 200, true],
    ]);
  });

  it('an unexpected error is logged with the request id the client was told to quote, and only its code reaches the client', async () => {
    const logs = captureLogs();
    const alerts = control({ kind: 'malformed' });
    const gateway = await gatewayWith({ env: { OPSORCH_ALERTS_PROVIDER: 'ctl' }, extraProviders: { ctl: controlled(alerts) }, logger: logs.logger });
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-obs-bug' },
      body: JSON.stringify({ query: '{ alerts(first: 2) { nodes { id state } } }' }),
    });
    const body = (await response.json()) as { errors?: { message: string; extensions: { code: string } }[] };
    expect(body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/logged with the request id/), extensions: { code: 'INTERNAL' } });
    expect(response.headers.get('x-request-id')).toBe('req-obs-bug');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const logged = logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'unexpected error');
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect(line).toMatchObject({ requestId: 'req-obs-bug', err: expect.stringMatching(/NOT_A_VALUE/) });
  });

  it('an unusable request id is replaced by a fresh one', async () => {
    const gateway = await gatewayWith();
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'bad id\twith spaces' },
      body: JSON.stringify({ query: '{ services(first: 1) { nodes { id } } }' }),
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('/healthz and /readyz', () => {
  it('live and ready, listing each provider with its circuit', async () => {
    const gateway = await gatewayWith();
    const live = await fetch(new URL('/healthz', gateway.url));
    expect(live.status).toBe(200);
    const ready = await fetch(new URL('/readyz', gateway.url));
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; supergraph: { loaded: boolean; generation: number }; providers: { capability: string; circuit: string }[] };
    expect(body.status).toBe('ready');
    expect(body.supergraph).toMatchObject({ loaded: true, generation: 1 });
    expect(body.providers).toContainEqual(expect.objectContaining({ capability: 'incidents', instance: 'demo', status: 'UP', circuit: 'closed' }));
  });

  it('an unreachable provider makes the gateway not ready, naming it — unless readiness only reports providers', async () => {
    const alerts: Control = { mode: { kind: 'ok' }, calls: {}, health: 'down' };
    const gateway = await gatewayWith({ env: { OPSORCH_ALERTS_PROVIDER: 'ctl' }, extraProviders: { ctl: controlled(alerts) } });
    const notReady = await fetch(new URL('/readyz', gateway.url));
    expect(notReady.status).toBe(503);
    const body = (await notReady.json()) as { reasons: string[] };
    expect(body.reasons).toEqual(['alerts provider ctl is unreachable: PROVIDER_UNAVAILABLE']);

    const reporting = await gatewayWith({
      env: { OPSORCH_ALERTS_PROVIDER: 'ctl', OPSORCH_READYZ_PROVIDERS: 'report' },
      extraProviders: { ctl: controlled(alerts) },
    });
    const ready = await fetch(new URL('/readyz', reporting.url));
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { providers: unknown[] }).providers).toContainEqual(
      expect.objectContaining({ capability: 'alerts', instance: 'ctl', status: 'DOWN' }),
    );
  });
});
