// An OpsOrch Core plugin (testdata/core-plugin.mjs, written in Core's protocol) run unchanged as a provider:
// through the gateway for every capability, and on its own for timeouts, the concurrency limit, restarts,
// stderr, malformed answers and error codes.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogs, gql, startTestGateway } from '../../gateway/test/harness.ts';
import type { RunningGateway } from '../../gateway/src/index.ts';
import { silentLogger, type ProviderContext } from '../src/context.ts';
import { OpsOrchError } from '../src/errors.ts';
import type { IncidentProvider } from '../src/spi/incidents.ts';
import type { ServiceProvider } from '../src/spi/services.ts';
import type { TeamProvider } from '../src/spi/teams.ts';
import { CorePlugin, corePlugin } from './index.ts';

const PLUGIN = join(import.meta.dirname, 'testdata', 'core-plugin.mjs');
const TOKEN = 'core-plugin-test-token';
const settings = (extra: Record<string, unknown> = {}) => ({ command: process.execPath, args: [PLUGIN], config: { token: TOKEN }, ...extra });

function ctx(signal = new AbortController().signal): ProviderContext {
  return { signal, logger: silentLogger, actor: { kind: 'user', id: 'maya.patel@acme-shop.example' }, requestId: crypto.randomUUID(), now: new Date() };
}

let gateway: RunningGateway | undefined;
const open: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  await Promise.all(open.splice(0).map((p) => p.close()));
});

function provider<T>(capability: keyof typeof corePlugin.factories, extra: Record<string, unknown> = {}, instance = 'core'): T & { close(): Promise<void> } {
  const factory = corePlugin.factories[capability] as unknown as (s: Record<string, unknown>, d: unknown) => T & { close(): Promise<void> };
  const built = factory(settings(extra), { instance, kind: 'core-plugin', logger: silentLogger, timeoutMs: 5_000 });
  open.push(built);
  return built;
}

async function failure(promise: Promise<unknown>): Promise<OpsOrchError> {
  try {
    await promise;
  } catch (error) {
    return error as OpsOrchError;
  }
  throw new Error('expected a failure');
}

