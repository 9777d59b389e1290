// The Alertmanager adapter through the real gateway against a contract fake of Alertmanager's API v2
// (../shared/vendor-api/alertmanager.openapi.json): every request it sends must be one Alertmanager accepts, and
// every answer served here matches the spec. prometheus.e2e.ts runs the same adapter against the real server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { gql, startTestGateway } from '../../gateway/test/harness.ts';
import { startContractFake, type ContractFake, type FakeReply } from '../kit/contract-fake.ts';

const NOW = Date.now();
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

function alert(name: string, labels: Record<string, string>, fingerprint: string, silencedBy: string[] = []) {
  return {
    labels: { alertname: name, ...labels },
    annotations: { summary: `${name} on ${labels.service ?? 'nothing'}` },
    startsAt: iso(-600_000),
    endsAt: iso(3_600_000),
    updatedAt: iso(-60_000),
    fingerprint,
    generatorURL: `http://prometheus.example/graph?g0.expr=${name}`,
    receivers: [{ name: 'oncall' }],
    status: { state: silencedBy.length > 0 ? 'suppressed' : 'active', silencedBy, inhibitedBy: [] as string[], mutedBy: [] as string[] },
  };
}

const SILENCE_ID = '6d2b9a4e-1f0c-4c55-9a51-3c8a0f2d7e11';
const EARLIER_SILENCE_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

let fake: ContractFake;
let gateway: RunningGateway;
let mode: 'ok' | 'unauthorized' | 'rate-limited' = 'ok';
const alerts = [
  alert('CheckoutErrorRate', { service: 'checkout', severity: 'critical', env: 'production' }, 'a1b2c3d4e5f60718'),
  alert('DiskFilling', { service: 'legacy-batch', severity: 'warning', env: 'production' }, 'f0e1d2c3b4a59687'),
];
const silences = [
  {
    id: EARLIER_SILENCE_ID,
    status: { state: 'active' },
    updatedAt: iso(-120_000),
    annotations: {},
    matchers: Object.entries(alerts[0]!.labels).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
    startsAt: iso(-120_000),
    endsAt: iso(600_000),
    createdBy: 'Someone (via OpsOrch)',
    comment: 'earlier',
  },
];

/** Failure modes the test turns on, as Alertmanager behind an auth proxy would answer. */
function failureReply(): FakeReply | null {
  if (mode === 'unauthorized') return { status: 401, raw: 'Unauthorized: token tok-proxy-secret expired' };
  if (mode === 'rate-limited') return { status: 429, raw: 'slow down', headers: { 'retry-after': '30' } };
  return null;
}

beforeAll(async () => {
  fake = await startContractFake({ spec: 'alertmanager.openapi.json', vendor: 'Alertmanager', basePath: '/api/v2' });
  fake
    .on('GET /alerts', () => failureReply() ?? { body: alerts })
    .on('GET /silences', () => ({ body: silences }))
    .on('POST /silences', (request) => {
      const posted = request.body as { matchers: unknown[]; startsAt: string; endsAt: string; createdBy: string; comment: string };
      silences.push({ ...posted, id: SILENCE_ID, status: { state: 'active' }, updatedAt: iso(0), annotations: {} } as (typeof silences)[number]);
      alerts[0]!.status = { state: 'suppressed', silencedBy: [SILENCE_ID], inhibitedBy: [], mutedBy: [] };
      return { body: { silenceID: SILENCE_ID } };
    })
    .on('DELETE /silence/{silenceID}', (request) => {
      const silence = silences.find((s) => s.id === request.params.silenceID);
      if (!silence) return { status: 404 };
      silence.status = { state: 'expired' };
      return { status: 200 };
    });
  gateway = await startTestGateway({
    env: { OPSORCH_ALERTS_PROVIDER: 'am=alertmanager', OPSORCH_ALERTS_CONFIG: JSON.stringify({ url: fake.origin, externalUrl: 'https://alertmanager.example' }) },
  });
}, 60_000);

afterEach(() => {
  mode = 'ok';
  fake.verify();
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

describe('Alertmanager adapter against the contract fake', () => {
  it('lists alerts with severities and catalog services, asking with the parameters the API takes', async () => {
    const body = await gql(gateway.url, `{ alerts(first: 10) { nodes { id name state rawState severity rawSeverity url service { id } } providerErrors { code } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.alerts.nodes).toEqual([
      expect.objectContaining({ id: 'am:a1b2c3d4e5f60718', name: 'CheckoutErrorRate', state: 'FIRING', severity: 'SEV2', rawSeverity: 'critical', service: { id: 'checkout' } }),
      expect.objectContaining({ id: 'am:f0e1d2c3b4a59687', name: 'DiskFilling', severity: 'SEV3', service: null }),
    ]);
    expect(body.data.alerts.nodes[0].url).toMatch(/^https:\/\/alertmanager\.example\/#\/alerts\?silenced=true/);
    const asked = fake.requests.find((r) => r.route === 'GET /alerts')!;
    expect(Object.fromEntries(asked.query)).toEqual({ active: 'true', silenced: 'true', inhibited: 'true', unprocessed: 'true' });
  });

  it('silences an alert with a silence the API accepts, then expires the earlier one OpsOrch made', async () => {
    const body = await gql(gateway.url, `mutation { silenceAlert(id: "am:a1b2c3d4e5f60718", duration: "2h", comment: "deploy in progress") { state silencedUntil silenceComment } }`, undefined, {
      'x-opsorch-actor': 'user:alex@acme-shop.example',
    });
    expect(body.errors).toBeUndefined();
    expect(body.data.silenceAlert).toMatchObject({ state: 'SILENCED', silenceComment: 'deploy in progress' });
    const posted = fake.requests.find((r) => r.route === 'POST /silences')!.body as Record<string, unknown>;
    expect(posted).toMatchObject({ comment: 'deploy in progress', createdBy: expect.stringContaining('(via OpsOrch)') });
    expect(Date.parse(posted.endsAt as string) - Date.parse(posted.startsAt as string)).toBe(2 * 3_600_000);
    expect(fake.requests.filter((r) => r.route === 'DELETE /silence/{silenceID}').map((r) => r.params.silenceID)).toEqual([EARLIER_SILENCE_ID]);
  });

  it('maps a refusal to PROVIDER_AUTH_FAILED and a 429 to PROVIDER_RATE_LIMITED with retryAfter, never showing the answer', async () => {
    mode = 'unauthorized';
    const refused = await gql(gateway.url, `{ alerts { nodes { id } } }`);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', capability: 'alerts', provider: 'am' });
    expect(refused.errors![0]!.message).not.toContain('tok-proxy-secret');
    mode = 'rate-limited';
    const limited = await gql(gateway.url, `{ alerts { nodes { id } } }`);
    expect(limited.errors![0]!.extensions).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', provider: 'am', retryAfter: 30 });
  });
});
