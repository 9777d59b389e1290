import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { z } from 'zod';
import { ExplorePanels, incidentWindow } from '../components/explorer/explore-panels.tsx';
import { AlertTable, DeploymentTable, LocalTime, incidentPath, runbookPath, servicePath, teamPath, TicketTable } from '../components/tables.tsx';
import { Badge, Empty, FieldError, Health, Kbd, PageHeader, Person, Problems, Section, Severity, SourceLink, Tier } from '../components/ui.tsx';
import {
  AcknowledgeIncidentDocument,
  AddIncidentNoteDocument,
  IncidentDetailDocument,
  PeopleDocument,
  PostIncidentUpdateDocument,
  ResolveIncidentDocument,
  StartRunbookRunDocument,
  UpdateIncidentDocument,
} from '../graphql/generated.ts';
import { mutate, newIdempotencyKey, query } from '../lib/api.server.ts';
import { apiFailure, fail, formFields, parseWith } from '../lib/forms.server.ts';
import { sectionProblems, notFoundUnless } from '../lib/problems.ts';
import { redirectWithFlash } from '../lib/session.server.ts';
import { formatClock, formatDuration, formatUtc, TimeAgo, useNow } from '../lib/time.tsx';
import { CsrfField } from '../components/csrf.tsx';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.incident ? `#${data.incident.number} ${data.incident.title} · OpsOrch` : 'Incident · OpsOrch' },
];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const [detail, people] = await Promise.all([
    query(request, context, IncidentDetailDocument, { id: params.id! }),
    query(request, context, PeopleDocument, {}),
  ]);
  notFoundUnless(detail.data?.incident, !!detail.data, detail.problems, `No incident "${params.id}".`);
  return { incident: detail.data?.incident ?? null, problems: detail.problems, people: people.data?.users?.nodes ?? [], idempotencyKey: newIdempotencyKey() };
}

const key = z.string().min(1);
const Intent = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('acknowledge'), idempotencyKey: key }),
  z.object({ intent: z.literal('resolve'), idempotencyKey: key, resolution: z.string().max(10_000, 'Keep the resolution under 10,000 characters.').optional() }),
  z.object({ intent: z.literal('severity'), idempotencyKey: key, severity: z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5'], { message: 'Pick a severity from SEV1 to SEV5.' }) }),
  z.object({ intent: z.literal('reassign'), idempotencyKey: key, assigneeId: z.email('Pick the person to assign.') }),
  z.object({ intent: z.literal('note'), idempotencyKey: key, body: z.string().trim().min(1, 'Write the note first.').max(10_000, 'Keep the note under 10,000 characters.') }),
  z.object({
    intent: z.literal('post-update'),
    idempotencyKey: key,
    channel: z.string().trim().min(1, 'Name the channel, for example #inc-1042-checkout-5xx.'),
    text: z.string().trim().min(1, 'Write the update first.').max(4000, 'Keep the update under 4,000 characters.'),
  }),
  z.object({ intent: z.literal('start-runbook'), idempotencyKey: key, runbookId: z.string().min(1, 'Pick a runbook.') }),
]);