describe('a Core plugin binary behind the gateway', () => {
  it('serves incidents, alerts, logs, metrics, tickets, messages, deployments and runbooks, joined to the catalog, with writes', async () => {
    const logs = captureLogs();
    // The plugin calls the search service `search-svc`; the catalog knows it as `search`.
    const config = () => JSON.stringify({ ...settings(), config: { token: 'secret://env/CORE_PLUGIN_TOKEN' }, serviceAliases: { 'search-svc': 'search' } });
    const env: Record<string, string> = { CORE_PLUGIN_TOKEN: TOKEN };
    for (const capability of ['INCIDENTS', 'ALERTS', 'LOGS', 'METRICS', 'TICKETS', 'MESSAGING', 'DEPLOYMENTS', 'ORCHESTRATION']) {
      env[`OPSORCH_${capability}_PROVIDER`] = 'core=core-plugin';
      env[`OPSORCH_${capability}_CONFIG`] = config();
    }
    gateway = await startTestGateway({ env, logger: logs.logger });

    const list = await gql(gateway.url, '{ incidents(first: 10) { nodes { id number title status rawStatus severity rawSeverity service { id name owner { id } } assignee { email } url } providerErrors { code } } }');
    expect(list.errors).toBeUndefined();
    expect(list.data.incidents.nodes).toEqual([
      { id: 'core:INC-8', number: 8, title: 'Search index lagging', status: 'TRIGGERED', rawStatus: 'triggered', severity: 'SEV4', rawSeverity: 'sev4', service: { id: 'search', name: expect.any(String), owner: { id: expect.any(String) } }, assignee: null, url: 'https://tracker.example/INC-8' },
      expect.objectContaining({ id: 'core:INC-7', number: 7, status: 'ACKNOWLEDGED', rawStatus: 'investigating', severity: 'SEV1', rawSeverity: 'critical', service: expect.objectContaining({ id: 'checkout', name: 'Checkout' }) }),
      expect.objectContaining({ id: 'core:INC-3', status: 'RESOLVED', severity: 'SEV4', service: null }),
    ]);

    const opened = await gql(gateway.url, 'mutation { createIncident(input: { title: "Cart errors", serviceId: "checkout", severity: SEV2 }) { id status severity service { id } } }');
    expect(opened.errors).toBeUndefined();
    const id = opened.data.createIncident.id as string;
    expect(opened.data.createIncident).toMatchObject({ status: 'TRIGGERED', severity: 'SEV2', service: { id: 'checkout' } });
    const acked = await gql(gateway.url, `mutation { acknowledgeIncident(id: "${id}") { status } }`);
    expect(acked.data.acknowledgeIncident.status).toBe('ACKNOWLEDGED');
    await gql(gateway.url, `mutation { addIncidentNote(incidentId: "${id}", body: "Rolled back") { id } }`, undefined, { 'x-opsorch-actor': 'user:maya.patel@acme-shop.example' });
    const resolved = await gql(gateway.url, `mutation { resolveIncident(id: "${id}", resolution: "rollback done") { status timeline(first: 10, order: OLDEST_FIRST) { nodes { kind rawKind message actor { email } } } } }`);
    expect(resolved.data.resolveIncident.status).toBe('RESOLVED');
    expect(resolved.data.resolveIncident.timeline.nodes).toEqual([
      { kind: 'NOTE', rawKind: 'note', message: 'Rolled back', actor: { email: 'maya.patel@acme-shop.example' } },
      { kind: 'RESOLVED', rawKind: 'resolved', message: 'rollback done', actor: null },
    ]);

    const rest = await gql(
      gateway.url,
      `{ alerts(first: 5) { nodes { id name state severity service { id } } }
         logs(query: { scope: { service: "checkout" }, levels: [ERROR], text: "timeout" }, range: { from: "now-1h" }, first: 3) { nodes { level message service { id } fields { key value } } pageInfo { hasNextPage } }
         metricDescriptors { nodes { name type unit } }
         metricSeries(query: { name: "http_requests_total", scope: { service: "checkout" } }, range: { from: "now-30m" }, step: "5m") { series { name points { value } } }
         tickets(first: 5) { nodes { id key status rawStatus priority service { id } incident { id title } } }
         deployments(filter: { scope: { service: "checkout" } }, first: 5) { nodes { id version status finishedAt commit { shortSha } author { email } } }
         runbooks(first: 5) { nodes { id name services { id } steps { id kind dependsOn } } }
         runbookRuns(first: 5) { nodes { id status runbook { name } steps { step { id } status } } } }`,
    );
    expect(rest.errors).toBeUndefined();
    expect(rest.data.alerts.nodes).toEqual([
      { id: 'core:AL-2', name: 'DiskFilling', state: 'ACKNOWLEDGED', severity: 'SEV3', service: { id: 'media-storage' } },
      { id: 'core:AL-1', name: 'HighLatency', state: 'FIRING', severity: 'SEV1', service: { id: 'checkout' } },
    ]);
    expect(rest.data.logs.nodes).toHaveLength(3);
    expect(rest.data.logs.pageInfo.hasNextPage).toBe(true);
    expect(rest.data.logs.nodes[0]).toMatchObject({ level: 'ERROR', service: { id: 'checkout' } });
    expect(rest.data.logs.nodes[0].message).toContain('timeout');
    expect(rest.data.metricDescriptors.nodes).toEqual([{ name: 'http_requests_total', type: 'COUNTER', unit: 'requests' }]);
    expect(rest.data.metricSeries.series[0].points.length).toBeGreaterThan(3);
    expect(rest.data.tickets.nodes[0]).toMatchObject({ key: 'OPS-1', status: 'TODO', rawStatus: 'To Do', priority: 'HIGH', service: { id: 'checkout' }, incident: { id: 'core:INC-7', title: 'Checkout latency above SLO' } });
    expect(rest.data.deployments.nodes).toEqual([
      { id: 'core:DEP-3', version: '2.14.1', status: 'IN_PROGRESS', finishedAt: null, commit: null, author: null },
      { id: 'core:DEP-2', version: '2.14.0', status: 'SUCCEEDED', finishedAt: expect.any(String), commit: { shortSha: '2e45316' }, author: { email: 'jonas.weber@acme-shop.example' } },
    ]);
    expect(rest.data.runbooks.nodes[0]).toEqual({
      id: 'core:PLAN-1',
      name: 'Roll back a bad deploy',
      services: [{ id: 'checkout' }],
      steps: [
        { id: 'confirm', kind: 'AUTOMATED', dependsOn: [] },
        { id: 'approve', kind: 'MANUAL', dependsOn: ['confirm'] },
        { id: 'rollback', kind: 'AUTOMATED', dependsOn: ['approve'] },
      ],
    });
    expect(rest.data.runbookRuns.nodes[0]).toMatchObject({ id: 'core:RUN-1', status: 'WAITING_FOR_INPUT', runbook: { name: 'Roll back a bad deploy' } });

    const writes = await gql(
      gateway.url,
      `mutation { ticket: createTicket(input: { title: "Retry budget", priority: HIGH, serviceId: "checkout" }) { id status priority }
                  message: sendMessage(input: { channel: "#inc-7-checkout", text: "Rollback started" }) { id text channel { name } url }
                  step: completeManualStep(runId: "core:RUN-1", stepId: "approve", note: "approved") { status steps { step { id } status note } } }`,
    );
    expect(writes.errors).toBeUndefined();
    expect(writes.data.ticket).toMatchObject({ status: 'TODO', priority: 'HIGH' });
    expect(writes.data.message).toMatchObject({ text: 'Rollback started', channel: { name: '#inc-7-checkout' }, url: expect.stringContaining('chat.example') });
    expect(writes.data.step.steps.find((s: { step: { id: string } }) => s.step.id === 'approve')).toMatchObject({ status: 'SUCCEEDED', note: 'approved' });
    const moved = await gql(gateway.url, `mutation { transitionTicket(id: "${writes.data.ticket.id}", transition: "IN_PROGRESS") { status rawStatus } }`);
    expect(moved.data.transitionTicket).toEqual({ status: 'IN_PROGRESS', rawStatus: 'in progress' });

    // The plugin's stderr is in our log; the token it was given never is.
    expect(logs.lines.some((l) => l.includes('core test plugin') && l.includes('"stream":"stderr"'))).toBe(true);
    expect(logs.lines.join('\n')).not.toContain(TOKEN);
  });
});

