#!/usr/bin/env node
// A plugin written for the tests in OpsOrch Core's plugin protocol, as Core's own plugins are: it reads one JSON
// request per line on stdin, `{"method","config","payload"}`, handles them one at a time, and answers one line,
// `{"result":...}` or `{"error":{"code","message"}}`. It keeps a small world in memory for every capability.
// Test hooks: the id `slow-<ms>` answers after that long, `crash` exits, `garbage` answers a line that is not
// JSON, `pid` answers with its process id and when it started and finished the call.
import { createInterface } from 'node:readline';

const now = Date.now();
const ago = (minutes) => new Date(now - minutes * 60_000).toISOString();

const incidents = new Map([
  ['INC-7', { id: 'INC-7', title: 'Checkout latency above SLO', description: 'p99 over 2 s since the deploy', status: 'investigating', severity: 'critical', service: 'checkout', url: 'https://tracker.example/INC-7', createdAt: ago(50), updatedAt: ago(40), fields: { assignee: 'Maya.Patel@acme-shop.example', number: 7 } }],
  ['INC-8', { id: 'INC-8', title: 'Search index lagging', status: 'triggered', severity: 'sev4', service: 'search-svc', url: 'https://tracker.example/INC-8', createdAt: ago(20), updatedAt: ago(20) }],
  ['INC-3', { id: 'INC-3', title: 'Old disk alarm', status: 'resolved', severity: 'low', url: 'https://tracker.example/INC-3', createdAt: ago(600), updatedAt: ago(500) }],
]);
const timelines = new Map([['INC-7', [{ id: 't1', incidentId: 'INC-7', at: ago(50), kind: 'created', body: 'Opened by the SLO monitor' }]]]);
const alerts = [
  { id: 'AL-1', title: 'checkout p99 above 2s', description: 'histogram_quantile(0.99, ...) = 2.4s', status: 'firing', severity: 'critical', service: 'checkout', url: 'https://alerts.example/AL-1', createdAt: ago(45), updatedAt: ago(45), fields: { name: 'HighLatency', labels: { env: 'production', team: 'commerce' } } },
  { id: 'AL-2', title: 'disk 91% on media-storage', status: 'acknowledged', severity: 'warning', service: 'media-storage', createdAt: ago(30), updatedAt: ago(10), fields: { name: 'DiskFilling' } },
];
const services = [
  { id: 'checkout', name: 'Checkout', url: 'https://catalog.example/checkout', tags: { owner: 'commerce', tier: '1', pci: 'true' }, metadata: { dependencies: ['payments-api', 'orders-db'] } },
  { id: 'payments-api', name: 'Payments API', tags: { owner: 'payments', tier: '1' }, metadata: { dependencies: ['orders-db'] } },
  { id: 'orders-db', name: 'Orders DB', tags: { owner: 'data-infra', tier: '1', kind: 'database' } },
];
const teams = [
  { id: 'commerce', name: 'Commerce', url: 'https://teams.example/commerce', tags: { chatChannel: '#team-commerce' } },
  { id: 'payments', name: 'Payments', parent: 'commerce' },
];
const members = {
  commerce: [{ id: 'u1', name: 'Maya Patel', email: 'maya.patel@acme-shop.example', handle: '@maya', role: 'manager' }, { id: 'u2', name: 'Jonas Weber', email: 'jonas.weber@acme-shop.example', role: 'member' }],
  payments: [{ id: 'u3', name: 'Samuel Adeyemi', email: 'samuel.adeyemi@acme-shop.example', role: 'owner' }],
};
const deployments = [
  { id: 'DEP-2', service: 'checkout', environment: 'production', version: '2.14.0', status: 'success', startedAt: ago(55), finishedAt: ago(52), url: 'https://ci.example/DEP-2', actor: { name: 'Jonas Weber', email: 'jonas.weber@acme-shop.example' }, fields: { commit: { sha: '2e453164e45ec8fbfb28d7021970b401d1eabe24', message: 'Batch order-line writes' } } },
  { id: 'DEP-3', service: 'checkout', environment: 'production', version: '2.14.1', status: 'running', startedAt: ago(2), finishedAt: '0001-01-01T00:00:00Z' },
];
const tickets = new Map([['OPS-1', { id: 'OPS-1', key: 'OPS-1', title: 'Add gift-card test', status: 'To Do', assignees: [], reporter: 'maya.patel@acme-shop.example', createdAt: ago(30), updatedAt: ago(30), fields: { priority: 'high', service: 'checkout', incident: 'core:INC-7' } }]]);
const plans = [
  { id: 'PLAN-1', title: 'Roll back a bad deploy', description: 'Find the deploy, roll back, verify.', tags: { service: 'checkout', 'alert:HighLatency': 'true' }, steps: [{ id: 'confirm', title: 'Confirm the regression', type: 'observe' }, { id: 'approve', title: 'Approve the rollback', type: 'manual', dependsOn: ['confirm'] }, { id: 'rollback', title: 'Roll back', type: 'invoke', dependsOn: ['approve'] }] },
];
const runs = new Map([['RUN-1', { id: 'RUN-1', planId: 'PLAN-1', status: 'blocked', steps: [{ stepId: 'confirm', status: 'succeeded' }, { stepId: 'approve', status: 'ready' }, { stepId: 'rollback', status: 'pending' }], createdAt: ago(15), updatedAt: ago(10) }]]);
let sequence = 100;

