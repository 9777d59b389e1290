import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { z } from 'zod';
import { ExplorePanels, incidentWindow } from '../components/explorer/explore-panels.tsx';
import { AlertTable, DeploymentTable, incidentPath } from '../components/tables.tsx';
import { Empty, Problems, Section } from '../components/ui.tsx';
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
import { RouteError } from '../components/route-error.tsx';
import { IncidentActions } from '../components/incident/actions.tsx';
import { IncidentFollowUp } from '../components/incident/follow-up.tsx';
import { IncidentHeader } from '../components/incident/header.tsx';
import { IncidentService } from '../components/incident/service.tsx';
import { IncidentTimeline } from '../components/incident/timeline.tsx';

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

export default function IncidentPage() {
  const { incident, problems, people, idempotencyKey } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST';
  const failure = useActionData<typeof action>();
  const errorsOf = (intent: string) => (failure && failure.intent === intent ? failure.errors : null);
  if (!incident) return <Problems problems={problems} />;

  const service = incident.service;
  return (
    <>
      <IncidentHeader incident={incident} />
      <Problems problems={problems.filter((p) => !p.path || p.path.length <= 2)} />

      <IncidentActions incident={incident} people={people} idempotencyKey={idempotencyKey} busy={busy} errorsOf={errorsOf} />

      <div className="grid-side">
        <div>
          {incident.summary ? (
            <Section title="Summary">
              <p className="description prose">{incident.summary}</p>
            </Section>
          ) : null}
          {service ? <ExplorePanels service={service.id} title="Signals and logs around the incident" range={incidentWindow(incident.startedAt, incident.resolvedAt)} /> : null}
          <IncidentTimeline incident={incident} problems={problems} idempotencyKey={idempotencyKey} busy={busy} errorsOf={errorsOf} />
          <Section title="Related alerts" count={incident.alerts?.length} problems={sectionProblems(problems, ['incident', 'alerts'])}>
            {incident.alerts?.length ? <AlertTable alerts={incident.alerts} /> : <Empty>No alert of this service around the incident.</Empty>}
          </Section>
          <Section title="Deploys in the 2 hours before" count={incident.deploymentsBefore?.length} problems={sectionProblems(problems, ['incident', 'deploymentsBefore'])}>
            {incident.deploymentsBefore?.length ? <DeploymentTable deployments={incident.deploymentsBefore} showService={false} showEnvironment={false} /> : <Empty>No production deploy of this service shortly before.</Empty>}
          </Section>
        </div>
        <aside>
          <IncidentService service={service} problems={problems} />
          <IncidentFollowUp incident={incident} problems={problems} idempotencyKey={idempotencyKey} busy={busy} errorsOf={errorsOf} />
        </aside>
      </div>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