describe('the Core plugin process', () => {
  it('maps Core error codes: not_found is an empty slot, unauthorized PROVIDER_AUTH_FAILED, an unknown method NOT_SUPPORTED', async () => {
    const incidents = provider<IncidentProvider>('incidents');
    expect(await incidents.getMany(['core:INC-7', 'core:NOPE', 'other:INC-7'], ctx())).toEqual([expect.objectContaining({ id: 'core:INC-7' }), null, null]);
    const refused = provider<IncidentProvider>('incidents', { config: { token: 'wrong' } });
    const error = await failure(refused.query({}, { first: 5, after: null }, ctx()));
    expect(error).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', message: expect.stringContaining('refused the token') });
    const plugin = new CorePlugin(settings(), { instance: 'raw', kind: 'core-plugin', logger: silentLogger, timeoutMs: 5_000 });
    open.push(plugin);
    expect(await failure(plugin.call('secret.get', { key: 'x' }, ctx()))).toMatchObject({ code: 'NOT_SUPPORTED' });
  });

  it('serves services and teams in Core shapes (owner and tier from tags, dependencies from metadata, members as people)', async () => {
    const services = provider<ServiceProvider>('services');
    const page = await services.query({}, { first: 10, after: null }, ctx());
    expect(page.items.map((s) => [s.id, s.tier, s.ownerTeamId])).toEqual([
      ['checkout', 'TIER_1', 'commerce'],
      ['orders-db', 'TIER_1', 'data-infra'],
      ['payments-api', 'TIER_1', 'payments'],
    ]);
    expect(await services.dependentsOf(['orders-db'], ctx())).toEqual([['checkout', 'payments-api']]);
    const teams = provider<TeamProvider>('teams');
    expect(await teams.subTeamsOf(['commerce'], ctx())).toEqual([[expect.objectContaining({ id: 'payments', parentId: 'commerce' })]]);
    expect(await teams.membersOfTeams(['commerce'], ctx())).toEqual([[{ userId: 'maya.patel@acme-shop.example', role: 'MANAGER' }, { userId: 'jonas.weber@acme-shop.example', role: 'MEMBER' }]]);
    expect((await teams.getUsers(['MAYA.PATEL@acme-shop.example'], ctx()))[0]).toMatchObject({ name: 'Maya Patel', chatHandle: '@maya' });
  });

  it('answers one call at a time per process, and runs `concurrency` processes side by side', async () => {
    const one = new CorePlugin(settings({ concurrency: 1 }), { instance: 'one', kind: 'core-plugin', logger: silentLogger, timeoutMs: 5_000 });
    const two = new CorePlugin(settings({ concurrency: 2 }), { instance: 'two', kind: 'core-plugin', logger: silentLogger, timeoutMs: 5_000 });
    open.push(one, two);
    type Answer = { title: string; createdAt: string; updatedAt: string };
    const serial = await Promise.all([one.call<Answer>('incident.get', { id: 'pid' }, ctx()), one.call<Answer>('incident.get', { id: 'pid' }, ctx())]);
    expect(serial[0]!.title).toBe(serial[1]!.title);
    const [first, second] = serial.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    expect(Date.parse(second!.createdAt)).toBeGreaterThanOrEqual(Date.parse(first!.updatedAt));
    const parallel = await Promise.all([two.call<Answer>('incident.get', { id: 'pid' }, ctx()), two.call<Answer>('incident.get', { id: 'pid' }, ctx())]);
    expect(new Set(parallel.map((a) => a.title)).size).toBe(2);
    expect(two.client.pids).toHaveLength(2);
  });

  it('refuses a call at once when maxQueue calls already wait', async () => {
    const plugin = new CorePlugin(settings({ concurrency: 1, maxQueue: 0 }), { instance: 'q', kind: 'core-plugin', logger: silentLogger, timeoutMs: 5_000 });
    open.push(plugin);
    const slow = plugin.call('incident.get', { id: 'slow-400' }, ctx());
    const refused = await failure(plugin.call('incident.get', { id: 'INC-7' }, ctx()));
    expect(refused).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: expect.stringContaining('maxQueue') });
    await slow;
  });

  it('cuts a call at its timeout, restarts the process (its late answer would come out of order) and serves the next call', async () => {
    // Generous enough for a plugin process to start on a loaded machine; the slow call takes far longer.
    const plugin = new CorePlugin(settings({ callTimeoutMs: 3_000 }), { instance: 't', kind: 'core-plugin', logger: silentLogger, timeoutMs: 5_000 });
    open.push(plugin);
    await plugin.call('incident.get', { id: 'INC-7' }, ctx());
    const firstPid = plugin.client.pids[0];
    const error = await failure(plugin.call('incident.get', { id: 'slow-60000' }, ctx()));
    expect(error).toMatchObject({ code: 'PROVIDER_TIMEOUT', message: expect.stringContaining('3000 ms') });
    const next = await plugin.call<{ id: string }>('incident.get', { id: 'INC-8' }, ctx());
    expect(next.id).toBe('INC-8');
    expect(plugin.client.pids[0]).not.toBe(firstPid);
    // A caller that goes away cancels its call the same way.
    const controller = new AbortController();
    const cancelled = failure(plugin.call('incident.get', { id: 'slow-60000' }, ctx(controller.signal)));
    setTimeout(() => controller.abort(), 50);
    expect(await cancelled).toMatchObject({ code: 'PROVIDER_TIMEOUT', message: expect.stringContaining('cancelled') });
  });

  it('fails a call the plugin dies on with its stderr, fails fast while it waits to restart, then serves again', async () => {
    const logs = captureLogs();
    const plugin = new CorePlugin(settings({ restartDelayMs: 300 }), { instance: 'c', kind: 'core-plugin', logger: logs.logger, timeoutMs: 5_000 });
    open.push(plugin);
    const crash = await failure(plugin.call('incident.get', { id: 'crash' }, ctx()));
    expect(crash).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: expect.stringContaining('exited with code 3') });
    expect(crash.message).toContain('lost the connection to the tracker');
    const meanwhile = await failure(plugin.call('incident.get', { id: 'INC-7' }, ctx()));
    expect(meanwhile.message).toMatch(/restarting in \d+ ms/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await plugin.call<{ id: string }>('incident.get', { id: 'INC-7' }, ctx())).toMatchObject({ id: 'INC-7' });
    expect(plugin.client.starts).toBe(2);
    expect(logs.lines.some((l) => l.includes('lost the connection') && l.includes('"stream":"stderr"'))).toBe(true);
  });

  it('restarts a plugin that writes something other than a protocol answer', async () => {
    const plugin = new CorePlugin(settings(), { instance: 'g', kind: 'core-plugin', logger: silentLogger, timeoutMs: 5_000 });
    open.push(plugin);
    expect(await failure(plugin.call('incident.get', { id: 'garbage' }, ctx()))).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: expect.stringContaining('not {"result"}') });
    expect(await plugin.call<{ id: string }>('incident.get', { id: 'INC-7' }, ctx())).toMatchObject({ id: 'INC-7' });
  });

  it('names the setting to fix, and stops its processes on close', async () => {
    expect(() => new CorePlugin({ args: [] }, { instance: 'bad', kind: 'core-plugin', logger: silentLogger })).toThrow(/command/);
    expect(() => new CorePlugin({ ...settings(), concurrency: 0 }, { instance: 'bad', kind: 'core-plugin', logger: silentLogger })).toThrow(/concurrency/);
    const plugin = new CorePlugin(settings(), { instance: 'x', kind: 'core-plugin', logger: silentLogger, timeoutMs: 5_000 });
    await plugin.call('incident.get', { id: 'INC-7' }, ctx());
    const pid = plugin.client.pids[0]!;
    await plugin.close();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(await failure(plugin.call('incident.get', { id: 'INC-7' }, ctx()))).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: expect.stringContaining('shut down') });
  });
});