class PluginError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const limitOf = (payload, list) => (payload?.limit > 0 ? list.slice(0, payload.limit) : list);
function must(map, id, what) {
  const value = map.get(id);
  if (!value) throw new PluginError('not_found', `${what} ${id} not found`);
  return value;
}
const withPlan = (run) => ({ ...run, plan: plans.find((p) => p.id === run.planId) });

async function handle({ method, config, payload }) {
  if (config?.token !== 'core-plugin-test-token') throw new PluginError('unauthorized', 'the tracker refused the token');
  const id = payload?.id;
  if (id === 'crash') {
    process.stderr.write('fatal: lost the connection to the tracker\n');
    process.exit(3);
  }
  if (typeof id === 'string' && id.startsWith('slow-')) await sleep(Number(id.slice(5)));
  if (id === 'pid' || (typeof id === 'string' && id.startsWith('slow-'))) {
    const started = Date.now();
    if (id === 'pid') await sleep(150);
    return { id, title: String(process.pid), status: 'triggered', severity: 'sev3', createdAt: new Date(started).toISOString(), updatedAt: new Date().toISOString() };
  }
  switch (method) {
    case 'incident.query': {
      const text = (payload?.query ?? '').toLowerCase();
      return limitOf(payload, [...incidents.values()].filter((i) => !text || i.title.toLowerCase().includes(text)));
    }
    case 'incident.get':
      return must(incidents, id, 'incident');
    case 'incident.create': {
      const created = { ...payload, id: `INC-${++sequence}`, url: `https://tracker.example/INC-${sequence}`, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() };
      incidents.set(created.id, created);
      return created;
    }
    case 'incident.update': {
      const incident = must(incidents, id, 'incident');
      Object.assign(incident, payload.input, { updatedAt: new Date().toISOString() });
      return incident;
    }
    case 'incident.timeline.get':
      must(incidents, id, 'incident');
      return timelines.get(id) ?? [];
    case 'incident.timeline.append': {
      must(incidents, id, 'incident');
      const entries = timelines.get(id) ?? [];
      entries.push({ id: `t${entries.length + 1}`, incidentId: id, ...payload.entry });
      timelines.set(id, entries);
      return null;
    }
    case 'alert.query':
      return limitOf(payload, alerts);
    case 'alert.get':
      return alerts.find((a) => a.id === id) ?? (() => { throw new PluginError('not_found', `alert ${id} not found`); })();
    case 'log.query': {
      const lines = Array.from({ length: 30 }, (_, i) => ({
        timestamp: new Date(now - i * 60_000).toISOString(),
        message: i % 3 === 0 ? `timeout calling payments-api after 3000ms (request ${i})` : `GET /api/cart 200 (request ${i})`,
        severity: i % 3 === 0 ? 'error' : 'info',
        service: 'checkout',
        labels: { env: 'production', pod: `checkout-${i % 2}` },
      })).filter((l) => (!payload.expression?.search || l.message.includes(payload.expression.search)) && (!payload.expression?.severityIn?.length || payload.expression.severityIn.includes(l.severity)));
      return { entries: limitOf(payload, lines), url: 'https://logs.example/search' };
    }
    case 'metric.describe':
      return { metrics: [{ name: 'http_requests_total', type: 'counter', description: 'Requests served.', labels: ['service', 'env'], unit: 'requests' }] };
    case 'metric.query': {
      const step = payload.step || 60;
      const start = Date.parse(payload.start);
      const end = Date.parse(payload.end);
      const points = [];
      for (let t = start; t <= end; t += step * 1000) points.push({ timestamp: new Date(t).toISOString(), value: 100 + ((t / 1000) % 7) });
      return [{ name: payload.expression.metricName, service: 'checkout', labels: { service: 'checkout' }, points }];
    }
    case 'ticket.query':
      return limitOf(payload, [...tickets.values()]);
    case 'ticket.get':
      return must(tickets, id, 'ticket');
    case 'ticket.create': {
      const created = { ...payload, id: `OPS-${++sequence}`, key: `OPS-${sequence}`, status: 'To Do', createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() };
      tickets.set(created.id, created);
      return created;
    }
    case 'ticket.update': {
      const ticket = must(tickets, id, 'ticket');
      const { fields, ...rest } = payload.input;
      Object.assign(ticket, rest, { fields: { ...ticket.fields, ...fields }, updatedAt: new Date().toISOString() });
      return ticket;
    }
    case 'messaging.send':
      return { id: `msg-${++sequence}`, channel: payload.channel, sentAt: new Date().toISOString(), url: `https://chat.example/${encodeURIComponent(payload.channel)}/${sequence}` };
    case 'service.query':
      return limitOf(payload, services.filter((s) => !payload?.ids?.length || payload.ids.includes(s.id)));
    case 'team.query':
      return teams;
    case 'team.get':
      return teams.find((t) => t.id === id) ?? (() => { throw new PluginError('not_found', `team ${id} not found`); })();
    case 'team.members':
      return members[payload.teamID] ?? [];
    case 'deployment.query':
      return limitOf(payload, deployments);
    case 'deployment.get':
      return deployments.find((d) => d.id === id) ?? (() => { throw new PluginError('not_found', `deployment ${id} not found`); })();
    case 'orchestration.plans.query':
      return plans;
    case 'orchestration.plans.get':
      return plans.find((p) => p.id === payload.planId) ?? (() => { throw new PluginError('not_found', `plan ${payload.planId} not found`); })();
    case 'orchestration.runs.query':
      return [...runs.values()].filter((r) => !payload?.planIds?.length || payload.planIds.includes(r.planId)).map(withPlan);
    case 'orchestration.runs.get':
      return withPlan(must(runs, payload.runId, 'run'));
    case 'orchestration.runs.start': {
      const plan = plans.find((p) => p.id === payload.planId);
      if (!plan) throw new PluginError('not_found', `plan ${payload.planId} not found`);
      const run = { id: `RUN-${++sequence}`, planId: plan.id, status: 'running', steps: plan.steps.map((s, i) => ({ stepId: s.id, status: i === 0 ? 'running' : 'pending' })), createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() };
      runs.set(run.id, run);
      return withPlan(run);
    }
    case 'orchestration.runs.steps.complete': {
      const run = must(runs, payload.runId, 'run');
      const step = run.steps.find((s) => s.stepId === payload.stepId);
      if (!step || !['ready', 'blocked'].includes(step.status)) throw new PluginError('bad_request', `step ${payload.stepId} is not waiting for a person`);
      Object.assign(step, { status: 'succeeded', actor: payload.actor, note: payload.note, finishedAt: new Date().toISOString() });
      run.status = 'running';
      return null;
    }
    default:
      throw new PluginError('not_supported', `method ${method} is not supported`);
  }
}

process.stderr.write(`core test plugin ${process.pid} started\n`);
const lines = createInterface({ input: process.stdin });
const queue = [];
let busy = false;
async function drain() {
  if (busy) return;
  busy = true;
  while (queue.length) {
    const line = queue.shift();
    let answer;
    try {
      const request = JSON.parse(line);
      if (request.payload?.id === 'garbage') {
        process.stdout.write('this is not JSON\n');
        continue;
      }
      answer = { result: await handle(request) };
    } catch (error) {
      answer = { error: { code: error.code ?? 'internal', message: error.message } };
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
  busy = false;
}
lines.on('line', (line) => {
  queue.push(line);
  void drain();
});
lines.on('close', () => process.exit(0));
