import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/index.ts';
import { gql, spawnOpsOrch, startTestGateway } from './harness.ts';
import { apiKey, bearer, startIdentityProvider, startWebhook, tempDir, writeGatewayConfig } from './security-fixtures.ts';

const CREATE = 'mutation Open($input: CreateIncidentInput!, $key: String) { createIncident(input: $input, idempotencyKey: $key) { id title } }';

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('audit sinks', () => {
  let gateway: RunningGateway;
  let webhook: Awaited<ReturnType<typeof startWebhook>>;
  const ops = apiKey('ops', ['*']);
  let auditFile: string;

  beforeAll(async () => {
    webhook = await startWebhook();
    const dir = tempDir();
    auditFile = join(dir, 'audit.jsonl');
    const config = writeGatewayConfig({
      auth: { apiKeys: [ops.entry] },
      audit: {
        sinks: [
          { type: 'file', path: auditFile },
          { type: 'file', path: join(dir, 'no-such-dir', 'audit.jsonl') },
          { type: 'webhook', url: `${webhook.url}/audit`, batchSize: 2, timeoutMs: 300 },
        ],
      },
    });
    gateway = await startTestGateway({ env: { OPSORCH_CONFIG: config } });
  });
  afterAll(async () => {
    await gateway?.close();
    await webhook?.close();
  });

  it('writes every mutation and every denied request to the file and the webhook, but not plain reads', async () => {
    await gql(gateway.url, '{ incidents(first: 1) { nodes { id } } }', undefined, bearer(ops.key));
    const created = await gql(gateway.url, CREATE, { input: { title: 'Audit me', serviceId: 'checkout', severity: 'SEV4' }, key: 'audit-1' }, bearer(ops.key));
    expect(created.errors).toBeUndefined();
    await gql(gateway.url, '{ incidents(first: 1) { nodes { id } } }');
    // File sinks never make a request wait, so the last line may land just after its answer.
    await waitFor(() => existsSync(auditFile) && readFileSync(auditFile, 'utf8').trim().split('\n').length >= 2);
    const lines = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines.map((l) => [l.operation.name, l.outcome, l.status])).toEqual([
      ['Open', 'success', 200],
      [null, 'denied', 401],
    ]);
    expect(lines[0]).toMatchObject({ capabilities: ['incidents'], providers: ['incidents/demo'], variables: { key: 'audit-1' } });
    await waitFor(() => webhook.records().length >= 2);
    expect(webhook.records().map((r) => r.outcome)).toEqual(['success', 'denied']);
  });

  it('never lets a failing or hanging sink fail or slow a request, and delivers what it kept once the webhook is back', async () => {
    webhook.answer(500);
    const started = performance.now();
    for (let i = 0; i < 3; i++) {
      const answer = await gql(gateway.url, CREATE, { input: { title: `Webhook down ${i}`, serviceId: 'checkout', severity: 'SEV4' } }, bearer(ops.key));
      expect(answer.errors).toBeUndefined();
    }
    webhook.hangForever();
    const answer = await gql(gateway.url, CREATE, { input: { title: 'Webhook hangs', serviceId: 'checkout', severity: 'SEV4' } }, bearer(ops.key));
    expect(answer.errors).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

/** POSTs a query from a chosen loopback address (127.0.0.2 is another client to the gateway). */
function postFrom(url: string, localAddress: string, headers: Record<string, string>): Promise<{ status: number; retryAfter: string | undefined; body: any }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', ...headers } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, retryAfter: response.headers['retry-after'], body: JSON.parse(text) }));
    });
    request.on('error', reject);
    request.end(JSON.stringify({ query: '{ __typename }' }));
  });
}