export async function action({ request, context, params }: ActionFunctionArgs) {
  const fields = await formFields(request, context);
  const parsed = parseWith(Intent, fields);
  const intentName = String(fields.intent ?? 'unknown');
  if (!parsed.ok) return fail(intentName, parsed.errors);
  const id = params.id!;
  const here = incidentPath(id);
  const input = parsed.value;
  switch (input.intent) {
    case 'acknowledge': {
      const r = await mutate(request, context, AcknowledgeIncidentDocument, { id, idempotencyKey: input.idempotencyKey });
      if (!r.data) return apiFailure(input.intent, r.problems);
      return redirectWithFlash(here, { kind: 'success', message: `Acknowledged #${r.data.acknowledgeIncident.number}. Paging stopped.` });
    }
    case 'resolve': {
      const r = await mutate(request, context, ResolveIncidentDocument, { id, resolution: input.resolution || undefined, idempotencyKey: input.idempotencyKey });
      if (!r.data) return apiFailure(input.intent, r.problems, { resolution: /resolution/i });
      return redirectWithFlash(here, { kind: 'success', message: `Resolved #${r.data.resolveIncident.number}.` });
    }
    case 'severity': {
      const r = await mutate(request, context, UpdateIncidentDocument, { id, input: { severity: input.severity }, idempotencyKey: input.idempotencyKey });
      if (!r.data) return apiFailure(input.intent, r.problems, { severity: /severity/i });
      return redirectWithFlash(here, { kind: 'success', message: `Severity is now ${r.data.updateIncident.severity}.` });
    }
    case 'reassign': {
      const r = await mutate(request, context, UpdateIncidentDocument, { id, input: { assigneeId: input.assigneeId }, idempotencyKey: input.idempotencyKey });
      if (!r.data) return apiFailure(input.intent, r.problems, { assigneeId: /assignee|person|user/i });
      return redirectWithFlash(here, { kind: 'success', message: `Reassigned to ${r.data.updateIncident.assignee?.name ?? input.assigneeId}.` });
    }
    case 'note': {
      const r = await mutate(request, context, AddIncidentNoteDocument, { incidentId: id, body: input.body, idempotencyKey: input.idempotencyKey });
      if (!r.data) return apiFailure(input.intent, r.problems, { body: /body|note/i });
      return redirectWithFlash(`${here}#timeline`, { kind: 'success', message: 'Note added to the timeline.' });
    }
    case 'post-update': {
      const r = await mutate(request, context, PostIncidentUpdateDocument, { input: { channel: input.channel, text: input.text }, idempotencyKey: input.idempotencyKey });
      if (!r.data) return apiFailure(input.intent, r.problems, { channel: /channel/i, text: /text/i });
      return redirectWithFlash(here, { kind: 'success', message: `Posted to ${r.data.sendMessage.channel.name}.` });
    }
    case 'start-runbook': {
      const r = await mutate(request, context, StartRunbookRunDocument, { runbookId: input.runbookId, input: { incidentId: id }, idempotencyKey: input.idempotencyKey });
      if (!r.data) return apiFailure(input.intent, r.problems);
      return redirectWithFlash(`/runs/${encodeURIComponent(r.data.startRunbookRun.id)}`, { kind: 'success', message: 'Run started for this incident.' });
    }
  }
}

/** The failure of this form's intent, if the last action was it. */
function useFailure(intent: string) {
  const failure = useActionData<typeof action>();
  return failure && failure.intent === intent ? failure : null;
}

function FormFailure({ intent }: { intent: string }) {
  const failure = useFailure(intent);
  return failure?.message ? <div className="form-error">{failure.message}</div> : null;
}

