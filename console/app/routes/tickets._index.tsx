import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react';
import { useAutoSubmit } from '../components/auto-submit.ts';
import { CheckboxFilter, FilterEnd, ServiceFilter, TeamFilter } from '../components/filters.tsx';
import { TicketTable } from '../components/tables.tsx';
import { Empty, NextPage, PageHeader, Problems } from '../components/ui.tsx';
import { TicketListDocument, type TicketPriority, type TicketStatus } from '../graphql/generated.ts';
import { catalogChoices, query } from '../lib/api.server.ts';
import { listOf, pageOf, scopeOf } from '../lib/params.ts';
import { sectionProblems } from '../lib/problems.ts';
import { RouteError } from '../components/route-error.tsx';

export const meta: MetaFunction = () => [{ title: 'Tickets · OpsOrch' }];

const STATUSES = ['TODO', 'IN_PROGRESS', 'IN_REVIEW', 'DONE', 'CANCELLED'] as const satisfies readonly TicketStatus[];
const PRIORITIES = ['HIGHEST', 'HIGH', 'MEDIUM', 'LOW', 'LOWEST'] as const satisfies readonly TicketPriority[];
const OPEN: TicketStatus[] = ['TODO', 'IN_PROGRESS', 'IN_REVIEW'];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const p = new URL(request.url).searchParams;
  const statuses = p.has('f') ? listOf(p, 'status', STATUSES) : OPEN;
  const priorities = listOf(p, 'priority', PRIORITIES);
  const [list, choices] = await Promise.all([
    query(request, context, TicketListDocument, {
      filter: {
        statuses: statuses.length ? statuses : undefined,
        priorities: priorities.length ? priorities : undefined,
        scope: scopeOf(p),
        text: p.get('q') || undefined,
        incidentId: p.get('incident') || undefined,
      },
      ...pageOf(p),
    }),
    catalogChoices(request, context),
  ]);
  return { tickets: list.data?.tickets ?? null, problems: list.problems, statuses, priorities, ...choices };
}

export default function Tickets() {
  const { tickets, problems, statuses, priorities, services, teams } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const autoSubmit = useAutoSubmit();
  return (
    <>
      <PageHeader
        title="Tickets"
        subtitle="Follow-ups and operational work in every tracker, most recently updated first."
        actions={
          <Link to="/tickets/new" className="button" data-key="c">
            New ticket <kbd>c</kbd>
          </Link>
        }
      />
      <Form method="get" className="filters" onChange={autoSubmit}>
        <input type="hidden" name="f" value="1" />
        <input type="search" name="q" defaultValue={params.get('q') ?? ''} placeholder="Search key, title, description, labels  ( / )" data-search aria-label="Search tickets" />
        <CheckboxFilter label="Status" name="status" options={STATUSES} checked={statuses} format={(s) => s.toLowerCase().replace('_', ' ')} />
        <CheckboxFilter label="Priority" name="priority" options={PRIORITIES} checked={priorities} />
        <ServiceFilter services={services} />
        <TeamFilter teams={teams} />
        {params.get('incident') ? <input type="hidden" name="incident" value={params.get('incident')!} /> : null}
        <FilterEnd reset="/tickets" label="Open tickets" />
      </Form>
      <Problems problems={sectionProblems(problems, ['tickets'], tickets?.providerErrors)} what="tickets of the failed trackers are missing" />
      {tickets?.nodes.length ? <TicketTable tickets={tickets.nodes} inContext /> : <Empty>No ticket matches these filters.</Empty>}
      <NextPage search={params} endCursor={tickets?.pageInfo.endCursor} hasNextPage={tickets?.pageInfo.hasNextPage} />
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError />;
}
