// Test code: a PagerDuty account served by the contract fake (its incidents with their logs, notes and alerts,
// change events, people, teams, escalation policies and who is on call), shared by the cross-vendor test and the
// sandbox (adapters/examples/start-sandbox.ts). Records start from the spec's examples where it gives them.
import { join } from 'node:path';
import { startContractFake, type ContractFake, type FakeReply, type FakeRequest } from '../../kit/contract-fake.ts';
import { patchPagerDutySpec } from './pagerduty-spec.ts';

type Json = Record<string, any>;

/** PagerDuty's timestamps have no milliseconds. */
export const pdTime = (at: number | Date) => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const ref = (type: string, id: string, summary?: string) => ({ id, type: `${type}_reference`, ...(summary ? { summary } : {}) });

export interface PagerDutyAccount {
  incidents: Json[];
  /** Per incident id, its notes (oldest first). */
  notes: Record<string, Json[]>;
  /** Per incident id, its alerts. */
  alerts: Record<string, Json[]>;
  /** Per incident id, its log beyond the trigger entry (acknowledgements, escalations...). */
  log: Record<string, Json[]>;
  changeEvents: Json[];
  users: Json[];
  teams: Json[];
  escalationPolicies: Json[];
  oncalls: Json[];
  services: Json[];
  /** Answers every request with this instead while it gives one (an outage, a refused credential). */
  failure?: () => FakeReply | null;
}

export const emptyAccount = (): PagerDutyAccount => ({ incidents: [], notes: {}, alerts: {}, log: {}, changeEvents: [], users: [], teams: [], escalationPolicies: [], oncalls: [], services: [] });

const NOT_FOUND: FakeReply = { status: 404, body: { error: { message: 'Not Found', code: 2100 } } };

/** An offset-paged PagerDuty list of `all` under `key`. */
function page(request: FakeRequest, all: Json[], key: string, fallback = 25): FakeReply {
  const offset = Number(request.query.get('offset') ?? 0);
  const limit = Number(request.query.get('limit') ?? fallback);
  return { body: { [key]: all.slice(offset, offset + limit), limit, offset, more: offset + limit < all.length, total: null } };
}

export async function startPagerDutyFake(): Promise<ContractFake> {
  return startContractFake({ spec: 'pagerduty.openapi.json', vendor: 'PagerDuty', patchSpec: patchPagerDutySpec, fixtures: join(import.meta.dirname, '..', '__fixtures__') });
}

/**
 * Serves the account's incidents, their writes, logs and alerts, change events, people, teams and on-call, from
 * `state` as it is at each request (a test may replace its lists between tests).
 */