export default function IncidentPage() {
  const { incident, problems, people, idempotencyKey } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const now = useNow();
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST';
  const failure = useActionData<typeof action>();
  const errorsOf = (intent: string) => (failure && failure.intent === intent ? failure.errors : null);
  const noteRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (navigation.state === 'idle') noteRef.current?.reset();
  }, [navigation.state, incident?.timeline?.totalCount]);
  if (!incident) return <Problems problems={problems} />;

  const open = incident.status !== 'RESOLVED';
  const service = incident.service;
  const timeline = incident.timeline;
  return (
    <>
      <PageHeader
        crumbs={[{ to: '/incidents', label: 'Incidents' }]}
        title={
          <>
            <Severity value={incident.severity} raw={incident.rawSeverity} /> #{incident.number} {incident.title}
          </>
        }
        subtitle={
          <>
            <Badge kind="status" value={incident.status} title={`In the tool: ${incident.rawStatus}`} /> opened <TimeAgo at={incident.startedAt} />
            {incident.acknowledgedAt ? (
              <>
                {' '}
                · acknowledged after {formatDuration(Date.parse(incident.acknowledgedAt) - Date.parse(incident.startedAt))}
              </>
            ) : open ? (
              <> · unacknowledged for {formatDuration(now - Date.parse(incident.startedAt))}</>
            ) : null}
            {incident.resolvedAt ? <> · resolved after {formatDuration(Date.parse(incident.resolvedAt) - Date.parse(incident.startedAt))}</> : null}
            {' · '}assigned to <Person user={incident.assignee} />
            {incident.assignee?.timezone ? <LocalTime timezone={incident.assignee.timezone} /> : null}
            {incident.commander ? (
              <>
                {' '}
                · commander <Person user={incident.commander} />
              </>
            ) : null}
            {incident.channel ? <span className="mono"> · {incident.channel}</span> : null}
          </>
        }
        actions={<SourceLink url={incident.url} />}
      />
      <Problems problems={problems.filter((p) => !p.path || p.path.length <= 2)} />

      <div className="actions-bar">
        <Form method="post" className="inline-form" replace>
          <CsrfField />
          <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:ack`} />
          <button type="submit" name="intent" value="acknowledge" className="primary" disabled={busy || incident.status !== 'TRIGGERED'} data-key="a" title={incident.status === 'TRIGGERED' ? 'Acknowledge (a)' : 'Already acknowledged'}>
            Acknowledge <kbd>a</kbd>
          </button>
        </Form>
        <details className="popover">
          <summary className="button" data-key="r" aria-disabled={!open}>
            Resolve… <kbd>r</kbd>
          </summary>
          <Form method="post" className="stack popover-body" replace>
            <CsrfField />
            <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:resolve`} />
            <label>
              What fixed it (goes into the timeline)
              <textarea name="resolution" placeholder="Rolled back to 2.13.4; error rate back under 0.1%." />
            </label>
            <FieldError errors={errorsOf('resolve')} name="resolution" />
            <button type="submit" name="intent" value="resolve" className="good" disabled={busy || !open}>
              Resolve #{incident.number}
            </button>
            <FormFailure intent="resolve" />
          </Form>
        </details>
        <Form method="post" className="inline-form" replace>
          <CsrfField />
          <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:sev`} />
          <input type="hidden" name="intent" value="severity" />
          <select name="severity" defaultValue={incident.severity} aria-label="Severity">
            {['SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5'].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <button type="submit" disabled={busy}>
            Change severity
          </button>
          <FieldError errors={errorsOf('severity')} name="severity" />
        </Form>
        <Form method="post" className="inline-form" replace>
          <CsrfField />
          <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:assign`} />
          <input type="hidden" name="intent" value="reassign" />
          <select name="assigneeId" defaultValue={incident.assignee?.id ?? ''} aria-label="Assignee">
            <option value="" disabled>
              Pick a person
            </option>
            {people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <button type="submit" disabled={busy}>
            Reassign
          </button>
        </Form>
        <Link className="button" to={`/tickets/new?incident=${encodeURIComponent(incident.id)}`} data-key="t">
          Create ticket <kbd>t</kbd>
        </Link>
      </div>
      <FormFailure intent="acknowledge" />
      <FormFailure intent="severity" />
      <FormFailure intent="reassign" />

      <div className="grid-side">
        <div>
          {incident.summary ? (
            <Section title="Summary">
              <p className="description prose">{incident.summary}</p>
            </Section>
          ) : null}
          {service ? <ExplorePanels service={service.id} title="Signals and logs around the incident" range={incidentWindow(incident.startedAt, incident.resolvedAt)} /> : null}
          <Section id="timeline" title="Timeline" count={timeline?.totalCount} problems={sectionProblems(problems, ['incident', 'timeline'], timeline?.providerErrors)}>
            <Form method="post" className="stack note-form" ref={noteRef} replace>
              <CsrfField />
              <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:note`} />
              <textarea name="body" placeholder="Add a note for the timeline: what you found, what you are trying  ( n )" aria-label="Note" data-key="n" required />
              <FieldError errors={errorsOf('note')} name="body" />
              <div className="row">
                <button type="submit" name="intent" value="note" disabled={busy}>
                  Add note
                </button>
                <FormFailure intent="note" />
              </div>
            </Form>
            {/* A null timeline is a failed provider call: the section's problems say so; the note form still works. */}
            {!timeline ? null : timeline.nodes.length ? (
              <ol className="timeline">
                {timeline.nodes.map((e) => (
                  <li key={e.id}>
                    <span className="when" title={formatUtc(e.at, true)}>
                      {formatClock(e.at)} <span className="small">UTC</span>
                    </span>
                    <span className={`kind kind-${e.kind.toLowerCase().replace(/_/g, '-')}`} title={`In the tool: ${e.rawKind}`}>
                      {e.kind.toLowerCase().replace(/_/g, ' ')}
                    </span>
                    <span>
                      {e.message}
                      {e.actor ? <span className="muted small"> — {e.actor.name}</span> : null}
                    </span>
                  </li>
                ))}
              </ol>
            ) : (
              <Empty>The timeline is empty.</Empty>
            )}
          </Section>
          <Section title="Related alerts" count={incident.alerts?.length} problems={sectionProblems(problems, ['incident', 'alerts'])}>
            {incident.alerts?.length ? <AlertTable alerts={incident.alerts} /> : <Empty>No alert of this service around the incident.</Empty>}
          </Section>
          <Section title="Deploys in the 2 hours before" count={incident.deploymentsBefore?.length} problems={sectionProblems(problems, ['incident', 'deploymentsBefore'])}>
            {incident.deploymentsBefore?.length ? <DeploymentTable deployments={incident.deploymentsBefore} /> : <Empty>No production deploy of this service shortly before.</Empty>}
          </Section>
        </div>
        <aside>
          <Section title="Service" problems={sectionProblems(problems, ['incident', 'service'])}>
            {service ? (
              <>
                <div className="row">
                  <Link to={servicePath(service.id)}>
                    <strong>{service.name}</strong>
                  </Link>
                  <Tier value={service.tier} />
                  <Health status={service.health?.status} reason={service.health?.reason} />
                  <SourceLink url={service.url} compact />
                </div>
                {service.health?.reason ? <p className="small">{service.health.reason}</p> : null}
                {service.owner ? (
                  <dl className="facts">
                    <dt>Owner</dt>
                    <dd>
                      <Link to={teamPath(service.owner.id)}>{service.owner.name}</Link>
                      {service.owner.chatChannel ? <span className="mono small"> {service.owner.chatChannel}</span> : null}
                    </dd>
                    {service.owner.onCall.map((s) => (
                      <div className="fact-row" key={s.level}>
                        <dt>{s.level.toLowerCase()}</dt>
                        <dd>
                          <Person user={s.user} />
                          {s.user.timezone ? <LocalTime timezone={s.user.timezone} /> : null}
                        </dd>
                      </div>
                    ))}
                  </dl>
                ) : null}
                <h3 className="subhead">Calls ({service.dependencies.length})</h3>
                <ul className="dep-list">
                  {service.dependencies.map((d) => (
                    <li key={d.id}>
                      <Health status={d.health?.status} reason={d.health?.reason} showLabel={false} /> <Link to={servicePath(d.id)}>{d.id}</Link>{' '}
                      <span className="muted small">{d.health?.reason ?? d.health?.status.toLowerCase()}</span>
                    </li>
                  ))}
                </ul>
                <h3 className="subhead">Called by ({service.dependents.length})</h3>
                <ul className="dep-list">
                  {service.dependents.map((d) => (
                    <li key={d.id}>
                      <Health status={d.health?.status} reason={d.health?.reason} showLabel={false} /> <Link to={servicePath(d.id)}>{d.id}</Link>{' '}
                      <span className="muted small">{d.health?.status.toLowerCase()}</span>
                    </li>
                  ))}
                </ul>
                <Link to={`${servicePath(service.id)}/graph`}>Dependency graph →</Link>
              </>
            ) : (
              <Empty>The tool's service is not mapped to the catalog.</Empty>
            )}
          </Section>
          <Section title="Suggested runbooks" problems={sectionProblems(problems, ['incident', 'suggestedRunbooks'])}>
            {incident.suggestedRunbooks?.length ? (
              <ul className="runbook-list">
                {incident.suggestedRunbooks.map((r) => (
                  <li key={r.id}>
                    <div>
                      <Link to={runbookPath(r.id)}>{r.name}</Link>
                      <div className="muted small">{r.description}</div>
                    </div>
                    <Form method="post" replace>
                      <CsrfField />
                      <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:run:${r.id}`} />
                      <input type="hidden" name="runbookId" value={r.id} />
                      <button type="submit" name="intent" value="start-runbook" disabled={busy} title="Start a run of this runbook for this incident">
                        Start run
                      </button>
                    </Form>
                  </li>
                ))}
              </ul>
            ) : (
              <Empty>No runbook suggested.</Empty>
            )}
            <FormFailure intent="start-runbook" />
          </Section>
          <Section
            title="Tickets"
            count={incident.tickets?.length}
            actions={<Link to={`/tickets/new?incident=${encodeURIComponent(incident.id)}`}>Create from incident →</Link>}
            problems={sectionProblems(problems, ['incident', 'tickets'])}
          >
            {incident.tickets?.length ? (
              <ul className="link-list">
                {incident.tickets.map((t) => (
                  <li key={t.id}>
                    <Link to={`/tickets/${encodeURIComponent(t.id)}`}>
                      <span className="mono">{t.key}</span> {t.title}
                    </Link>{' '}
                    <Badge kind="ticket" value={t.status} label={t.rawStatus} />
                  </li>
                ))}
              </ul>
            ) : (
              <Empty>No ticket linked yet.</Empty>
            )}
          </Section>
          <Section title="Post an update">
            <Form method="post" className="stack" replace>
              <CsrfField />
              <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:post`} />
              <label>
                Channel
                <input name="channel" defaultValue={incident.channel ?? service?.owner?.chatChannel ?? ''} placeholder="#inc-..." required />
              </label>
              <FieldError errors={errorsOf('post-update')} name="channel" />
              <label>
                Update
                <textarea
                  name="text"
                  required
                  defaultValue={`Update on #${incident.number} (${incident.severity}, ${incident.status.toLowerCase()}): `}
                  aria-label="Update text"
                />
              </label>
              <FieldError errors={errorsOf('post-update')} name="text" />
              <button type="submit" name="intent" value="post-update" disabled={busy}>
                Post
              </button>
              <FormFailure intent="post-update" />
            </Form>
          </Section>
          {incident.links.length ? (
            <Section title="Links">
              <ul className="link-list">
                {incident.links.map((l) => (
                  <li key={l.url}>
                    <a href={l.url} target="_blank" rel="noreferrer">
                      {l.title} ↗
                    </a>
                  </li>
                ))}
              </ul>
            </Section>
          ) : null}
        </aside>
      </div>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
