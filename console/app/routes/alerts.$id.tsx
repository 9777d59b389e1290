import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { IncidentTable, runbookPath, servicePath, teamPath } from '../components/tables.tsx';
import { Badge, Empty, FieldError, Health, PageHeader, Person, Problems, Section, Severity, SourceLink, Tier } from '../components/ui.tsx';
import { AcknowledgeAlertDocument, AlertDetailDocument, SilenceAlertDocument } from '../graphql/generated.ts';
import { mutate, newIdempotencyKey, query } from '../lib/api.server.ts';
import { SILENCE_DURATIONS } from '../lib/alerts.ts';
import { SilenceFields } from '../lib/alerts.server.ts';
import { apiFailure, fail, formFields, parseWith } from '../lib/forms.server.ts';
import { sectionProblems, notFoundUnless } from '../lib/problems.ts';
import { redirectWithFlash } from '../lib/session.server.ts';
import { formatDuration, formatUtc, TimeAgo, useNow } from '../lib/time.tsx';
import { CsrfField } from '../components/csrf.tsx';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.alert?.name ?? 'Alert'} · OpsOrch` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const { data, problems } = await query(request, context, AlertDetailDocument, { id: params.id! });
  notFoundUnless(data?.alert, !!data, problems, `No alert "${params.id}".`);
  return { alert: data?.alert ?? null, problems, idempotencyKey: newIdempotencyKey() };
}

const Intent = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('acknowledge'), idempotencyKey: z.string().min(1) }),
  SilenceFields.extend({ intent: z.literal('silence'), idempotencyKey: z.string().min(1) }),
]);

export async function action({ request, context, params }: ActionFunctionArgs) {
  const fields = await formFields(request, context);
  const parsed = parseWith(Intent, fields);
  if (!parsed.ok) return fail(String(fields.intent ?? 'unknown'), parsed.errors);
  const id = params.id!;
  const here = `/alerts/${encodeURIComponent(id)}`;
  const input = parsed.value;
  if (input.intent === 'acknowledge') {
    const r = await mutate(request, context, AcknowledgeAlertDocument, { id, idempotencyKey: input.idempotencyKey });
    if (!r.data) return apiFailure('acknowledge', r.problems);
    return redirectWithFlash(here, { kind: 'success', message: `Acknowledged ${r.data.acknowledgeAlert.name}.` });
  }
  const r = await mutate(request, context, SilenceAlertDocument, { id, duration: input.duration, comment: input.comment || undefined, idempotencyKey: input.idempotencyKey });
  if (!r.data) return apiFailure('silence', r.problems, { duration: /duration/i, comment: /comment/i });
  return redirectWithFlash(here, { kind: 'success', message: `Silenced ${r.data.silenceAlert.name} until ${formatUtc(r.data.silenceAlert.silencedUntil ?? '')}.` });
}

export default function AlertPage() {
  const { alert, problems, idempotencyKey } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const now = useNow();
  if (!alert) return <Problems problems={problems} />;
  const active = alert.state !== 'RESOLVED';
  const errorsOf = (intent: string) => (failure && failure.intent === intent ? failure.errors : null);
  return (
    <>
      <PageHeader
        crumbs={[{ to: '/alerts', label: 'Alerts' }]}
        title={
          <>
            <Severity value={alert.severity} raw={alert.rawSeverity} /> {alert.name}
          </>
        }
        subtitle={
          <>
            <Badge kind="alert" value={alert.state} title={`In the tool: ${alert.rawState}`} /> {alert.summary} · firing for{' '}
            {formatDuration((alert.endsAt ? Date.parse(alert.endsAt) : now) - Date.parse(alert.startsAt))}
          </>
        }
        actions={
          <>
            {alert.generatorUrl ? <SourceLink url={alert.generatorUrl} label="the rule's query" /> : null}
            <SourceLink url={alert.url} />
          </>
        }
      />
      <Problems problems={problems.filter((p) => !p.path || p.path.length <= 2)} />
      <div className="actions-bar">
        <Form method="post" className="inline-form" replace>
          <CsrfField />
          <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:ack`} />
          <button type="submit" name="intent" value="acknowledge" className="primary" data-key="a" disabled={busy || alert.state !== 'FIRING'}>
            Acknowledge <kbd>a</kbd>
          </button>
        </Form>
        <Form method="post" className="inline-form" replace>
          <CsrfField />
          <input type="hidden" name="idempotencyKey" value={`${idempotencyKey}:silence`} />
          <label className="row">
            Silence for
            <select name="duration" defaultValue="1h" aria-label="Silence for" data-key="s">
              {SILENCE_DURATIONS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <input name="comment" placeholder="Why, e.g. known issue, tracked in OPS-298" aria-label="Silence comment" size={36} />
          <button type="submit" name="intent" value="silence" disabled={busy || !active}>
            Silence
          </button>
          <FieldError errors={errorsOf('silence')} name="duration" />
          <FieldError errors={errorsOf('silence')} name="comment" />
        </Form>
      </div>
      {failure?.message ? <div className="form-error">{failure.message}</div> : null}
      <div className="grid-side">
        <div>
          <Section title="Details">
            <dl className="facts">
              <dt>Started</dt>
              <dd>
                {formatUtc(alert.startsAt, true)} (<TimeAgo at={alert.startsAt} />)
              </dd>
              <dt>Ended</dt>
              <dd>{alert.endsAt ? formatUtc(alert.endsAt, true) : 'still firing'}</dd>
              <dt>Acknowledged</dt>
              <dd>{alert.acknowledgedAt ? <TimeAgo at={alert.acknowledgedAt} /> : 'no'}</dd>
              <dt>Silenced until</dt>
              <dd>
                {alert.silencedUntil ? (
                  <>
                    {formatUtc(alert.silencedUntil)} {Date.parse(alert.silencedUntil) < now ? <span className="muted">(expired)</span> : null}
                    {alert.silenceComment ? <span className="muted"> — {alert.silenceComment}</span> : null}
                  </>
                ) : (
                  'never silenced'
                )}
              </dd>
              <dt>Fingerprint</dt>
              <dd className="mono">{alert.fingerprint}</dd>
              <dt>Source</dt>
              <dd className="mono">
                {alert.source.provider}/{alert.source.instance} {alert.source.id}
              </dd>
            </dl>
            {alert.description ? <pre className="description">{alert.description}</pre> : null}
          </Section>
          <Section title="Labels" count={alert.labels.length}>
            <table className="table labels">
              <tbody>
                {alert.labels.map((l) => (
                  <tr key={l.name}>
                    <td className="mono muted">{l.name}</td>
                    <td className="mono">
                      {l.name === 'service' ? <Link to={servicePath(l.value)}>{l.value}</Link> : l.name === 'team' ? <Link to={teamPath(l.value)}>{l.value}</Link> : l.value}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Section title="Open incidents of this service" problems={sectionProblems(problems, ['alert', 'service', 'incidents'])}>
            {alert.service?.incidents?.nodes.length ? <IncidentTable incidents={alert.service.incidents.nodes} showService={false} /> : <Empty>No open incident on this service.</Empty>}
          </Section>
        </div>
        <aside>
          <Section title="Service" problems={sectionProblems(problems, ['alert', 'service'])}>
            {alert.service ? (
              <>
                <div className="row">
                  <Link to={servicePath(alert.service.id)}>
                    <strong>{alert.service.name}</strong>
                  </Link>
                  <Tier value={alert.service.tier} />
                  <Health status={alert.service.health?.status} reason={alert.service.health?.reason} />
                </div>
                {alert.service.owner ? (
                  <dl className="facts">
                    <dt>Owner</dt>
                    <dd>
                      <Link to={teamPath(alert.service.owner.id)}>{alert.service.owner.name}</Link>
                    </dd>
                    {alert.service.owner.onCall.map((s) => (
                      <div key={s.level} className="fact-row">
                        <dt>{s.level.toLowerCase()}</dt>
                        <dd>
                          <Person user={s.user} />
                        </dd>
                      </div>
                    ))}
                  </dl>
                ) : null}
              </>
            ) : (
              <Empty>The alert's labels name no catalog service.</Empty>
            )}
          </Section>
          <Section title="Runbooks" problems={sectionProblems(problems, ['alert', 'runbooks'])}>
            {alert.runbooks?.length ? (
              <ul className="link-list">
                {alert.runbooks.map((r) => (
                  <li key={r.id}>
                    <Link to={runbookPath(r.id)}>{r.name}</Link>
                    <div className="muted small">{r.description}</div>
                  </li>
                ))}
              </ul>
            ) : (
              <Empty>No runbook handles this alert.</Empty>
            )}
          </Section>
        </aside>
      </div>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
