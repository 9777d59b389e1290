// Every tool, called by a real MCP client over Streamable HTTP against the real gateway and the demo world.
// The SDK client checks each structuredContent against the tool's output schema, so a shape drift fails here.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ALL_TOOLSETS } from '../src/toolsets.ts';
import { connectHttp, recordingProxy, startMcpGateway, type McpTestServer, type RecordedRequest } from './harness.ts';
import { httpGatewayClient } from '../src/gateway-client.ts';

let server: McpTestServer;
let client: Client;
const seen: RecordedRequest[] = [];
// The gateway requires an API key; the MCP client presents it and every tool call passes it on.
const KEY = `opsorch_test_${randomBytes(16).toString('hex')}`;
const API_KEYS = JSON.stringify([{ name: 'oncall-bot', hash: `sha256:${createHash('sha256').update(KEY).digest('hex')}`, scopes: ['*'] }]);

async function call(name: string, args: Record<string, unknown> = {}): Promise<CallToolResult & { structuredContent?: any }> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult & { structuredContent?: any };
}

function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

async function ok(name: string, args: Record<string, unknown> = {}) {
  const result = await call(name, args);
  expect(result.isError, `${name}: ${text(result)}`).toBeFalsy();
  expect(JSON.parse(text(result))).toEqual(result.structuredContent);
  return result.structuredContent;
}

beforeAll(async () => {
  // A recorder between MCP and the gateway: what every tool call sends to /graphql.
  let proxy: Awaited<ReturnType<typeof recordingProxy>> | undefined;
  server = await startMcpGateway({ toolsets: ALL_TOOLSETS, enableWrites: true, maxResultChars: 20_000 }, () => async (request, caller) => {
    proxy ??= await recordingProxy(server.gateway.url);
    const answer = await httpGatewayClient({ url: proxy.url })(request, caller);
    seen.push(...proxy.requests.splice(0));
    return answer;
  }, { OPSORCH_API_KEYS: API_KEYS });
  client = await connectHttp(server.mcpUrl, 'Tools E2E', { authorization: `Bearer ${KEY}` });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
});