export function servePagerDuty(fake: ContractFake, state: PagerDutyAccount): ContractFake {
  const byId = (request: FakeRequest) => state.incidents.find((i) => i.id === request.params.id);
  const guard = (handler: (r: FakeRequest) => FakeReply) => (r: FakeRequest) => state.failure?.() ?? handler(r);
  const logTemplate = () => fake.example<Json>('GET /incidents/{id}/log_entries').log_entries[0];
  const logOf = (found: Json): Json[] => {
    const incident = ref('incident', found.id);
    const trigger = { ...logTemplate(), id: `LT${found.id}`, type: 'trigger_log_entry', summary: 'Triggered through the API', created_at: found.created_at, agent: ref('service', found.service.id), incident };
    const notes = (state.notes[found.id] ?? []).map((n) => ({ ...logTemplate(), id: `LN${n.id}`, type: 'annotate_log_entry', summary: 'Note added', created_at: n.created_at, agent: n.user ?? ref('user', 'PBOT'), incident }));
    return [trigger, ...(state.log[found.id] ?? []).map((e) => ({ ...logTemplate(), ...e, incident })), ...notes].sort((a, b) => a.created_at.localeCompare(b.created_at));
  };
  const within = (request: FakeRequest, at: string) => {
    const since = request.query.get('since');
    const until = request.query.get('until');
    return (!since || Date.parse(at) >= Date.parse(since)) && (!until || Date.parse(at) <= Date.parse(until));
  };
  return fake
    .on('GET /incidents', guard((request) => {
      const statuses = request.query.getAll('statuses[]');
      const services = request.query.getAll('service_ids[]');
      const matching = state.incidents
        .filter((i) => (statuses.length === 0 || statuses.includes(i.status)) && (services.length === 0 || services.includes(i.service.id)))
        .sort((a, b) => b.created_at.localeCompare(a.created_at));
      return page(request, matching, 'incidents');
    }))
    .on('GET /incidents/{id}', guard((request) => {
      const found = byId(request);
      return found ? { body: { incident: found } } : NOT_FOUND;
    }))
    .on('PUT /incidents/{id}', guard((request) => {
      const found = byId(request);
      if (!found) return NOT_FOUND;
      const change = (request.body as Json).incident;
      const now = pdTime(Date.now());
      if (change.status) found.status = change.status;
      if (change.status === 'acknowledged') found.acknowledgements = [{ at: now, acknowledger: ref('user', 'PBOT', 'OpsOrch') }];
      if (change.status === 'resolved') found.resolved_at = now;
      // PagerDuty logs each change of status on the incident, as the timeline then shows.
      if (change.status === 'acknowledged' || change.status === 'resolved') {
        const type = change.status === 'acknowledged' ? 'acknowledge_log_entry' : 'resolve_log_entry';
        (state.log[found.id] ??= []).push({ id: `L${type.slice(0, 3).toUpperCase()}${found.id}`, type, summary: `${change.status === 'acknowledged' ? 'Acknowledged' : 'Resolved'} through the API`, created_at: now, agent: ref('user', 'PBOT', 'OpsOrch') });
      }
      if (change.title) found.title = change.title;
      if (change.urgency) found.urgency = change.urgency;
      found.updated_at = now;
      return { body: { incident: found } };
    }))
    .on('GET /incidents/{id}/notes', guard((request) => (byId(request) ? { body: { notes: state.notes[request.params.id!] ?? [] } } : NOT_FOUND)))
    .on('POST /incidents/{id}/notes', guard((request) => {
      if (!byId(request)) return NOT_FOUND;
      const notes = (state.notes[request.params.id!] ??= []);
      const note = { ...fake.example<Json>('POST /incidents/{id}/notes').note, id: `N${request.params.id}${notes.length + 1}`, content: (request.body as Json).note.content, created_at: pdTime(Date.now()) };
      notes.push(note);
      return { body: { note } };
    }))
    .on('GET /incidents/{id}/log_entries', guard((request) => {
      const found = byId(request);
      return found ? page(request, logOf(found), 'log_entries', 100) : NOT_FOUND;
    }))
    .on('GET /log_entries', guard((request) => page(request, state.incidents.flatMap(logOf).filter((e) => within(request, e.created_at)), 'log_entries')))
    .on('GET /incidents/{id}/alerts', guard((request) => (byId(request) ? page(request, state.alerts[request.params.id!] ?? [], 'alerts', 100) : NOT_FOUND)))
    .on('GET /change_events', guard((request) => {
      const { body } = page(request, state.changeEvents.filter((e) => within(request, e.timestamp)), 'change_events');
      return { body: { change_events: (body as Json).change_events } };
    }))
    .on('GET /users', guard((request) => page(request, state.users, 'users')))
    .on('GET /users/{id}', guard((request) => {
      const user = state.users.find((u) => u.id === request.params.id);
      return user ? { body: { user } } : NOT_FOUND;
    }))
    .on('GET /teams', guard((request) => page(request, state.teams, 'teams')))
    .on('GET /teams/{id}/members', guard((request) => {
      const members = state.users
        .filter((u) => (u.teams ?? []).some((t: Json) => t.id === request.params.id))
        .map((u, i) => ({ user: ref('user', u.id), role: i === 0 ? 'manager' : 'responder' }));
      return page(request, members, 'members');
    }))
    .on('GET /escalation_policies', guard((request) => page(request, state.escalationPolicies, 'escalation_policies')))
    .on('GET /oncalls', guard((request) => {
      const wanted = request.query.getAll('escalation_policy_ids[]');
      const since = Date.parse(request.query.get('since') ?? new Date().toISOString());
      const until = Date.parse(request.query.get('until') ?? new Date().toISOString());
      const matching = state.oncalls.filter((o) => (wanted.length === 0 || wanted.includes(o.escalation_policy.id)) && Date.parse(o.start) <= until && Date.parse(o.end) >= since);
      return page(request, matching, 'oncalls');
    }))
    .on('GET /schedules', guard((request) => page(request, [], 'schedules')))
    .on('GET /services', guard((request) => page(request, state.services, 'services')))
    .on('GET /service_dependencies/technical_services/{id}', guard(() => ({ body: { relationships: [] } })));
}