describe('failed authentication', () => {
  let gateway: RunningGateway;
  let auditFile: string;
  const ops = apiKey('ops', ['*']);
  const lines = () => readFileSync(auditFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);

  beforeAll(async () => {
    const dir = tempDir();
    auditFile = join(dir, 'audit.jsonl');
    const config = writeGatewayConfig({
      auth: { apiKeys: [ops.entry], failureRateLimit: { requestsPerMinute: 6, burst: 5 } },
      audit: { sinks: [{ type: 'file', path: auditFile }], failureWindowSeconds: 1 },
    });
    gateway = await startTestGateway({ env: { OPSORCH_CONFIG: config } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('is rate-limited per client address, and audited as a line per window, not per attempt', async () => {
    const started = Date.now();
    const statuses: number[] = [];
    let limited: { retryAfter: string | undefined; body: any } | undefined;
    for (let i = 0; i < 30; i++) {
      const answer = await postFrom(gateway.url, '127.0.0.1', bearer(`oo_guess-${i}-0000000000000000000000`));
      statuses.push(answer.status);
      if (answer.status === 429) limited ??= answer;
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual(Array(25).fill(429));
    expect(Number(limited!.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(limited!.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'AUTHENTICATION_FAILURES' });
    expect(limited!.body.errors[0].message).toMatch(/Too many failed authentications from this address .* retry in \d+ s/);
    // The guessing address waits even with a valid key; another client is not affected.
    expect((await postFrom(gateway.url, '127.0.0.1', bearer(ops.key))).status).toBe(429);
    expect((await postFrom(gateway.url, '127.0.0.2', bearer(ops.key))).status).toBe(200);

    // Per address and reason, one line at once, then one line per window counting the rest: 31 refusals, a few lines.
    const counted = (status: number, reason: string) =>
      lines()
        .filter((l) => l.status === status && l.errors[0].reason === reason)
        .reduce((sum, l) => sum + (l.repeated ?? 1), 0);
    await waitFor(() => counted(401, 'API_KEY_UNKNOWN') === 5 && counted(429, 'AUTHENTICATION_FAILURES') === 26, 10_000);
    const audit = lines();
    // At most two lines per window for each of the two (status, reason) keys: however slow the run, not one per attempt.
    const windows = Math.ceil((Date.now() - started) / 1000) + 1;
    expect(audit.length).toBeLessThanOrEqual(Math.min(4 * windows, 30));
    expect(audit[0]).toMatchObject({ status: 401, outcome: 'denied', client: { ip: '127.0.0.1' }, errors: [{ code: 'UNAUTHENTICATED', reason: 'API_KEY_UNKNOWN' }] });
    const summary = audit.find((l) => l.repeated !== undefined)!;
    expect(summary).toMatchObject({ outcome: 'denied', client: { ip: '127.0.0.1' }, requestId: 'aggregated' });
    expect(Date.parse(summary.window.to)).toBeGreaterThanOrEqual(Date.parse(summary.window.from));
  });
});

/**
 * An upstream that answers 401 with everything it was sent: the request's headers in the body (as
 * `name=value` lines and URL-encoded), the way some tools' error pages do.
 */
async function startEchoingUpstream() {
  const server = createServer((req, res) => {
    const echoed = Object.entries(req.headers).map(([name, value]) => `${name}=${String(value)}`);
    res.writeHead(401, { 'content-type': 'text/plain' });
    res.end(`unauthorized request ${req.method} ${req.url}\n${echoed.join('\n')}\nraw=${encodeURIComponent(String(req.headers.authorization))}`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** POSTs raw bytes and returns status and body text, whatever the content. */
async function raw(url: string, init: RequestInit): Promise<{ status: number; text: string }> {
  const response = await fetch(url, init);
  return { status: response.status, text: await response.text() };
}

describe('secrets never reach a log or audit line', () => {
  it('finds none of the planted secrets in any output of a real `opsorch start`, with an upstream that echoes its credentials', async () => {
    const idp = await startIdentityProvider();
    const webhook = await startWebhook();
    const echo = await startEchoingUpstream();
    const dir = tempDir();
    const auditFile = join(dir, 'audit.jsonl');
    const agent = apiKey('planted-agent', ['*:read', 'incidents:write'], { actor: 'agent' });
    const readOnly = apiKey('planted-reader', ['*:read']);
    const secrets = {
      apiKey: agent.key,
      readerKey: readOnly.key,
      webhookToken: 'whk_planted_4f1d2c9a8b7e6d5c',
      wrongKey: 'oo_planted-wrong-key-9a8b7c6d5e4f3a2b1c0d',
      password: 'hunter2-planted-password',
      variableToken: 'tok_planted_variable_7d6c5b4a',
      bearerInText: 'planted-bearer-in-free-text-0c1d2e3f',
      upstreamPassword: 'planted-upstream-password-5e6f7a8b',
      upstreamBasic: Buffer.from('opsorch-reader:planted-upstream-password-5e6f7a8b').toString('base64'),
      upstreamBasicUrlEncoded: encodeURIComponent(Buffer.from('opsorch-reader:planted-upstream-password-5e6f7a8b').toString('base64')),
      upstreamToken: 'planted-upstream-bearer-9c8d7e6f5a4b',
      jwt: '',
      expiredJwt: '',
    };
    secrets.jwt = await idp.sign({ sub: 'maya', scope: 'incidents:write' });
    secrets.expiredJwt = await idp.sign({ sub: 'maya', scope: 'incidents:write' }, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const config = writeGatewayConfig(
      {
        auth: { apiKeys: [agent.entry, readOnly.entry], jwt: { jwksUrl: idp.jwksUrl, issuer: idp.issuer, audience: idp.audience } },
        audit: {
          reads: true,
          sinks: [
            { type: 'stdout' },
            { type: 'file', path: auditFile },
            { type: 'webhook', url: `${webhook.url}/audit`, headers: { authorization: 'secret://env/AUDIT_WEBHOOK_TOKEN' } },
          ],
        },
      },
      dir,
    );
    const server = await spawnOpsOrch(['start', '--port', '0', '--host', '127.0.0.1'], {
      OPSORCH_CONFIG: config,
      OPSORCH_CONSOLE: 'off',
      OPSORCH_LOG_LEVEL: 'debug',
      AUDIT_WEBHOOK_TOKEN: secrets.webhookToken,
      // Metrics from a Prometheus and alerts from an Alertmanager that both echo what they were sent.
      OPSORCH_METRICS_PROVIDER: 'prometheus',
      OPSORCH_METRICS_CONFIG: JSON.stringify({ url: echo.url, auth: { username: 'opsorch-reader', password: 'secret://env/ECHO_PASSWORD' } }),
      OPSORCH_ALERTS_PROVIDER: 'alertmanager',
      OPSORCH_ALERTS_CONFIG: JSON.stringify({ url: echo.url, auth: { bearerToken: 'secret://env/ECHO_TOKEN' } }),
      ECHO_PASSWORD: secrets.upstreamPassword,
      ECHO_TOKEN: secrets.upstreamToken,
    });
    const answers: string[] = [];
    try {
      const variables = {
        input: { title: `Token leak drill: Bearer ${secrets.bearerInText}`, serviceId: 'checkout', severity: 'SEV4' },
        password: secrets.password,
        apiToken: secrets.variableToken,
      };
      expect((await gql(server.url, CREATE, variables, bearer(secrets.apiKey))).errors).toBeUndefined();
      expect((await gql(server.url, CREATE, variables, { ...bearer(secrets.jwt), 'x-opsorch-actor': 'agent:claude' })).errors).toBeUndefined();
      expect((await gql(server.url, CREATE, variables, bearer(secrets.readerKey))).status).toBe(403);
      expect((await gql(server.url, CREATE, variables, bearer(secrets.wrongKey))).status).toBe(401);
      expect((await gql(server.url, CREATE, variables, bearer(secrets.expiredJwt))).status).toBe(401);
      expect((await gql(server.url, CREATE, variables, { 'x-api-key': secrets.wrongKey })).status).toBe(401);
      expect((await gql(server.url, '{ incidents(first: 1) { nodes { id } } }', { token: secrets.variableToken }, bearer(secrets.apiKey))).errors).toBeUndefined();
      // The echoing upstream answers 401 to every call: the error, the failed list and the provider status page.
      const failing = await gql(
        server.url,
        'query Echo { metricSeries(query: { name: "http_requests_total" }) { query } alerts(first: 5) { nodes { id } providerErrors { message } } }',
        undefined,
        bearer(secrets.apiKey),
      );
      expect(failing.errors?.[0]?.extensions).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', provider: 'prometheus' });
      const status = await gql(server.url, '{ providers { instance health lastError { code message } } }', undefined, bearer(secrets.apiKey));
      expect(status.data.providers.filter((p: { health: string }) => p.health === 'DOWN').length).toBe(2);
      answers.push(JSON.stringify(failing), JSON.stringify(status));
      // Upstream bodies never reach a client, not even scrubbed.
      expect(JSON.stringify([failing, status])).not.toMatch(/unauthorized request|authorization=/);

      // Error responses outside GraphQL are OpsOrch's own: no stack, no path.
      const base = server.url.replace(/\/graphql$/, '');
      const probes = [
        await raw(server.url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', ...bearer(secrets.apiKey) }, body: 'not gzip at all' }),
        await raw(`${base}/assets/..%2f..%2fpackage.json`, { headers: { accept: 'text/html' } }),
        await raw(`${base}/assets/missing-0123.js`, {}),
      ];
      expect(probes.map((p) => p.status)).toEqual([400, 404, 404]);
      expect(JSON.parse(probes[0]!.text).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_BODY' });
      for (const probe of probes) {
        expect(probe.text).not.toMatch(/\n\s+at |node_modules|\/work\/|\/app\/|incorrect header check/);
        answers.push(probe.text);
      }
      // The second unknown key from this address waits for its window's summary line.
      await waitFor(() => webhook.records().length >= 7, 10_000);
      expect(webhook.bodies.length).toBeGreaterThan(0);
    } finally {
      await server.stop();
      await idp.close();
      await webhook.close();
      await echo.close();
    }
    const stdout = server.output.join('');
    const audit = existsSync(auditFile) ? readFileSync(auditFile, 'utf8') : '';
    const webhookBodies = webhook.bodies.join('\n');
    const responses = answers.join('\n');
    // The echoed body did reach the server log, scrubbed: the detail is kept for whoever runs OpsOrch.
    expect(stdout).toContain('unauthorized request');
    // The audit did happen everywhere (so finding nothing means something).
    for (const text of [stdout, audit, webhookBodies]) {
      expect(text).toContain('"type":"audit"');
      expect(text).toContain('"outcome":"denied"');
      expect(text).toContain('"onBehalfOf":"user:maya"');
      expect(text).toContain('[REDACTED]');
    }
    for (const [name, secret] of Object.entries(secrets)) {
      for (const [where, text] of Object.entries({ stdout, audit, webhookBodies, responses })) {
        expect(text.includes(secret), `${name} found in ${where}`).toBe(false);
      }
    }
  });
});