describe('read tools', () => {
  it('list_incidents pages with nextCursor and no gaps', async () => {
    const first = await ok('list_incidents', { first: 2 });
    expect(first.incidents.nodes).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await ok('list_incidents', { first: 2, after: first.nextCursor });
    const ids = [...first.incidents.nodes, ...second.incidents.nodes].map((n: { id: string }) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    const open = await ok('list_incidents', { statuses: ['TRIGGERED', 'ACKNOWLEDGED'], service: null });
    expect(open.incidents.nodes.every((n: { status: string }) => n.status !== 'RESOLVED')).toBe(true);
  });

  it('get_incident, get_incident_timeline and get_incident_war_room', async () => {
    const incident = (await ok('get_incident', { id: 'demo:Q3VW8TR' })).incident;
    expect(incident).toMatchObject({ number: 1042, service: { id: 'checkout' } });
    const timeline = await ok('get_incident_timeline', { id: 'demo:Q3VW8TR', order: 'OLDEST_FIRST', first: 3 });
    const times = timeline.incident.timeline.nodes.map((n: { at: string }) => n.at);
    expect(times).toEqual([...times].sort());
    expect(timeline).toHaveProperty('nextCursor');
    const room = (await ok('get_incident_war_room', { id: 'demo:Q3VW8TR' })).incident;
    expect(room.service.owner.onCall.length).toBeGreaterThan(0);
    expect(room.deploymentsBefore.map((d: { version: string }) => d.version)).toContain('2.14.0');
    // One tool, one GraphQL request.
    const warRoomRequests = seen.filter((r) => r.body.operationName === 'GetIncidentWarRoom');
    expect(warRoomRequests).toHaveLength(1);
  });

  it('list_alerts and get_alert', async () => {
    const alerts = await ok('list_alerts', { states: ['FIRING'], first: 5 });
    expect(alerts.alerts.nodes.length).toBeGreaterThan(0);
    const alert = await ok('get_alert', { id: alerts.alerts.nodes[0].id });
    expect(alert.alert.state).toBe('FIRING');
  });

  it('search_logs and log_volume', async () => {
    const logs = await ok('search_logs', { service: 'checkout', levels: ['ERROR'], since: 'now-1h', limit: 5 });
    expect(logs.logs.nodes.length).toBeGreaterThan(0);
    expect(logs.logs.nodes.every((l: { level: string; service: { id: string } }) => l.level === 'ERROR' && l.service.id === 'checkout')).toBe(true);
    const volume = await ok('log_volume', { service: 'checkout', levels: ['ERROR', 'FATAL'], since: 'now-2h', buckets: 12 });
    expect(volume.logVolume.buckets).toHaveLength(12);
  });

  it('query_metrics and list_metric_names', async () => {
    const names = await ok('list_metric_names', { text: 'latency' });
    expect(names.metricDescriptors.nodes.map((n: { name: string }) => n.name)).toContain('http_request_duration_seconds');
    const series = await ok('query_metrics', { name: 'http_request_duration_seconds', service: 'checkout', aggregation: 'P99', since: 'now-1h', step: '5m' });
    expect(series.metricSeries.series[0].points.length).toBeGreaterThanOrEqual(11);
  });

  it('get_golden_signals shows the four signals of a service, and the bad deploy in its error ratio', async () => {
    const answer = await ok('get_golden_signals', { service: 'checkout', since: 'now-2h', step: '10m' });
    const signals = answer.service.goldenSignals;
    expect(signals.step).toBe('10m');
    expect(signals.saturation.name).toEqual(expect.any(String));
    const errors = signals.errorRate.points.map((p: { value: number }) => p.value);
    // Quiet before the scenario's start 45 minutes ago, about 18 % failing after it.
    expect(errors[0]).toBeLessThan(0.01);
    expect(errors.at(-1)).toBeGreaterThan(0.1);
    const missing = await call('get_golden_signals', { service: 'no-such-service' });
    expect(missing.isError).toBe(true);
  });

  it('list_services and get_service with its dependency graph', async () => {
    const services = await ok('list_services', { tiers: ['TIER_1'] });
    expect(services.services.nodes.every((s: { tier: string }) => s.tier === 'TIER_1')).toBe(true);
    const down = await ok('get_service', { id: 'orders-db', direction: 'DEPENDENTS', depth: 2 });
    expect(down.service.dependencyGraph.nodes.map((n: { service: { id: string } }) => n.service.id)).toContain('checkout');
  });

  it('who_is_on_call and list_teams', async () => {
    const onCall = await ok('who_is_on_call', { team: 'payments' });
    expect(onCall.onCallNow.map((s: { level: string }) => s.level)).toEqual(['PRIMARY', 'SECONDARY']);
    const teams = await ok('list_teams', {});
    expect(teams.teams.nodes.find((t: { id: string }) => t.id === 'payments').members.length).toBeGreaterThan(0);
  });

  it('list_deployments in a window', async () => {
    const deployments = await ok('list_deployments', { service: 'checkout', environment: 'production', since: 'now-2d' });
    expect(deployments.deployments.nodes.length).toBeGreaterThan(0);
  });

  it('list_tickets, get_ticket and list_channels', async () => {
    const tickets = await ok('list_tickets', { first: 3 });
    const ticket = await ok('get_ticket', { id: tickets.tickets.nodes[0].id });
    expect(ticket.ticket.availableTransitions.length).toBeGreaterThan(0);
    const channels = await ok('list_channels', { incidentOnly: true });
    expect(channels.channels.nodes.every((c: { isIncidentChannel: boolean }) => c.isIncidentChannel)).toBe(true);
  });

  it('list_runbooks, get_runbook and list_runbook_runs', async () => {
    const runbooks = await ok('list_runbooks', { text: 'rollback' });
    expect(runbooks.runbooks.nodes.length).toBeGreaterThan(0);
    const runbook = await ok('get_runbook', { id: runbooks.runbooks.nodes[0].id });
    expect(runbook.runbook.steps.length).toBeGreaterThan(0);
    const runs = await ok('list_runbook_runs', { statuses: ['WAITING_FOR_INPUT'] });
    expect(runs.runbookRuns.nodes.length).toBeGreaterThan(0);
  });
});

describe('write tools act as the agent', () => {
  it('acknowledge_incident, add_incident_note and resolve_incident', async () => {
    const open = await ok('list_incidents', { statuses: ['TRIGGERED'], first: 1 });
    const id = open.incidents.nodes[0].id;
    const acked = await ok('acknowledge_incident', { id, idempotencyKey: 'ack-1' });
    expect(acked.acknowledgeIncident.status).toBe('ACKNOWLEDGED');
    const timeline = await ok('get_incident_timeline', { id, first: 1 });
    expect(timeline.incident.timeline.nodes[0].message).toContain('agent tools-e2e');
    const noted = await ok('add_incident_note', { incidentId: id, body: 'Pool saturation matches the batch job start.' });
    expect(noted.addIncidentNote.timeline.nodes[0]).toMatchObject({ kind: 'NOTE', message: expect.stringContaining('batch job') });
    const resolved = await ok('resolve_incident', { id, resolution: 'paused the batch job', idempotencyKey: 'resolve-1' });
    expect(resolved.resolveIncident.status).toBe('RESOLVED');
  });

  it('silence_alert', async () => {
    const alerts = await ok('list_alerts', { states: ['FIRING'], first: 1 });
    const silenced = await ok('silence_alert', { id: alerts.alerts.nodes[0].id, duration: '30m', comment: 'known, tracked in OPS-1' });
    expect(silenced.silenceAlert.state).toBe('SILENCED');
  });

  it('create_ticket, comment_on_ticket and transition_ticket', async () => {
    const created = await ok('create_ticket', { input: { title: 'Add a pool alarm for orders-db', serviceId: 'orders-db', priority: 'HIGH', labels: ['follow-up'] } });
    const id = created.createTicket.id;
    const commented = await ok('comment_on_ticket', { id, body: 'Found while investigating #1043.' });
    expect(commented.commentOnTicket.comments.totalCount).toBe(1);
    const moved = await ok('transition_ticket', { id, transition: 'IN_PROGRESS' });
    expect(moved.transitionTicket.status).toBe('IN_PROGRESS');
  });

  it('send_message', async () => {
    const sent = await ok('send_message', { channel: '#inc-1043-orders-db-pool', text: 'Investigating the pool saturation.' });
    expect(sent.sendMessage.channel.name).toBe('#inc-1043-orders-db-pool');
  });

  it('start_runbook_run and complete_manual_step', async () => {
    const started = await ok('start_runbook_run', { runbookId: 'demo:rb-db-connection-saturation', incidentId: 'demo:Q8MZ4KD', parameters: { service: 'orders-db' } });
    expect(started.startRunbookRun.runbook.id).toBe('demo:rb-db-connection-saturation');
    const waiting = await ok('list_runbook_runs', { statuses: ['WAITING_FOR_INPUT'], first: 10 });
    const run = waiting.runbookRuns.nodes.find((r: { steps: { status: string }[] }) => r.steps.some((s) => s.status === 'WAITING_FOR_INPUT'));
    const step = run.steps.find((s: { status: string }) => s.status === 'WAITING_FOR_INPUT').step.id;
    const done = await ok('complete_manual_step', { runId: run.id, stepId: step, note: 'done by the on-call' });
    expect(done.completeManualStep.steps.find((s: { step: { id: string } }) => s.step.id === step).status).toBe('SUCCEEDED');
  });

  it('sent every call to the gateway as agent:<client> with the client credential', () => {
    expect(seen.length).toBeGreaterThan(20);
    for (const request of seen) {
      expect(request.headers['x-opsorch-actor']).toBe('agent:tools-e2e');
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    }
  });

  it('a client without the credential cannot even open a session: the endpoint answers 401 saying how to authenticate', async () => {
    await expect(connectHttp(server.mcpUrl, 'no-key')).rejects.toThrow(/Authentication required/);
    expect(server.mcp.sessions()).toBe(1);
  });
});

describe('generic tools', () => {
  it('introspect, search_schema and validate', async () => {
    const type = await ok('introspect', { type: 'IncidentFilter', depth: 1 });
    expect(type.types).toEqual(expect.arrayContaining(['IncidentFilter', 'ScopeInput', 'TimeRangeInput']));
    const field = await ok('introspect', { type: 'Query.incidents' });
    expect(field.sdl).toContain('filter: IncidentFilter');
    const found = await ok('search_schema', { query: 'on call' });
    expect(found.matches.map((m: { path: string }) => m.path)).toContain('Query.onCallNow');
    const valid = await ok('validate', { query: 'query { incidents(first: 1) { nodes { id } } }' });
    expect(valid).toEqual({ valid: true, errors: [], operationType: 'query' });
    const invalid = await ok('validate', { query: '{ incidents { nodes { nope } } }' });
    expect(invalid.valid).toBe(false);
    expect(invalid.errors[0]).toContain('Cannot query field "nope"');
    // A document of thousands of aliases is refused while it is read, not parsed and validated for seconds.
    const huge = await ok('validate', { query: `{ incidents(first: 1) { nodes { ${Array.from({ length: 3000 }, (_, i) => `a${i}: __typename`).join(' ')} } } }` });
    expect(huge.valid).toBe(false);
    expect(huge.errors[0]).toMatch(/more tha[nt] 5000 tokens/);
  });

  it('execute runs queries and, with writes enabled, mutations', async () => {
    const result = await ok('execute', { query: 'query Open($n: Int) { incidents(first: $n) { nodes { id } } }', variables: { n: 1 } });
    expect(result.data.incidents.nodes).toHaveLength(1);
    const mutation = await ok('execute', { query: 'mutation { addIncidentNote(incidentId: "demo:Q3VW8TR", body: "via execute") { id } }' });
    expect(mutation.data.addIncidentNote.id).toBe('demo:Q3VW8TR');
  });
});

describe('errors an LLM can act on', () => {
  it('bad arguments are results with isError, naming each problem', async () => {
    const result = await call('list_incidents', { first: 500, statuses: ['OPEN'], bogus: true });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('unknown argument `bogus`');
    expect(text(result)).toContain('`first` must be at most 50');
    expect(text(result)).toContain('`statuses[0]` must be one of TRIGGERED, ACKNOWLEDGED, RESOLVED');
    const missing = await call('get_incident', {});
    expect(text(missing)).toContain('missing required argument `id`');
  });

  it('GraphQL errors and empty answers are results with isError and a next step', async () => {
    const wrongInstance = await call('get_incident', { id: 'nope:1' });
    expect(wrongInstance.isError).toBe(true);
    expect(text(wrongInstance)).toMatch(/NOT_FOUND.*Check the id: list_incidents returns valid ids/);
    const unknown = await call('get_incident', { id: 'demo:NOPE' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toContain('Nothing found with id "demo:NOPE"');
    expect(text(unknown)).toContain('Check the id: list_incidents returns valid ids.');
    // The next step names the list tool of the failing tool's own toolset, one the client has.
    const noTeam = await call('who_is_on_call', { team: 'nope' });
    expect(noTeam.isError).toBe(true);
    expect(text(noTeam)).toMatch(/NOT_FOUND.*Check the id: list_teams returns valid ids/);
    expect(text(noTeam)).not.toContain('list_tickets');
    const badInput = await call('silence_alert', { id: 'demo:94c8e2e02396774f', duration: 'forever' });
    expect(badInput.isError).toBe(true);
    expect(text(badInput)).toContain('BAD_USER_INPUT');
    const badQuery = await call('execute', { query: '{ incidents { nodes { nope } } }' });
    expect(badQuery.isError).toBe(true);
    expect(text(badQuery)).toContain('Cannot query field "nope"');
  });

  it('an unknown tool is an invalid-params error, never an internal one', async () => {
    await expect(call('no_such_tool')).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('there is no tool named no_such_tool') });
  });
});

describe('big answers are cut with a marker, never silently', () => {
  it('search_logs at 200 lines is cut to fit and pages on without a gap', async () => {
    // A window wholly in the past: its lines no longer change while the test pages through them.
    const window = { since: new Date(Date.now() - 3_600_000).toISOString(), until: new Date(Date.now() - 1_800_000).toISOString() };
    const big = await ok('search_logs', { ...window, limit: 200 });
    expect(big.truncated).toMatchObject({ path: 'logs.nodes', hint: expect.stringContaining('nextCursor continues right after them') });
    const kept = big.logs.nodes.length;
    expect(kept).toBeLessThan(200);
    expect(JSON.stringify(big).length).toBeLessThanOrEqual(20_000 + 1000);
    expect(big.nextCursor).toEqual(expect.any(String));
    const next = await ok('search_logs', { ...window, limit: kept, after: big.nextCursor });
    const last = big.logs.nodes[kept - 1];
    expect(next.logs.nodes[0].timestamp <= last.timestamp, `${next.logs.nodes[0].timestamp} after ${last.timestamp}`).toBe(true);
  });

  it('a cut nested list says what to narrow', async () => {
    const graph = await ok('execute', { query: '{ logs(query: {}, first: 200) { nodes { message fields { key value } } } }' });
    expect(graph.truncated.hint).toMatch(/smaller `first`/);
  });
});
